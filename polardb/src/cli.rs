//! The `polardb` command-line caller (feature `cli`).
//!
//! ```text
//! polardb call ACTION [--region R] [--param K=V ...] [--endpoint URL] [--signature v2|v3] [--timeout SECS]
//! polardb actions
//! ```
//!
//! The AccessKey pair comes from `ALIBABA_CLOUD_ACCESS_KEY_ID` and
//! `ALIBABA_CLOUD_ACCESS_KEY_SECRET` only: never from a flag (flags end up in shell
//! history and `ps`), and the secret is never printed.
//!
//! Exit codes: 0 success, 1 the API (or the network) answered an error, 2 a usage error
//! (unknown action, malformed `--param`, missing credentials, bad flag).
//!
//! [`run`] holds all the logic and takes its environment and output streams as arguments,
//! so tests drive it in-process; `src/main.rs` is a thin wrapper.

use std::io::Write;
use std::time::Duration;

use clap::{Parser, Subcommand};
use zeroize::Zeroizing;

use crate::client::{Client, ClientConfig, Credentials, Target};
use crate::models::{action_info, ActionKind, ACTIONS};
use crate::SignatureVersion;

/// The variable holding the AccessKeyId.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// The variable holding the AccessKey secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";

/// Exit code of a successful call.
pub const EXIT_OK: i32 = 0;
/// Exit code when the API (or the transport) answered an error.
pub const EXIT_API_ERROR: i32 = 1;
/// Exit code of a usage error.
pub const EXIT_USAGE: i32 = 2;

/// Parameters the client sets itself; a `--param` may not override them.
const RESERVED: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
    "SecurityToken",
];

/// Calls the Alibaba Cloud PolarDB OpenAPI (version 2017-08-01).
///
/// Credentials are read from ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET.
#[derive(Parser, Debug)]
#[command(name = "polardb", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Calls one action and prints its JSON response.
    Call(CallArgs),
    /// Lists every action of the API with its kind (read or write).
    Actions,
}

#[derive(clap::Args, Debug)]
struct CallArgs {
    /// The action's name, e.g. DescribeDBClusters (see `polardb actions`).
    action: String,
    /// The region (sent as RegionId; also picks the regional endpoint).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// A request parameter as Name=Value (repeatable; lists as Name.1=..., Name.2=...).
    #[arg(long = "param", short = 'p', value_name = "K=V")]
    params: Vec<String>,
    /// Base URL to send the request to instead of the regional endpoint.
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// Signature algorithm: v2 (HMAC-SHA1) or v3 (ACS3-HMAC-SHA256).
    #[arg(long, value_name = "v2|v3", default_value = "v3", value_parser = parse_signature)]
    signature: SignatureVersion,
    /// Overall time limit of the call, retries included, in seconds.
    #[arg(long, value_name = "SECS", value_parser = parse_timeout)]
    timeout: Option<Duration>,
}

fn parse_signature(s: &str) -> Result<SignatureVersion, String> {
    SignatureVersion::parse(s).ok_or_else(|| format!("`{s}` is not a signature version (v2 or v3)"))
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 3600.0 => Ok(Duration::from_secs_f64(v)),
        _ => Err(format!(
            "`{s}` is not a number of seconds between 0 and 3600"
        )),
    }
}

/// Runs the command line `args` (the program name first, as `std::env::args()` gives it),
/// reading variables through `env` and writing to `out` and `err`. Returns the exit code.
pub async fn run(
    args: Vec<String>,
    env: impl Fn(&str) -> Option<String>,
    out: &mut impl Write,
    err: &mut impl Write,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            let text = e.render().to_string();
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = write!(out, "{text}");
                    EXIT_OK
                }
                _ => {
                    let _ = write!(err, "{text}");
                    EXIT_USAGE
                }
            };
        }
    };
    match cli.command {
        Command::Actions => {
            let width = ACTIONS.iter().map(|a| a.name.len()).max().unwrap_or(0);
            for a in ACTIONS {
                let kind = match a.kind {
                    ActionKind::Read => "read",
                    ActionKind::Write => "write",
                };
                let _ = writeln!(out, "{:<width$}  {kind}", a.name);
            }
            EXIT_OK
        }
        Command::Call(call_args) => call(call_args, &env, out, err).await,
    }
}

async fn call(
    args: CallArgs,
    env: &impl Fn(&str) -> Option<String>,
    out: &mut impl Write,
    err: &mut impl Write,
) -> i32 {
    let usage = |err: &mut dyn Write, msg: &str| {
        let _ = writeln!(err, "polardb: {msg}");
        EXIT_USAGE
    };

    let Some(info) = action_info(&args.action) else {
        let mut msg = format!("unknown action `{}`", args.action);
        let close = suggestions(&args.action);
        if !close.is_empty() {
            msg.push_str(&format!("; did you mean {}?", close.join(", ")));
        }
        msg.push_str(" (`polardb actions` lists them all)");
        return usage(err, &msg);
    };

    let mut params: Vec<(String, String)> = Vec::new();
    for raw in &args.params {
        let Some((k, v)) = raw.split_once('=') else {
            return usage(
                err,
                &format!("--param `{raw}` is not of the form Name=Value"),
            );
        };
        let k = k.trim();
        if k.is_empty() || k.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return usage(
                err,
                &format!("--param `{raw}` has no valid parameter name before `=`"),
            );
        }
        if RESERVED.contains(&k) {
            return usage(
                err,
                &format!("--param {k} is set by polardb itself and cannot be given"),
            );
        }
        if params.iter().any(|(n, _)| n == k) {
            return usage(err, &format!("--param {k} is given more than once"));
        }
        params.push((k.to_string(), v.to_string()));
    }

    let region = match (&args.region, params.iter().find(|(k, _)| k == "RegionId")) {
        (Some(r), Some((_, p))) if r != p => {
            return usage(
                err,
                &format!("--region {r} and --param RegionId={p} disagree; give only one"),
            )
        }
        (Some(r), _) => r.trim().to_string(),
        (None, Some((_, p))) => p.clone(),
        (None, None) => String::new(),
    };
    if let Some(r) = &args.region {
        if r.trim().is_empty() {
            return usage(err, "--region is empty");
        }
    }

    // The same canonical request the console sends: checked against the reference's
    // parameters for the action before any credential is read.
    let request = match crate::request::Request::parse(info.name, &region, &params) {
        Ok(r) => r,
        Err(e) => return usage(err, &e.to_string()),
    };

    if let Some(e) = &args.endpoint {
        match reqwest::Url::parse(e) {
            // A user, query or fragment would travel outside the signature (the same rule
            // as a cloud account's endpoint override in the console). Any `@` is refused:
            // an empty user (`http://@host/`, `http://:@host/`) parses as none.
            Ok(u)
                if !e.contains('@')
                    && matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some()
                    && u.username().is_empty()
                    && u.password().is_none()
                    && u.query().is_none()
                    && u.fragment().is_none() => {}
            _ => {
                return usage(
                    err,
                    &format!(
                        "--endpoint `{e}` is not an http:// or https:// URL with a host and no user, query or fragment"
                    ),
                )
            }
        }
    }

    let Some(key_id) = env(ENV_ACCESS_KEY_ID).filter(|v| !v.trim().is_empty()) else {
        return usage(
            err,
            &format!("missing credentials: set {ENV_ACCESS_KEY_ID} (and {ENV_ACCESS_KEY_SECRET})"),
        );
    };
    let Some(secret) = env(ENV_ACCESS_KEY_SECRET)
        .map(Zeroizing::new)
        .filter(|v| !v.is_empty())
    else {
        return usage(
            err,
            &format!("missing credentials: set {ENV_ACCESS_KEY_SECRET}"),
        );
    };
    let creds = Credentials::new(key_id.trim(), secret);

    let mut config = ClientConfig::default();
    if let Some(t) = args.timeout {
        config.read_timeout = t;
        config.connect_timeout = config.connect_timeout.min(t);
        config.retry.deadline = t;
    }
    let client = match Client::new(config) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "polardb: cannot start the HTTP client: {}", e.message);
            return EXIT_API_ERROR;
        }
    };
    let target = Target {
        endpoint: args.endpoint.clone(),
        signature: args.signature,
    };
    let call = client.send(&target, &creds, &request);
    let exchange = match args.timeout {
        // The retry deadline bounds the waits between attempts; this bounds the whole call.
        Some(t) => match tokio::time::timeout(t + Duration::from_millis(500), call).await {
            Ok(x) => x,
            Err(_) => {
                let _ = writeln!(
                    err,
                    "polardb: {} failed: no answer within {} s",
                    info.name,
                    t.as_secs_f64()
                );
                return EXIT_API_ERROR;
            }
        },
        None => call.await,
    };
    match exchange.result.map(|a| a.into_value()) {
        Ok(Ok(value)) => {
            let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
            let _ = writeln!(out, "{text}");
            EXIT_OK
        }
        // Checked as JSON when it arrived; read again, it cannot fail.
        Ok(Err(e)) => {
            let _ = writeln!(
                err,
                "polardb: {} answered with JSON that could not be read: {e}",
                info.name
            );
            EXIT_API_ERROR
        }
        Err(e) => {
            let status = if e.status == 0 {
                "none (no HTTP response)".to_string()
            } else {
                e.status.to_string()
            };
            let request_id = if e.request_id.is_empty() {
                "-"
            } else {
                e.request_id.as_str()
            };
            let mut text = format!(
                "polardb: {} failed: {}\n  Code:      {}\n  Message:   {}\n  HTTP:      {}\n  RequestId: {}\n",
                info.name,
                e.human(),
                e.code,
                e.message,
                status,
                request_id
            );
            if exchange.attempts > 1 {
                text.push_str(&format!("  Attempts:  {}\n", exchange.attempts));
            }
            let _ = write!(err, "{}", redact(&text, &creds));
            EXIT_API_ERROR
        }
    }
}

/// Belt and braces: the secret is never formatted, but an error text echoing it is cut.
fn redact(text: &str, creds: &Credentials) -> String {
    let secret = creds.secret();
    if secret.len() >= 4 {
        text.replace(secret, "<redacted>")
    } else {
        text.to_string()
    }
}

/// Catalogue names close to `name` (letter case ignored): those within a small edit
/// distance, and those that contain it or that it contains; nearest first, at most five.
pub fn suggestions(name: &str) -> Vec<&'static str> {
    let wanted = name.to_ascii_lowercase();
    if wanted.is_empty() {
        return Vec::new();
    }
    let limit = (wanted.len() / 4).clamp(2, 6);
    let mut scored: Vec<(usize, &'static str)> = ACTIONS
        .iter()
        .filter_map(|a| {
            let candidate = a.name.to_ascii_lowercase();
            let distance = levenshtein(&candidate, &wanted);
            let contains =
                wanted.len() >= 4 && (candidate.contains(&wanted) || wanted.contains(&candidate));
            (distance <= limit || contains).then_some((distance, a.name))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(5).map(|(_, n)| n).collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    async fn run_args(args: &[&str]) -> (i32, String, String) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let argv = std::iter::once("polardb")
            .chain(args.iter().copied())
            .map(String::from)
            .collect();
        let code = run(argv, no_env, &mut out, &mut err).await;
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn suggestions_find_close_names() {
        assert_eq!(suggestions("describeregions"), vec!["DescribeRegions"]);
        assert_eq!(suggestions("DescribeDBCluster")[0], "DescribeDBClusters");
        assert!(suggestions("DescribeDBClustrs").contains(&"DescribeDBClusters"));
        assert!(suggestions("Xyzzy").is_empty());
        assert!(suggestions("").is_empty());
    }

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("same", "same"), 0);
    }

    #[tokio::test]
    async fn actions_lists_the_catalogue() {
        let (code, out, _) = run_args(&["actions"]).await;
        assert_eq!(code, EXIT_OK);
        assert_eq!(out.lines().count(), ACTIONS.len());
        assert!(out
            .lines()
            .any(|l| l.starts_with("DescribeRegions ") && l.ends_with(" read")));
        assert!(out
            .lines()
            .any(|l| l.starts_with("CreateDBCluster ") && l.ends_with(" write")));
    }

    #[tokio::test]
    async fn usage_errors_exit_2() {
        let (code, _, err) = run_args(&["call", "DescribeRegionz"]).await;
        assert_eq!(code, EXIT_USAGE);
        assert!(err.contains("unknown action `DescribeRegionz`"), "{err}");
        assert!(err.contains("DescribeRegions"), "{err}");

        let (code, _, err) = run_args(&["call", "DescribeRegions", "--param", "NoEquals"]).await;
        assert_eq!(code, EXIT_USAGE);
        assert!(err.contains("Name=Value"), "{err}");

        let (code, _, err) = run_args(&["call", "DescribeRegions", "--param", "=x"]).await;
        assert_eq!(code, EXIT_USAGE, "{err}");

        let (code, _, err) = run_args(&["call", "DescribeRegions", "--param", "Signature=x"]).await;
        assert_eq!(code, EXIT_USAGE, "{err}");

        let (code, _, err) = run_args(&["call", "DescribeRegions"]).await;
        assert_eq!(code, EXIT_USAGE);
        assert!(err.contains(ENV_ACCESS_KEY_ID), "{err}");

        let (code, _, err) = run_args(&["call", "DescribeRegions", "--signature", "v9"]).await;
        assert_eq!(code, EXIT_USAGE, "{err}");

        let (code, _, err) = run_args(&["call", "DescribeRegions", "--endpoint", "ftp://x"]).await;
        assert_eq!(code, EXIT_USAGE, "{err}");
        for bad in [
            "http://u:p@127.0.0.1:1/",
            "http://:@127.0.0.1:1/",
            "http://@127.0.0.1:1/",
            "http://127.0.0.1:1/?Action=DeleteDBCluster",
            "https://x/#f",
        ] {
            let (code, _, err) = run_args(&["call", "DescribeRegions", "--endpoint", bad]).await;
            assert_eq!(code, EXIT_USAGE, "{bad}: {err}");
        }

        let (code, _, err) =
            run_args(&["call", "DescribeRegions", "--access-key-secret", "s"]).await;
        assert_eq!(code, EXIT_USAGE, "{err}");

        let (code, out, _) = run_args(&["--help"]).await;
        assert_eq!(code, EXIT_OK);
        assert!(out.contains("call"));
    }
}
