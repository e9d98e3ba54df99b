//! The container and deploy files (Dockerfile, deploy/): no Docker engine runs here, so
//! they are parsed and checked against the console's own configuration — every POLAR_*
//! setting they pass is one the console knows and accepts, the identity headers the proxy
//! sets are the ones the console reads (and the proxy sets them, so a browser cannot),
//! the console trusts exactly the proxy's address, and the image runs as a non-root user.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use server::config::{Config, Sources, SETTINGS};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Every `POLAR_…` word in `text`.
fn polar_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = text[i..].find("POLAR_") {
        let start = i + pos;
        let mut end = start + 6;
        while end < bytes.len()
            && (bytes[end].is_ascii_uppercase()
                || bytes[end].is_ascii_digit()
                || bytes[end] == b'_')
        {
            end += 1;
        }
        // `POLAR_*` (the family) is not a name.
        if end > start + 6 {
            out.push(text[start..end].to_string());
        }
        i = end;
    }
    out
}

fn known(name: &str) -> bool {
    name == "POLAR_CONFIG"
        || name == "POLAR_LOG"
        || name == "POLAR_NEW_ADMIN_PASSWORD"
        || SETTINGS
            .iter()
            .any(|(k, _)| server::config::env_name(k) == name)
}

/// `${VAR}` placeholders replaced by values the console accepts.
fn fill(v: &str) -> String {
    let mut s = v.to_string();
    while let Some(a) = s.find("${") {
        let b = s[a..].find('}').map(|b| a + b).expect("closed placeholder");
        let var = &s[a + 2..b];
        let value = if var == "POLAR_MASTER_KEY" {
            KEY
        } else {
            "placeholder"
        };
        s.replace_range(a..=b, value);
    }
    s
}

fn build(env: &BTreeMap<String, String>) -> Config {
    Sources::load(None, env.iter().map(|(k, v)| (k.clone(), fill(v))))
        .and_then(|s| s.build())
        .unwrap_or_else(|e| panic!("the console refuses these settings: {e}\n{env:#?}"))
}

/// The console services of a compose file: name → environment.
fn console_services(compose: &serde_yaml::Value) -> BTreeMap<String, BTreeMap<String, String>> {
    polar_services(compose, false)
}

/// The services that run `polar-console migrate` (as the owner): name → environment.
fn migrate_services(compose: &serde_yaml::Value) -> BTreeMap<String, BTreeMap<String, String>> {
    polar_services(compose, true)
}

fn is_migrate(svc: &serde_yaml::Value) -> bool {
    svc["command"]
        .as_sequence()
        .and_then(|c| c.first())
        .and_then(|c| c.as_str())
        == Some("migrate")
}

fn polar_services(
    compose: &serde_yaml::Value,
    migrate: bool,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (name, svc) in compose["services"].as_mapping().expect("services") {
        let image = svc["image"].as_str().unwrap_or("");
        if !image.starts_with("polar-console") || is_migrate(svc) != migrate {
            continue;
        }
        let env = svc["environment"]
            .as_mapping()
            .expect("a console service has an environment map")
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    serde_yaml::Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other).unwrap().trim().to_string(),
                };
                (k.as_str().unwrap().to_string(), v)
            })
            .collect();
        out.insert(name.as_str().unwrap().to_string(), env);
    }
    out
}

/// The address nginx has on the compose network.
fn nginx_address(compose: &serde_yaml::Value) -> std::net::IpAddr {
    let nets = compose["services"]["nginx"]["networks"]
        .as_mapping()
        .expect("nginx networks");
    let (_, net) = nets.iter().next().expect("one network");
    net["ipv4_address"]
        .as_str()
        .expect("nginx has a fixed address")
        .parse()
        .unwrap()
}

/// `(header, value)` of every `proxy_set_header` in the nginx block that proxies to the
/// console (the `location /` block), and the whole text.
fn console_location_headers(nginx: &str) -> Vec<(String, String)> {
    let start = nginx.find("location / {").expect("a `location /` block");
    let block = &nginx[start..];
    let end = block.find("\n    }").expect("end of the block");
    block[..end]
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("proxy_set_header "))
        .map(|l| {
            let mut parts = l.trim_end_matches(';').split_whitespace();
            (
                parts.next().unwrap().to_ascii_lowercase(),
                parts.next().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn check_proxy_setup(dir: &str) {
    let compose: serde_yaml::Value =
        serde_yaml::from_str(&read(&format!("deploy/{dir}/compose.yaml"))).expect("valid YAML");
    let nginx = read(&format!("deploy/{dir}/nginx.conf"));
    let consoles = console_services(&compose);
    assert!(!consoles.is_empty(), "{dir}: no console service");
    let proxy_ip = nginx_address(&compose);
    let set = console_location_headers(&nginx);
    check_database_roles(dir, &compose);
    for (name, env) in &consoles {
        for k in env.keys() {
            assert!(known(k), "{dir}/{name}: {k} is not a console setting");
        }
        let config = build(env);
        // Exactly the proxy is trusted: not its neighbours.
        assert!(
            config.proxy.is_trusted(proxy_ip),
            "{dir}/{name}: nginx ({proxy_ip}) is not trusted"
        );
        let neighbour = match proxy_ip {
            std::net::IpAddr::V4(v4) => std::net::IpAddr::V4((u32::from(v4) + 1).into()),
            v6 => v6,
        };
        assert!(
            !config.proxy.is_trusted(neighbour),
            "{dir}/{name}: trusts more than nginx"
        );
        // Every header the console reads an identity from is set by nginx, so nothing a
        // browser sends under that name reaches the console; and nginx sets no identity
        // header the console would ignore.
        for h in config
            .proxy
            .user_headers
            .iter()
            .chain(&config.proxy.email_headers)
            .chain(&config.proxy.groups_headers)
        {
            assert!(
                set.iter().any(|(n, v)| n == h && v.starts_with('$')),
                "{dir}/{name}: the console reads {h} but nginx does not set it from the auth answer"
            );
        }
        for (n, _) in &set {
            let identity = n.contains("user") || n.contains("email") || n.contains("groups");
            if identity {
                assert!(
                    config.proxy.user_headers.contains(n)
                        || config.proxy.email_headers.contains(n)
                        || config.proxy.groups_headers.contains(n),
                    "{dir}/{name}: nginx sets {n}, which the console does not read"
                );
            }
        }
        // nginx reaches the console where it listens.
        let port = config.listen.port();
        assert!(
            nginx.contains(&format!("{name}:{port}")),
            "{dir}: nginx does not proxy to {name}:{port}"
        );
        assert!(
            config.cookie_secure,
            "{dir}/{name}: the cookie must be Secure behind TLS"
        );
    }
    assert!(
        nginx.contains("location = /metrics {\n        deny all;"),
        "{dir}: nginx must not publish /metrics"
    );
    assert!(
        nginx.contains("auth_request "),
        "{dir}: nginx asks the SSO service"
    );
}

/// `(owner's role, console's role)` of a configuration.
fn roles(config: &Config) -> (Option<String>, String) {
    (
        config
            .database_owner_url
            .as_ref()
            .map(|u| backend::db::role_of(u).unwrap()),
        backend::db::role_of(&config.database_url).unwrap(),
    )
}

/// The consoles serve as a role that owns nothing and never see the owner's URL; one
/// service migrates as the owner, and the consoles start only after it succeeded.
fn check_database_roles(dir: &str, compose: &serde_yaml::Value) {
    let consoles = console_services(compose);
    let migrates = migrate_services(compose);
    assert_eq!(migrates.len(), 1, "{dir}: one migrate service");
    let (mname, menv) = migrates.iter().next().unwrap();
    let mconfig = build(menv);
    let (owner, migrated_for) = roles(&mconfig);
    let owner = owner.unwrap_or_else(|| panic!("{dir}/{mname}: no POLAR_DATABASE_OWNER_URL"));
    assert_ne!(
        owner, migrated_for,
        "{dir}: the owner and the console are one role"
    );
    for (name, env) in &consoles {
        let config = build(env);
        assert!(
            config.database_owner_url.is_none(),
            "{dir}/{name}: a serving console has the owner's URL"
        );
        assert_eq!(
            roles(&config).1,
            migrated_for,
            "{dir}/{name}: serves as another role than {mname} granted"
        );
        let svc = &compose["services"][name.as_str()];
        assert_eq!(
            svc["depends_on"][mname.as_str()]["condition"].as_str(),
            Some("service_completed_successfully"),
            "{dir}/{name}: must start after {mname} succeeded"
        );
    }
    // The database belongs to the owner, who is also the one the init script runs as.
    let pg = &compose["services"]["postgres"]["environment"];
    assert_eq!(pg["POSTGRES_USER"].as_str(), Some(owner.as_str()), "{dir}");
}

#[test]
fn oauth2_proxy_and_nginx_agree_with_the_console() {
    check_proxy_setup("oauth2-proxy");
    // Two processes behind the load balancer, as the scale-out test runs them.
    let compose: serde_yaml::Value =
        serde_yaml::from_str(&read("deploy/oauth2-proxy/compose.yaml")).unwrap();
    assert_eq!(console_services(&compose).len(), 2);
    let nginx = read("deploy/oauth2-proxy/nginx.conf");
    assert!(nginx.contains("server console-a:8080") && nginx.contains("server console-b:8080"));
}

#[test]
fn authelia_and_nginx_agree_with_the_console() {
    check_proxy_setup("authelia");
    let authelia: serde_yaml::Value =
        serde_yaml::from_str(&read("deploy/authelia/configuration.yml")).expect("valid YAML");
    assert_eq!(
        authelia["access_control"]["default_policy"].as_str(),
        Some("deny")
    );
    let nginx = read("deploy/authelia/nginx.conf");
    assert!(nginx.contains("/api/authz/auth-request"));
}

#[test]
fn the_dockerfile_builds_in_stages_and_runs_as_a_non_root_user() {
    let text = read("Dockerfile");
    let stages: Vec<&str> = text.split("\nFROM ").skip(1).collect();
    assert!(stages.len() >= 2, "a multi-stage build");
    let last = stages.last().unwrap();
    let user = last
        .lines()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("the final stage sets USER");
    let uid = user.split(':').next().unwrap().trim();
    assert!(uid != "root" && uid != "0", "runs as {uid}");
    assert!(last.contains("COPY --from=build /out/polar-console /app/polar-console"));
    assert!(last.contains("COPY --from=build /out/site /app/site"));
    assert!(last.contains("ENTRYPOINT [\"/app/polar-console\"]"));
    // The ENV block is valid console configuration (with the secrets given at run time).
    let env_block: String = last
        .split("ENV ")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("EXPOSE"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut env: BTreeMap<String, String> = env_block
        .split_whitespace()
        .filter(|w| *w != "\\")
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert!(env.contains_key("POLAR_SITE_ROOT"));
    env.insert("POLAR_DATABASE_URL".into(), "postgres://u@db/polar".into());
    env.insert("POLAR_MASTER_KEY".into(), KEY.into());
    let config = build(&env);
    assert_eq!(config.site_root, Path::new("/app/site"));
    let exposed: u16 = last
        .lines()
        .find_map(|l| l.strip_prefix("EXPOSE "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(exposed, config.listen.port(), "EXPOSE matches POLAR_LISTEN");
    assert!(
        read(".dockerignore").contains("target/"),
        "the build context leaves target/ out"
    );
}

#[test]
fn the_systemd_unit_passes_valid_settings() {
    let unit = read("deploy/systemd/polar-console.service");
    let service = unit
        .split("[Service]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    assert!(service.contains("ExecStart=/opt/polar-console/polar-console serve"));
    assert!(
        service.contains("DynamicUser=yes")
            || service
                .lines()
                .any(|l| l.starts_with("User=") && l != "User=root")
    );
    assert!(service.contains("KillSignal=SIGTERM"));
    // Environment= lines plus the example EnvironmentFile make a valid configuration,
    // with the master key read from the credential file.
    let dir = tempdir();
    let key_file = dir.join("master_key");
    std::fs::write(&key_file, KEY).unwrap();
    let mut env = BTreeMap::new();
    for line in service
        .lines()
        .filter_map(|l| l.strip_prefix("Environment="))
    {
        let (k, v) = line.split_once('=').unwrap();
        env.insert(k.to_string(), v.replace("%d", dir.to_str().unwrap()));
    }
    for line in read("deploy/systemd/polar-console.env.example").lines() {
        if let Some((k, v)) = line.split_once('=').filter(|_| !line.starts_with('#')) {
            env.insert(k.to_string(), v.to_string());
        }
    }
    for k in env.keys() {
        assert!(known(k), "systemd: {k} is not a console setting");
    }
    let config = build(&env);
    assert!(config.proxy.is_trusted("127.0.0.1".parse().unwrap()));
    assert!(
        config.database_owner_url.is_none(),
        "systemd: the serving console has the owner's URL"
    );
    // Migrations run before, as the owner, in their own unit.
    assert!(
        !service.contains(" migrate"),
        "systemd: serve does not migrate"
    );
    assert!(unit.contains("Requires=polar-console-migrate.service"));
    let migrate = read("deploy/systemd/polar-console-migrate.service");
    assert!(migrate.contains("ExecStart=/opt/polar-console/polar-console migrate"));
    assert!(migrate.contains("Type=oneshot"));
    let mut menv = BTreeMap::new();
    for line in migrate
        .lines()
        .filter_map(|l| l.strip_prefix("Environment="))
    {
        let (k, v) = line.split_once('=').unwrap();
        menv.insert(k.to_string(), v.replace("%d", dir.to_str().unwrap()));
    }
    for file in [
        "deploy/systemd/polar-console.env.example",
        "deploy/systemd/polar-console-migrate.env.example",
    ] {
        for line in read(file).lines() {
            if let Some((k, v)) = line.split_once('=').filter(|_| !line.starts_with('#')) {
                menv.insert(k.to_string(), v.to_string());
            }
        }
    }
    let mconfig = build(&menv);
    let (owner, app) = roles(&mconfig);
    assert_ne!(owner.expect("the owner's URL"), app);
    assert_eq!(app, roles(&config).1);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_setting_named_in_the_deploy_files_and_readme_exists() {
    let mut files = vec![root().join("Dockerfile"), root().join("README.md")];
    let mut stack = vec![root().join("deploy")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p)
            } else {
                files.push(p)
            }
        }
    }
    let mut checked = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for name in polar_names(&text) {
            assert!(
                known(&name),
                "{}: {name} is not a console setting",
                f.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked > 20,
        "only {checked} settings found: is the scan broken?"
    );
}

fn tempdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("polar-deploy-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
