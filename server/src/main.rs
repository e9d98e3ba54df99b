//! `polar-console`: the console's one binary.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use server::config::{self, LogFormat, Sources};

/// How the process allocates, and hands memory back to the system.
///
/// The console allocates with mimalloc rather than glibc's malloc. An audited call
/// allocates and frees a few hundred small blocks (the HTTP exchange both ways, the
/// answer read into its typed model and written out again, the audit record), often on
/// another thread than the one that allocated them; with glibc's per-thread heaps and their
/// locks that was about a sixth of the console's work under load, and the calls over HTTP
/// went 35% faster with mimalloc (#18; `BENCH=calls scripts/bench.sh`).
///
/// A password hash (argon2id, see `backend::identity`) allocates 19 MiB and frees it tens
/// of milliseconds later. glibc kept such blocks in its heaps after the first one was freed
/// (hundreds of MiB held after a burst of sign-ins, until its mapping threshold was fixed);
/// mimalloc serves a block that large from a segment of its own and returns the segment's
/// memory to the system soon after it is freed, so resident memory follows the hashes
/// actually running (the `sign_in` benchmark prints the peak).
///
/// mimalloc returns freed memory to the system a little later (10 ms), on the thread that
/// owns it, the next time that thread allocates: a worker that goes idle kept what it had
/// freed (80 MiB resident after serving a page and 10 s idle, against 49 MiB when freed
/// memory is returned at once). Each runtime worker therefore collects when it parks
/// (see `main`): what is due then goes back, and a busy worker rarely parks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    /// mimalloc's `mi_collect`: frees what the calling thread's heap holds and returns
    /// the memory whose delay has passed; `force` would return it all at once.
    fn mi_collect(force: bool);
}

/// Collects the parking worker's heap (see [`ALLOCATOR`]).
fn collect_on_park() {
    // SAFETY: mi_collect takes no pointers and only tidies the calling thread's heap and
    // the allocator's own bookkeeping; it may be called at any time from any thread.
    unsafe { mi_collect(false) }
}

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
    /// Apply the database migrations as the owner (database_owner_url) and grant the
    /// console's role (database_url) what it needs; exit. Exit 0 done, 1 failed.
    Migrate,
    /// Check the configuration and exit: 0 when valid, 2 when not.
    #[command(after_help = settings_help())]
    CheckConfig,
    /// Create a local administrator (password from POLAR_NEW_ADMIN_PASSWORD, or generated
    /// and printed once). Exit 0 created, 1 failed.
    CreateAdmin {
        /// The new administrator's user name.
        username: String,
    },
    /// Create a local user with a built-in or custom role and a one-time password, printed
    /// once, which the user replaces at the first sign-in. Exit 0 created, 2 invalid (name,
    /// role), 1 failed.
    CreateUser {
        /// The new user's name.
        username: String,
        /// viewer, operator, admin, or a custom role's name.
        #[arg(long)]
        role: String,
    },
    /// Re-encrypt every cloud-account secret under the active master key (the old keys go
    /// in old_master_keys). Exit 0 done, 1 failed.
    RotateKeys,
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the chain (its links and MACs, every checkpoint, its head). Exit 0 intact, 3
    /// broken (the first bad record is named), 1 error.
    Verify,
    /// Adopt a trail written entirely by a version from before the chain was keyed (0008),
    /// which no later version has started: checks every record's unkeyed link, then keys
    /// the chain from the next record and records the adoption (AuditChainAdopted). Never
    /// for a trail whose key was deleted: restore that from a backup. Exit 0 adopted, 1
    /// refused or failed.
    AdoptUnkeyed {
        /// The number of records you expect to adopt (the last record's seq); anything
        /// else is refused.
        #[arg(long)]
        records: i64,
    },
    /// Write every record to standard output.
    Export {
        /// csv or json (one object per line).
        #[arg(long, default_value = "json")]
        format: String,
    },
}

fn settings_help() -> String {
    let mut s = String::from("Settings (file key / environment variable):\n");
    for (key, what) in config::SETTINGS {
        s.push_str(&format!(
            "  {key:<28} {:<36} {what}\n",
            config::env_name(key)
        ));
    }
    s.push_str("\nOther variables:\n");
    for (name, what) in config::VARIABLES {
        s.push_str(&format!("  {name:<65} {what}\n"));
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

/// The console's own pool for a command; migrates first as the owner when
/// database_owner_url is set.
async fn connect(config: &server::Config) -> Result<sqlx::PgPool, ExitCode> {
    server::connect_app(config, 2).await.map_err(|e| {
        eprintln!("polar-console: {e}");
        ExitCode::from(1)
    })
}

/// The audit trail of a command run from the command line, and who it records as acting.
fn cli_audit(config: &server::Config, pool: sqlx::PgPool) -> backend::audit::Audit {
    backend::audit::Audit::with_keys(
        pool,
        config.master_keys.clone(),
        backend::metrics::Metrics::new(),
    )
}

fn cli_actor(command: &str) -> backend::audit::Actor {
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    backend::audit::Actor {
        user_id: None,
        name: backend::audit::safe_text(&format!("{command} (as {who})"), 128),
        auth_method: "cli".into(),
        ..Default::default()
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

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(collect_on_park)
        .build();
    match runtime {
        Ok(rt) => rt.block_on(run()),
        Err(e) => {
            eprintln!("polar-console: could not start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let cli = Cli::parse();
    let config = match load(&cli) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::CheckConfig => {
            // Groups mapped to a role that is not built in need it as a custom role of the
            // database (eighth attack run, E5: such a mapping refused every sign-in of the
            // group while this said it was valid).
            let custom: Vec<&(String, String)> = config
                .proxy
                .group_roles
                .iter()
                .filter(|(_, r)| !backend::access::BUILTIN_ROLES.contains(&r.as_str()))
                .collect();
            if !custom.is_empty() {
                let pool = match connect(&config).await {
                    Ok(p) => p,
                    Err(code) => {
                        eprintln!("polar-console: proxy_group_roles names custom roles, which only the database can confirm");
                        return code;
                    }
                };
                let roles: Vec<String> = match sqlx::query_scalar("SELECT name FROM roles")
                    .fetch_all(&pool)
                    .await
                {
                    Ok(r) => r,
                    Err(e) => {
                        eprintln!("polar-console: cannot read the roles: {e}");
                        return ExitCode::from(1);
                    }
                };
                for (group, role) in custom {
                    if !roles.contains(role) {
                        eprintln!("polar-console: proxy_group_roles: the group {group:?} is mapped to {role:?}, which is not a role of this console (built in: {}; custom: {})",
                            backend::access::BUILTIN_ROLES.join(", "),
                            if roles.is_empty() { "none".to_string() } else { roles.join(", ") });
                        return ExitCode::from(2);
                    }
                }
            }
            println!("configuration is valid (listen {})", config.listen);
            ExitCode::SUCCESS
        }
        Command::CreateAdmin { username } => {
            let (password, generated) = match std::env::var("POLAR_NEW_ADMIN_PASSWORD") {
                Ok(p) => (zeroize::Zeroizing::new(p), false),
                Err(_) => (backend::identity::generate_password(), true),
            };
            if let Err(e) = backend::identity::check_new_password(&password) {
                eprintln!("polar-console: POLAR_NEW_ADMIN_PASSWORD: {e}");
                return ExitCode::from(2);
            }
            let created = create_user(&config, &username, "admin", &password, false).await;
            if created == ExitCode::SUCCESS {
                if generated {
                    println!(
                        "created administrator {username}; password {}",
                        password.as_str()
                    );
                } else {
                    println!("created administrator {username}");
                }
            }
            created
        }
        Command::CreateUser { username, role } => {
            // A one-time password: the user chooses their own at the first sign-in.
            let password = backend::identity::generate_password();
            let created = create_user(&config, &username, &role, &password, true).await;
            if created == ExitCode::SUCCESS {
                println!(
                    "created user {username} with the role {role}; one-time password {} (to be replaced at the first sign-in)",
                    password.as_str()
                );
            }
            created
        }
        Command::RotateKeys => {
            let pool = match connect(&config).await {
                Ok(p) => p,
                Err(code) => return code,
            };
            let vault = backend::vault::Vault::new(pool.clone(), config.master_keys.clone());
            let pool_for_channels = pool.clone();
            let audit = cli_audit(&config, pool);
            // One transaction: every secret, the chain key and the record of the rotation
            // commit together, or nothing does.
            let rotated = async {
                let mut change = audit.begin_change().await?;
                let n = vault.rotate_keys(change.conn()).await?;
                // Notification channels' URLs and secrets are sealed with the same keys.
                let channels = backend::notify::Notifier::new(
                    pool_for_channels.clone(),
                    config.master_keys.clone(),
                    backend::metrics::Metrics::new(),
                )
                .rotate_keys(change.conn())
                .await?;
                // The audit chain's key is re-wrapped too: it stays the same key, so every
                // MAC made before the rotation still verifies.
                let rewrapped = audit.rewrap_key(change.conn()).await?;
                let mut e = backend::audit::Event::security(
                    cli_actor("rotate-keys"),
                    "MasterKeyRotated",
                    backend::audit::Outcome::Ok,
                );
                e.params = serde_json::json!({"key_id": config.master_keys.active_id(), "cloud_accounts": n, "notification_channels": channels, "audit_key": rewrapped});
                change.commit(&e).await?;
                Ok::<_, backend::BackendError>(n)
            };
            match rotated.await {
                Ok(n) => {
                    println!(
                        "re-encrypted {n} cloud-account secrets and the audit chain's key under key {}",
                        config.master_keys.active_id()
                    );
                    ExitCode::SUCCESS
                }
                Err(e @ backend::BackendError::Crypto) => {
                    eprintln!("polar-console: {e}; nothing was re-encrypted (is every old key listed in old_master_keys?)");
                    ExitCode::from(1)
                }
                Err(e) => {
                    eprintln!("polar-console: {e}; nothing was re-encrypted");
                    ExitCode::from(1)
                }
            }
        }
        Command::Audit { command } => {
            let pool = match connect(&config).await {
                Ok(p) => p,
                Err(code) => return code,
            };
            let audit = cli_audit(&config, pool);
            match command {
                AuditCommand::Verify => match audit.verify().await {
                    Ok(backend::audit::Verdict::Intact { records }) => {
                        println!("audit chain intact: {records} records");
                        ExitCode::SUCCESS
                    }
                    Ok(backend::audit::Verdict::Broken { seq, problem }) => {
                        println!("audit chain broken at record {seq}: {problem}");
                        ExitCode::from(3)
                    }
                    Err(e) => {
                        eprintln!("polar-console: {e}");
                        ExitCode::from(1)
                    }
                },
                AuditCommand::AdoptUnkeyed { records } => {
                    match audit
                        .adopt_unkeyed(records, cli_actor("audit adopt-unkeyed"))
                        .await
                    {
                        Ok(seq) => {
                            println!(
                                "adopted {records} unkeyed records; the chain is keyed from record {seq}, which records the adoption"
                            );
                            ExitCode::SUCCESS
                        }
                        Err(e) => {
                            eprintln!("polar-console: {e}");
                            ExitCode::from(1)
                        }
                    }
                }
                AuditCommand::Export { format } => {
                    if format != "json" && format != "csv" {
                        eprintln!("polar-console: --format must be csv or json");
                        return ExitCode::from(2);
                    }
                    let mut out = std::io::stdout().lock();
                    if format == "csv" {
                        let _ = writeln!(out, "{}", backend::audit::CSV_HEADER);
                    }
                    let mut after = 0;
                    loop {
                        let page = match audit.page_from(after, 1000).await {
                            Ok(p) => p,
                            Err(e) => {
                                eprintln!("polar-console: {e}");
                                return ExitCode::from(1);
                            }
                        };
                        let Some(last) = page.last() else { break };
                        after = last.seq;
                        for r in &page {
                            let line = if format == "csv" {
                                r.csv_row()
                            } else {
                                serde_json::to_string(r).unwrap_or_default()
                            };
                            if writeln!(out, "{line}").is_err() {
                                return ExitCode::from(1);
                            }
                        }
                    }
                    ExitCode::SUCCESS
                }
            }
        }
        Command::Migrate => {
            init_logs(config.log_format);
            match server::migrate(&config).await {
                Ok(()) => {
                    println!("migrations are current; the console's role has its privileges");
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
            let served = server::serve(
                listener,
                started.router,
                started.connections,
                config.shutdown_grace,
            )
            .await;
            // Stop the background jobs, then close the pool: in-flight work is done.
            started.background.stop(config.shutdown_grace).await;
            started.backend.pool.close().await;
            tracing::info!("stopped");
            if let Err(e) = served {
                eprintln!("polar-console: {e}");
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
    }
}

/// Creates a local user and its `UserCreated` record in one transaction (or neither), as
/// the command line: 0 created, 2 the name or the role is invalid, 1 anything else.
async fn create_user(
    config: &server::Config,
    username: &str,
    role: &str,
    password: &str,
    must_change: bool,
) -> ExitCode {
    let name = match backend::identity::Username::parse_local(username) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("polar-console: {e}");
            return ExitCode::from(2);
        }
    };
    let pool = match connect(config).await {
        Ok(p) => p,
        Err(code) => return code,
    };
    let identity = backend::identity::Identity::new(pool.clone());
    let audit = cli_audit(config, pool);
    let command = if must_change {
        "create-user"
    } else {
        "create-admin"
    };
    let created = async {
        let mut change = audit.begin_change().await?;
        let user = identity
            .create_local_in(
                change.conn(),
                &name,
                name.as_str(),
                role,
                password,
                must_change,
            )
            .await?;
        let mut e = backend::audit::Event::security(
            cli_actor(command),
            "UserCreated",
            backend::audit::Outcome::Ok,
        );
        e.params = serde_json::json!({"user": user.id.to_string(), "username": user.username, "role": user.role});
        change.commit(&e).await
    };
    match created.await {
        Ok(_) => ExitCode::SUCCESS,
        Err(e @ backend::BackendError::Invalid { .. }) => {
            eprintln!("polar-console: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("polar-console: {e}");
            ExitCode::from(1)
        }
    }
}
