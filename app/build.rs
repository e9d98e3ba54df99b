//! Compiles the translations (`locales/<language>/<namespace>.json`, #19) into the `i18n`
//! module with leptos_i18n's parser and code generator. Every language must have exactly
//! the keys of English: a key missing in one, or one English lacks, fails the build, and
//! so does a `t!` of a key English lacks (the generated module has no such key).

use std::error::Error;
use std::path::PathBuf;

use leptos_i18n_parser::parse_locales::options::Config;
use leptos_i18n_parser::parse_locales::parse_locales;

/// The console's languages, English first (the default when nothing else decides).
const LANGUAGES: &[&str] = &["en", "zh"];

/// One catalogue a language per area of the console.
const NAMESPACES: &[&str] = &[
    "shell",
    "kit",
    "fleet",
    "fleet_ops",
    "cluster",
    "cluster_nodes",
    "cluster_access",
    "cluster_data",
    "changes",
    "admin",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=locales");
    let mut cfg = Config::new(LANGUAGES[0])?;
    for language in &LANGUAGES[1..] {
        cfg = cfg.add_locale(language)?;
    }
    let cfg = cfg.add_namespaces(NAMESPACES)?;
    let parsed = parse_locales(None, cfg)?;
    if let Some(files) = &parsed.tracked_files {
        for file in files {
            println!("cargo::rerun-if-changed={file}");
        }
    }
    let problems: Vec<String> = parsed
        .diag
        .errors()
        .iter()
        .map(|e| e.to_string())
        .chain(parsed.diag.warnings().iter().map(|w| w.to_string()))
        .collect();
    if !problems.is_empty() {
        for p in &problems {
            println!("cargo::error={p}");
        }
        return Err(format!(
            "the translations disagree ({} problems): every language has exactly English's keys",
            problems.len()
        )
        .into());
    }
    let code = leptos_i18n_codegen::gen_code(&parsed, None, false, None, false)?;
    let dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("mod.rs"), code.to_string())?;
    Ok(())
}
