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
        required_unless_present = "print_seed",
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
    /// Milliseconds per state transition of asynchronous changes (creating a cluster,
    /// adding nodes, restarting, failing over, backing up...).
    #[arg(long, default_value_t = 3000, env = "POLARDB_EMULATOR_SPEED_MS")]
    speed_ms: u64,
    /// Latency added to every API answer, in milliseconds.
    #[arg(long, default_value_t = 0, env = "POLARDB_EMULATOR_LATENCY_MS")]
    latency_ms: u64,
    /// Share of API requests answered Throttling.User (HTTP 400), from 0 to 1.
    #[arg(long, default_value_t = 0.0, value_parser = rate, env = "POLARDB_EMULATOR_THROTTLE_RATE")]
    throttle_rate: f64,
    /// Share of API requests answered ServiceUnavailable (HTTP 503), from 0 to 1.
    #[arg(long = "error-5xx-rate", default_value_t = 0.0, value_parser = rate, env = "POLARDB_EMULATOR_ERROR_5XX_RATE")]
    error_5xx_rate: f64,
    /// Print the initial state as JSON (a starting point for --state files) and exit.
    #[arg(long)]
    print_seed: bool,
    /// Seed of the (deterministic) fault sequence.
    #[arg(long, default_value_t = 0, env = "POLARDB_EMULATOR_FAULT_SEED")]
    fault_seed: u64,
}

/// A share between 0 and 1.
fn rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s} is not a number between 0 and 1")),
    }
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
            ..Default::default()
        }
    } else if let Some(n) = args.generate {
        emulator::state::generated_seed(n, args.generate_regions)
    } else {
        emulator::state::default_seed()
    };
    if args.print_seed {
        match serde_json::to_string_pretty(&seed) {
            Ok(text) => {
                use std::io::Write;
                // A closed pipe (`| head`) is not an error worth a panic.
                let _ = writeln!(std::io::stdout().lock(), "{text}");
                return;
            }
            Err(e) => {
                eprintln!("polardb-emulator: cannot encode the seed: {e}");
                std::process::exit(1);
            }
        }
    }
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
    println!("polardb-emulator listening on http://{addr}/ (statistics at http://{addr}/_emulator/stats)");
    let config = emulator::Config {
        access_keys,
        seed,
        speed_ms: args.speed_ms.max(1),
        latency_ms: args.latency_ms,
        throttle_rate: args.throttle_rate,
        error_5xx_rate: args.error_5xx_rate,
        fault_seed: args.fault_seed,
    };
    if let Err(e) = emulator::serve(listener, config).await {
        eprintln!("polardb-emulator: {e}");
        std::process::exit(1);
    }
}
