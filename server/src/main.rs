//! `polar-console`: the console's one binary.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use server::config::{self, LogFormat, Sources};

/// Polar Console: a self-hosted web console for Alibaba Cloud PolarDB for PostgreSQL.
///
/// Settings come from POLAR_* environment variables and an optional TOML file
/// (--config or POLAR_CONFIG); run `polar-console check-config --help` for the list.
#[derive(Parser)]
#[command(name = "polar-console", version)]
struct Cli {
    /// A TOML configuration file.
    #[arg(long, global = true, env = "POLAR_CONFIG")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Check the configuration and exit: 0 when valid, 2 when not.
    #[command(after_help = settings_help())]
    CheckConfig,
}

fn settings_help() -> String {
    let mut s = String::from("Settings (file key / environment variable):\n");
    for (key, what) in config::SETTINGS {
        s.push_str(&format!(
            "  {key:<28} {:<36} {what}\n",
            config::env_name(key)
        ));
    }
    s
}

fn load(cli: &Cli) -> Result<server::Config, ExitCode> {
    match Sources::load(cli.config.as_deref(), std::env::vars()).and_then(|s| s.build()) {
        Ok(c) => Ok(c),
        Err(e) => {
            eprintln!("polar-console: {e}");
            Err(ExitCode::from(2))
        }
    }
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("POLAR_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match load(&cli) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::CheckConfig => {
            println!("configuration is valid (listen {})", config.listen);
            ExitCode::SUCCESS
        }
        Command::Migrate => {
            init_logs(config.log_format);
            let pool = match backend::db::connect(&config.database_url, 1).await {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("polar-console: cannot connect to PostgreSQL: {e}");
                    return ExitCode::from(1);
                }
            };
            match backend::db::migrate(&pool).await {
                Ok(()) => {
                    println!("migrations are current");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("polar-console: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Serve => {
            init_logs(config.log_format);
            let listener = match server::bind(config.listen).await {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("polar-console: {e}");
                    return ExitCode::from(1);
                }
            };
            let started = match server::start(&config).await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("polar-console: {e}");
                    return ExitCode::from(1);
                }
            };
            if let Some(password) = &started.generated_admin_password {
                // Printed once, to the terminal of whoever started the console; never logged.
                println!(
                    "Created the administrator account: username admin, password {}",
                    password.as_str()
                );
                println!("Keep it safe: it is not shown again.");
            }
            let addr = listener.local_addr().unwrap_or(config.listen);
            let url = format!("http://{addr}/");
            println!("Polar Console is serving on {url}");
            tracing::info!(%url, "Polar Console is serving");
            if let Err(e) = server::serve(listener, started.router).await {
                eprintln!("polar-console: {e}");
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
    }
}
