//! `polardb-emulator`: serves the emulated PolarDB API over HTTP.

use std::collections::HashMap;

use clap::Parser;

/// A stateful emulator of the Alibaba Cloud PolarDB OpenAPI (2017-08-01).
#[derive(Parser, Debug)]
#[command(name = "polardb-emulator", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9090")]
    listen: String,
    /// An AccessKey pair allowed to sign requests, as ID:SECRET (repeatable; or
    /// comma-separated in POLARDB_EMULATOR_ACCESS_KEYS, which keeps it out of `ps`).
    #[arg(
        long = "access-key",
        value_name = "ID:SECRET",
        required = true,
        env = "POLARDB_EMULATOR_ACCESS_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    access_key: Vec<String>,
    /// Load the initial state from a JSON file instead of the built-in seed.
    #[arg(long, conflicts_with_all = ["empty", "generate"])]
    state: Option<std::path::PathBuf>,
    /// Start with no clusters at all.
    #[arg(long)]
    empty: bool,
    /// Start with this many generated clusters (spread over --generate-regions regions).
    #[arg(long)]
    generate: Option<usize>,
    /// How many regions the generated clusters are spread over.
    #[arg(long, default_value_t = 10)]
    generate_regions: usize,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let mut access_keys = HashMap::new();
    for pair in &args.access_key {
        match pair.split_once(':') {
            Some((id, secret)) if !id.is_empty() && !secret.is_empty() => {
                access_keys.insert(id.to_string(), secret.to_string());
            }
            _ => {
                eprintln!(
                    "polardb-emulator: --access-key must be ID:SECRET with both parts non-empty"
                );
                std::process::exit(2);
            }
        }
    }
    let seed = if let Some(path) = &args.state {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!(
                    "polardb-emulator: cannot read --state {}: {e}",
                    path.display()
                );
                std::process::exit(2);
            }
        };
        match serde_json::from_str(&text) {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "polardb-emulator: --state {} is not a valid seed: {e}",
                    path.display()
                );
                std::process::exit(2);
            }
        }
    } else if args.empty {
        emulator::Seed {
            regions: emulator::state::default_regions(),
            clusters: vec![],
        }
    } else if let Some(n) = args.generate {
        emulator::state::generated_seed(n, args.generate_regions)
    } else {
        emulator::state::default_seed()
    };
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("polardb-emulator: cannot listen on {}: {e}", args.listen);
            std::process::exit(1);
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::info!(%addr, keys = access_keys.len(), clusters = seed.clusters.len(), "PolarDB emulator listening");
    println!("polardb-emulator listening on http://{addr}/");
    if let Err(e) = emulator::serve(listener, emulator::Config { access_keys, seed }).await {
        eprintln!("polardb-emulator: {e}");
        std::process::exit(1);
    }
}
