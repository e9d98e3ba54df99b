//! `polardb`: calls the PolarDB OpenAPI from the command line. See [`polardb::cli`].

fn main() {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("polardb: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(polardb::cli::run(
        std::env::args().collect(),
        |name| std::env::var(name).ok(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    ));
    std::process::exit(code);
}
