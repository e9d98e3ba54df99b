//! `polardb call` / `polardb actions` (the `cli` feature of the client crate) against the
//! emulator over HTTP: output, exit codes, and that the secret never shows.

use std::collections::HashMap;

use polardb::cli::{
    run, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, EXIT_API_ERROR, EXIT_OK, EXIT_USAGE,
};
use serde_json::Value;
use tests::{EMU_KEY_ID, EMU_SECRET};

/// A secret that the emulator does not know, to sign with by mistake.
const WRONG_SECRET: &str = "wrong-secret-must-not-leak-either";

/// Starts an emulator (built-in seed) that knows the test key; returns its base URL.
async fn emulator() -> String {
    let mut keys = HashMap::new();
    keys.insert(EMU_KEY_ID.to_string(), EMU_SECRET.to_string());
    emulator::spawn(emulator::Config {
        access_keys: keys,
        seed: emulator::state::default_seed(),
        ..Default::default()
    })
    .await
    .expect("emulator starts")
}

struct Outcome {
    code: i32,
    out: String,
    err: String,
}

impl Outcome {
    fn json(&self) -> Value {
        serde_json::from_str(&self.out)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.out))
    }
}

/// Runs `polardb ARGS...` in-process with exactly these environment variables.
async fn polardb(args: &[&str], vars: &[(&str, &str)]) -> Outcome {
    let env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let argv = std::iter::once("polardb")
        .chain(args.iter().copied())
        .map(String::from)
        .collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = run(argv, |k| env.get(k).cloned(), &mut out, &mut err).await;
    let outcome = Outcome {
        code,
        out: String::from_utf8(out).expect("stdout is UTF-8"),
        err: String::from_utf8(err).expect("stderr is UTF-8"),
    };
    for secret in [EMU_SECRET, WRONG_SECRET] {
        assert!(
            !outcome.out.contains(secret) && !outcome.err.contains(secret),
            "a secret was printed by `polardb {}`",
            args.join(" ")
        );
    }
    outcome
}

fn good_key() -> [(&'static str, &'static str); 2] {
    [
        (ENV_ACCESS_KEY_ID, EMU_KEY_ID),
        (ENV_ACCESS_KEY_SECRET, EMU_SECRET),
    ]
}

/// How many requests the emulator received in all.
async fn received(base: &str) -> u64 {
    let stats: Value = reqwest::get(format!("{base}_emulator/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["actions"]
        .as_object()
        .map(|a| a.values().filter_map(|v| v["received"].as_u64()).sum())
        .unwrap_or(0)
}

#[tokio::test]
async fn call_describe_regions_with_both_signatures() {
    let base = emulator().await;
    for signature in ["v2", "v3"] {
        let r = polardb(
            &[
                "call",
                "DescribeRegions",
                "--endpoint",
                &base,
                "--signature",
                signature,
            ],
            &good_key(),
        )
        .await;
        assert_eq!(r.code, EXIT_OK, "{signature}: {}", r.err);
        assert!(r.err.is_empty(), "{signature}: {}", r.err);
        let body = r.json();
        let regions = body["Regions"]["Region"]
            .as_array()
            .expect("Regions.Region");
        assert!(!regions.is_empty());
        assert!(regions.iter().any(|x| x["RegionId"] == "cn-hangzhou"));
        assert!(regions[0]["Zones"]["Zone"][0]["ZoneId"].is_string());
        assert!(body["RequestId"].as_str().is_some_and(|s| !s.is_empty()));
        // Pretty-printed, one field per line.
        assert!(r.out.starts_with("{\n"), "{}", r.out);
    }
}

#[tokio::test]
async fn call_describe_db_clusters_with_both_signatures() {
    let base = emulator().await;
    for signature in ["v2", "v3"] {
        let r = polardb(
            &[
                "call",
                "DescribeDBClusters",
                "--region",
                "cn-hangzhou",
                "--endpoint",
                &base,
                "--signature",
                signature,
                "--timeout",
                "20",
            ],
            &good_key(),
        )
        .await;
        assert_eq!(r.code, EXIT_OK, "{signature}: {}", r.err);
        let body = r.json();
        let clusters = body["Items"]["DBCluster"]
            .as_array()
            .expect("Items.DBCluster");
        assert!(!clusters.is_empty());
        for c in clusters {
            assert_eq!(c["RegionId"], "cn-hangzhou");
            assert!(c["DBClusterId"]
                .as_str()
                .is_some_and(|s| s.starts_with("pc-")));
            assert!(c["DBClusterStatus"].is_string());
        }
        assert!(body["TotalRecordCount"].as_u64().unwrap() >= clusters.len() as u64);
        assert!(body["PageNumber"].is_number());
    }
}

#[tokio::test]
async fn params_are_sent() {
    let base = emulator().await;
    let all = polardb(
        &[
            "call",
            "DescribeDBClusters",
            "--region",
            "cn-hangzhou",
            "--endpoint",
            &base,
        ],
        &good_key(),
    )
    .await
    .json();
    let first = all["Items"]["DBCluster"][0]["DBClusterId"]
        .as_str()
        .unwrap()
        .to_string();
    let r = polardb(
        &[
            "call",
            "DescribeDBClusterAttribute",
            "--region",
            "cn-hangzhou",
            "--param",
            &format!("DBClusterId={first}"),
            "--endpoint",
            &base,
            "--signature",
            "v2",
        ],
        &good_key(),
    )
    .await;
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(r.json()["DBClusterId"], first.as_str());

    let r = polardb(
        &[
            "call",
            "DescribeDBClusters",
            "--region",
            "cn-hangzhou",
            "-p",
            &format!("DBClusterIds={first}"),
            "--endpoint",
            &base,
        ],
        &good_key(),
    )
    .await;
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let only = r.json()["Items"]["DBCluster"].as_array().unwrap().clone();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["DBClusterId"], first.as_str());
}

#[tokio::test]
async fn an_api_error_exits_1_with_code_message_status_and_request_id() {
    let base = emulator().await;
    let r = polardb(
        &[
            "call",
            "DescribeDBClusterAttribute",
            "--region",
            "cn-hangzhou",
            "--param",
            "DBClusterId=pc-doesnotexist000",
            "--endpoint",
            &base,
        ],
        &good_key(),
    )
    .await;
    assert_eq!(r.code, EXIT_API_ERROR, "{}", r.err);
    assert!(r.out.is_empty(), "{}", r.out);
    assert!(
        r.err.contains("DescribeDBClusterAttribute failed"),
        "{}",
        r.err
    );
    assert!(r.err.contains("Code:"), "{}", r.err);
    assert!(r.err.contains("Message:"), "{}", r.err);
    assert!(r.err.contains("HTTP:"), "{}", r.err);
    assert!(r.err.contains("RequestId:"), "{}", r.err);
    assert!(r.err.contains("NotFound"), "{}", r.err);
}

#[tokio::test]
async fn an_unknown_access_key_exits_1() {
    let base = emulator().await;
    for signature in ["v2", "v3"] {
        let r = polardb(
            &[
                "call",
                "DescribeRegions",
                "--endpoint",
                &base,
                "--signature",
                signature,
            ],
            &[
                (ENV_ACCESS_KEY_ID, "LTAInobody000000key"),
                (ENV_ACCESS_KEY_SECRET, EMU_SECRET),
            ],
        )
        .await;
        assert_eq!(r.code, EXIT_API_ERROR, "{signature}: {}", r.err);
        assert!(r.out.is_empty());
        assert!(
            r.err.contains("InvalidAccessKeyId.NotFound"),
            "{signature}: {}",
            r.err
        );
        assert!(r.err.contains("The AccessKeyId is unknown"), "{}", r.err);
        assert!(r.err.contains("404"), "{}", r.err);
    }
}

#[tokio::test]
async fn a_wrong_secret_exits_1() {
    let base = emulator().await;
    for signature in ["v2", "v3"] {
        let r = polardb(
            &[
                "call",
                "DescribeDBClusters",
                "--region",
                "cn-hangzhou",
                "--endpoint",
                &base,
                "--signature",
                signature,
            ],
            &[
                (ENV_ACCESS_KEY_ID, EMU_KEY_ID),
                (ENV_ACCESS_KEY_SECRET, WRONG_SECRET),
            ],
        )
        .await;
        assert_eq!(r.code, EXIT_API_ERROR, "{signature}: {}", r.err);
        assert!(r.out.is_empty());
        assert!(
            r.err.contains("SignatureDoesNotMatch"),
            "{signature}: {}",
            r.err
        );
        assert!(r.err.contains("HTTP:      400"), "{}", r.err);
        assert!(r.err.contains("RequestId:"), "{}", r.err);
    }
}

#[tokio::test]
async fn an_unknown_action_exits_2_with_suggestions_and_sends_nothing() {
    let base = emulator().await;
    let r = polardb(
        &[
            "call",
            "DescribeDBClustrs",
            "--region",
            "cn-hangzhou",
            "--endpoint",
            &base,
        ],
        &good_key(),
    )
    .await;
    assert_eq!(r.code, EXIT_USAGE, "{}", r.err);
    assert!(r.out.is_empty());
    assert!(
        r.err.contains("unknown action `DescribeDBClustrs`"),
        "{}",
        r.err
    );
    assert!(
        r.err.contains("did you mean DescribeDBClusters"),
        "{}",
        r.err
    );

    let r = polardb(
        &["call", "describeregions", "--endpoint", &base],
        &good_key(),
    )
    .await;
    assert_eq!(r.code, EXIT_USAGE);
    assert!(r.err.contains("DescribeRegions"), "{}", r.err);
    assert_eq!(received(&base).await, 0, "a usage error reached the API");
}

#[tokio::test]
async fn missing_credentials_exit_2_naming_the_variable() {
    let base = emulator().await;
    let r = polardb(&["call", "DescribeRegions", "--endpoint", &base], &[]).await;
    assert_eq!(r.code, EXIT_USAGE);
    assert!(r.err.contains(ENV_ACCESS_KEY_ID), "{}", r.err);

    let r = polardb(
        &["call", "DescribeRegions", "--endpoint", &base],
        &[(ENV_ACCESS_KEY_ID, EMU_KEY_ID)],
    )
    .await;
    assert_eq!(r.code, EXIT_USAGE);
    assert!(r.err.contains(ENV_ACCESS_KEY_SECRET), "{}", r.err);

    let r = polardb(
        &["call", "DescribeRegions", "--endpoint", &base],
        &[(ENV_ACCESS_KEY_ID, ""), (ENV_ACCESS_KEY_SECRET, EMU_SECRET)],
    )
    .await;
    assert_eq!(r.code, EXIT_USAGE);
    assert!(r.err.contains(ENV_ACCESS_KEY_ID), "{}", r.err);
    assert_eq!(received(&base).await, 0);
}

#[tokio::test]
async fn malformed_params_and_flags_exit_2() {
    let base = emulator().await;
    for bad in [
        vec!["--param", "PageSize"],
        vec!["--param", "=1"],
        vec!["--param", "Signature=abc"],
        vec!["--param", "PageSize=30", "--param", "PageSize=50"],
        vec!["--signature", "v4"],
        vec!["--timeout", "soon"],
        vec!["--endpoint", "not a url"],
        vec!["--region", "cn-hangzhou", "--param", "RegionId=cn-beijing"],
        // Secrets are never accepted as flags.
        vec!["--access-key-secret", EMU_SECRET],
    ] {
        let mut args = vec!["call", "DescribeDBClusters", "--endpoint", &base];
        args.extend(bad.iter().copied());
        let r = polardb(&args, &good_key()).await;
        assert_eq!(r.code, EXIT_USAGE, "{bad:?}: {}", r.err);
        assert!(r.out.is_empty());
        assert!(!r.err.is_empty());
    }
    assert_eq!(received(&base).await, 0);
}

#[tokio::test]
async fn actions_lists_the_catalogue() {
    let r = polardb(&["actions"], &[]).await;
    assert_eq!(r.code, EXIT_OK);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines.len(), polardb::models::ACTIONS.len());
    for a in polardb::models::ACTIONS {
        let line = lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(a.name))
            .unwrap_or_else(|| panic!("{} not listed", a.name));
        let kind = line.split_whitespace().nth(1).unwrap();
        let expected = match a.kind {
            polardb::models::ActionKind::Read => "read",
            polardb::models::ActionKind::Write => "write",
        };
        assert_eq!(kind, expected, "{line}");
    }
}

/// The `polar-console` binary. scripts/test.sh builds it before the tests run; after
/// changing the server, `cargo build -p server` first.
/// Words in backquotes.
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// What the README documents: the settings table's file keys, and every `POLAR_*`
/// variable it names anywhere (the table, the sentences after it, the examples).
fn readme_names() -> (Vec<String>, Vec<String>) {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## Configuration")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a Configuration section");
    let mut keys = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let first_cell = line.split('|').nth(1).unwrap_or_default();
        for word in quoted(first_cell) {
            if !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                keys.push(word.to_string());
            }
        }
    }
    let mut vars: Vec<String> = Vec::new();
    let mut rest = readme.as_str();
    while let Some(i) = rest.find("POLAR_") {
        let name: String = rest[i..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        let name = name.trim_end_matches('_').to_string();
        if name.len() > "POLAR_".len() && !vars.contains(&name) {
            vars.push(name);
        }
        rest = &rest[i + "POLAR_".len()..];
    }
    for var in quoted(section) {
        if var == "DATABASE_URL" && !vars.iter().any(|v| v == var) {
            vars.push(var.to_string());
        }
    }
    (keys, vars)
}

fn check_config(env: &[(String, String)]) -> std::process::Output {
    std::process::Command::new(tests::console_binary())
        .arg("check-config")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("run polar-console")
}

/// The README and the binary agree: every setting and variable the README documents is
/// accepted by `polar-console check-config` (in the file and in the environment), and
/// every setting the binary lists is in the README's table.
#[test]
fn every_documented_setting_is_accepted_and_every_setting_is_documented() {
    let (keys, vars) = readme_names();
    assert!(keys.len() >= 20, "{keys:?}");
    for must in ["POLAR_LOG", "POLAR_NEW_ADMIN_PASSWORD", "POLAR_CONFIG"] {
        assert!(
            vars.iter().any(|v| v == must),
            "{must} not found in {vars:?}"
        );
    }
    // Every file key in a file, every variable in the environment; empty means unset,
    // so only the names are on trial.
    let file = std::env::temp_dir().join(format!("polar-readme-{}.toml", std::process::id()));
    let toml: String = keys.iter().map(|k| format!("{k} = \"\"\n")).collect();
    std::fs::write(&file, toml).unwrap();
    let mut env: Vec<(String, String)> = vars
        .iter()
        .map(|v| (v.clone(), String::new()))
        .filter(|(v, _)| v != "POLAR_CONFIG")
        .collect();
    env.push(("POLAR_CONFIG".into(), file.display().to_string()));
    env.retain(|(k, _)| k != "POLAR_DATABASE_URL" && k != "POLAR_MASTER_KEY");
    env.push((
        "POLAR_DATABASE_URL".into(),
        "postgres://db.invalid/polar".into(),
    ));
    env.push(("POLAR_MASTER_KEY".into(), tests::MASTER_KEY.into()));
    let out = check_config(&env);
    assert!(
        out.status.success(),
        "check-config refused a documented name ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    // An undocumented name is refused, so the run above proves something.
    env.push(("POLAR_NOT_A_SETTING".into(), String::new()));
    let out = check_config(&env);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("POLAR_NOT_A_SETTING"));
    let _ = std::fs::remove_file(&file);

    // The other way round: what the binary knows is in the README.
    let help = std::process::Command::new(tests::console_binary())
        .args(["check-config", "--help"])
        .env_clear()
        .output()
        .expect("run polar-console");
    let help = String::from_utf8_lossy(&help.stdout).to_string();
    let listed = help
        .split("Settings (file key / environment variable):")
        .nth(1)
        .expect("the settings list in --help");
    let (settings, others) = listed
        .split_once("Other variables:")
        .unwrap_or((listed, ""));
    let mut undocumented = Vec::new();
    for line in settings.lines().filter(|l| l.starts_with("  ")) {
        let key = line.split_whitespace().next().unwrap_or_default();
        if !keys.iter().any(|k| k == key) {
            undocumented.push(key.to_string());
        }
    }
    for line in others.lines().filter(|l| l.starts_with("  ")) {
        let name = line.split_whitespace().next().unwrap_or_default();
        if !vars.iter().any(|v| v == name) {
            undocumented.push(name.to_string());
        }
    }
    assert!(
        undocumented.is_empty(),
        "settings the binary accepts but the README's table does not document: {undocumented:?}"
    );
}

/// `check-config` confirms that the roles SSO groups are mapped to exist; a custom one is
/// looked up in the database (eighth attack run, E5: such a mapping refused every sign-in
/// of the group while `check-config` called it valid).
#[tokio::test]
async fn check_config_finds_a_group_mapped_to_a_missing_role() {
    let app = tests::TestApp::spawn().await;
    let env = |pairs: &str| -> Vec<(String, String)> {
        vec![
            (
                "POLAR_DATABASE_URL".into(),
                app.console_database_url.clone(),
            ),
            ("POLAR_MASTER_KEY".into(), tests::MASTER_KEY.into()),
            ("POLAR_PROXY_GROUP_ROLES".into(), pairs.into()),
        ]
    };
    let out = check_config(&env("ghost=nosuchrole,dba=admin"));
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("\"nosuchrole\""), "{said}");
    assert!(said.contains("\"ghost\""), "{said}");
    let out = check_config(&env("dba=admin,sre=operator"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
