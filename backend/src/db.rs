//! The connection pool, the migrations in `migrations/`, and the two database roles.
//!
//! The console serves as a role that owns nothing: an **owner** role (the
//! `database_owner_url` setting) applies the migrations and then grants the console's
//! role what it needs — SELECT and INSERT on the audit tables and no more, ordinary
//! reads and writes elsewhere. A role that does not own `audit_events` cannot grant itself
//! UPDATE or DELETE there, nor disable its append-only trigger.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

/// The migrations compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// A pooled connection idle for longer than this is pinged before it is handed out; one
/// used more recently is not (a ping is a round trip, and every request takes connections).
pub const PING_IDLE_AFTER: Duration = Duration::from_secs(10);

/// Opens a pool. Fails fast (5 s) when the server cannot be reached. A connection idle for
/// [`PING_IDLE_AFTER`] is checked before use, so that one the server dropped meanwhile (a
/// restart, a proxy's idle cut) is replaced rather than failing a request (#18: checking
/// every connection on every use cost a round trip per query).
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    let options: PgConnectOptions = url.parse()?;
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > PING_IDLE_AFTER {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .connect_with(options.application_name("polar-console"))
        .await
}

/// Applies pending migrations; safe to run on every start. Run it as the owner.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// The role a database URL signs in as.
pub fn role_of(url: &str) -> Result<String, sqlx::Error> {
    let options: PgConnectOptions = url.parse()?;
    Ok(options.get_username().to_string())
}

/// The tables the console may only read and append to.
const APPEND_ONLY: &[&str] = &["audit_events", "audit_checkpoints", "audit_key"];

fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// On the owner's connection, after migrating: takes over whatever the console's role
/// `app` still owns (a database set up before the roles were split, where the console
/// migrated as itself) and grants `app` what it needs, nothing more. Idempotent.
///
/// Taking over needs the owner to be a superuser or a member of `app`.
pub async fn grant_app_role(owner: &PgPool, app: &str) -> Result<(), sqlx::Error> {
    let me: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(owner)
        .await?;
    if me == app {
        return Err(sqlx::Error::Configuration(
            "the owner's URL and the console's URL sign in as the same role; the console must use a role that owns nothing".into(),
        ));
    }
    let a = ident(app);
    let mut tx = owner.begin().await?;
    // The database itself: its owner could drop it or create schemas in it.
    let db_owned: Option<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname = current_database() AND pg_get_userbyid(datdba) = $1",
    )
    .bind(app)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(db) = db_owned {
        sqlx::query(&format!(
            "ALTER DATABASE {} OWNER TO CURRENT_USER",
            ident(&db)
        ))
        .execute(&mut *tx)
        .await?;
    }
    // Objects the console's role created when it migrated by itself.
    let owned: Vec<(String, String)> = sqlx::query_as(
        "SELECT CASE WHEN c.relkind = 'v' THEN 'VIEW' WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                c.oid::regclass::text
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('public', 'tower_sessions')
           AND c.relkind IN ('r', 'p', 'v', 'S')
           AND pg_get_userbyid(c.relowner) = $1
           -- a sequence that belongs to a column moves with its table
           AND NOT (c.relkind = 'S' AND EXISTS (
               SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))",
    )
    .bind(app)
    .fetch_all(&mut *tx)
    .await?;
    for (kind, name) in owned {
        sqlx::query(&format!("ALTER {kind} {name} OWNER TO CURRENT_USER"))
            .execute(&mut *tx)
            .await?;
    }
    let functions: Vec<String> = sqlx::query_scalar(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) = $1",
    )
    .bind(app)
    .fetch_all(&mut *tx)
    .await?;
    for f in functions {
        sqlx::query(&format!("ALTER FUNCTION {f} OWNER TO CURRENT_USER"))
            .execute(&mut *tx)
            .await?;
    }
    let schemas: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE nspname = 'tower_sessions' AND pg_get_userbyid(nspowner) = $1",
    )
    .bind(app)
    .fetch_all(&mut *tx)
    .await?;
    for s in schemas {
        sqlx::query(&format!("ALTER SCHEMA {} OWNER TO CURRENT_USER", ident(&s)))
            .execute(&mut *tx)
            .await?;
    }
    let append_only = APPEND_ONLY.join(", ");
    let statements = [
        format!("GRANT USAGE ON SCHEMA public TO {a}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {a}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {a}"),
        // The audit trail: read and append, never change. (REVOKE first: a grant made
        // before takes effect otherwise.)
        format!("REVOKE ALL ON {append_only}, audit_head, _sqlx_migrations FROM {a}"),
        format!("GRANT SELECT, INSERT ON {append_only} TO {a}"),
        // Re-wrapping the chain key under a new master key (rotate-keys).
        format!("GRANT UPDATE (ciphertext, nonce, key_id) ON audit_key TO {a}"),
        // The head moves with every append (its MAC says whether the console moved it).
        format!("GRANT SELECT, INSERT, UPDATE ON audit_head TO {a}"),
        // Readiness compares the applied migrations with the binary's.
        format!("GRANT SELECT ON _sqlx_migrations TO {a}"),
        format!("GRANT USAGE ON SCHEMA tower_sessions TO {a}"),
        format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tower_sessions TO {a}"
        ),
    ];
    for st in statements {
        sqlx::query(&st).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Why the console's own role must not serve, if it must not: it is a superuser, or it
/// owns (or is a member of the owner of) the audit table, so it could rewrite history.
pub async fn app_role_problem(pool: &PgPool) -> Result<Option<String>, sqlx::Error> {
    let (me, superuser, owns): (String, bool, Option<bool>) = sqlx::query_as(
        "SELECT current_user::text,
                (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                (SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class
                  WHERE oid = to_regclass('public.audit_events'))",
    )
    .fetch_one(pool)
    .await?;
    Ok(if superuser {
        Some(format!("the console's database role {me:?} is a superuser, so it could rewrite the audit trail; connect as an ordinary role (database_url) and migrate as the owner (database_owner_url)"))
    } else if owns == Some(true) {
        Some(format!("the console's database role {me:?} owns the audit table, so it could grant itself UPDATE or disable its trigger; run `polar-console migrate` once with database_owner_url (POLAR_DATABASE_OWNER_URL) set to the owner's URL, which takes the tables over"))
    } else {
        None
    })
}

/// A few connections kept out of the pool for the statements every request or every write
/// runs (the session's read; a write sent at once: its change, the approval policies, how
/// it ended; #18). sqlx 0.8 pings each connection given back to its pool, a round
/// trip per statement; one given back here is not pinged. At most `most` are kept, on top
/// of the pool's size; one idle for [`PING_IDLE_AFTER`] is checked before use, as the pool
/// checks its own; one whose statement failed or was cancelled is closed, never reused.
/// When none is free, the pool's own serve.
#[derive(Clone)]
pub struct Lanes {
    pool: PgPool,
    kept: std::sync::Arc<Kept>,
}

struct Kept {
    idle: std::sync::Mutex<Vec<(sqlx::PgConnection, std::time::Instant)>>,
    /// Kept connections, idle or in use.
    open: std::sync::atomic::AtomicUsize,
    most: usize,
}

/// A connection taken from [`Lanes`]: give it back with [`Lane::done`] once its statement
/// succeeded; dropped, it is closed (a kept one) or goes back to the pool (the pool's).
pub struct Lane {
    conn: Option<Conn>,
    kept: std::sync::Arc<Kept>,
}

enum Conn {
    Kept(sqlx::PgConnection),
    Pooled(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl Lanes {
    /// Lanes over `pool`, keeping at most `most` connections.
    pub fn new(pool: PgPool, most: usize) -> Self {
        Lanes {
            pool,
            kept: std::sync::Arc::new(Kept {
                idle: std::sync::Mutex::new(Vec::new()),
                open: std::sync::atomic::AtomicUsize::new(0),
                most,
            }),
        }
    }

    /// A kept connection when one is free, else one of the pool's.
    pub async fn take(&self) -> Result<Lane, sqlx::Error> {
        loop {
            let idle = self
                .kept
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop();
            let Some((conn, used)) = idle else {
                return Ok(Lane {
                    conn: Some(Conn::Pooled(self.pool.acquire().await?)),
                    kept: self.kept.clone(),
                });
            };
            let mut lane = Lane {
                conn: Some(Conn::Kept(conn)),
                kept: self.kept.clone(),
            };
            if used.elapsed() <= PING_IDLE_AFTER || sqlx::Connection::ping(&mut *lane).await.is_ok()
            {
                return Ok(lane);
            }
            // Dropped: the server closed it meanwhile; the next one, or the pool's.
        }
    }

    /// How many connections are kept now (idle or in use).
    pub fn kept(&self) -> usize {
        self.kept.open.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Lane {
    /// Gives the connection back after a statement that succeeded: kept for the next
    /// one (a pool's connection becomes a kept one while fewer than the most are kept).
    pub fn done(mut self) {
        use std::sync::atomic::Ordering;
        let conn = match self.conn.take() {
            Some(Conn::Kept(c)) => c,
            Some(Conn::Pooled(p)) => {
                let room = self
                    .kept
                    .open
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                        (n < self.kept.most).then_some(n + 1)
                    })
                    .is_ok();
                if !room {
                    return; // back to the pool
                }
                p.detach()
            }
            None => return,
        };
        self.kept
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((conn, std::time::Instant::now()));
    }
}

impl Drop for Lane {
    fn drop(&mut self) {
        if let Some(Conn::Kept(_)) = self.conn {
            self.kept
                .open
                .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

impl std::ops::Deref for Lane {
    type Target = sqlx::PgConnection;
    fn deref(&self) -> &sqlx::PgConnection {
        match self.conn.as_ref() {
            Some(Conn::Kept(c)) => c,
            Some(Conn::Pooled(p)) => p,
            None => unreachable!("a lane has its connection until it is given back"),
        }
    }
}

impl std::ops::DerefMut for Lane {
    fn deref_mut(&mut self) -> &mut sqlx::PgConnection {
        match self.conn.as_mut() {
            Some(Conn::Kept(c)) => c,
            Some(Conn::Pooled(p)) => p,
            None => unreachable!("a lane has its connection until it is given back"),
        }
    }
}
