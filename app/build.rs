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
    let mut cfg = cfg.add_namespaces(NAMESPACES)?;
    // `t_string!` with values (`{{ name }}`) as well as `t!`.
    cfg.options = cfg.options.interpolate_display(true);
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
    code_table("api_errors", &dir_out()?)?;
    code_table("api_words", &dir_out()?)?;
    message_table(&dir_out()?)?;
    let code = leptos_i18n_codegen::gen_code(&parsed, None, false, None, false)?;
    let dir = dir_out()?.join("i18n");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("mod.rs"), code.to_string())?;
    Ok(())
}

fn dir_out() -> Result<PathBuf, Box<dyn Error>> {
    Ok(PathBuf::from(
        std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?,
    ))
}

/// A catalogue keyed by the API's codes, which are no identifiers (`api_errors`: the
/// explanations of the error codes of the reference's client error table, 19.1;
/// `api_words`: enumerations as words), compiled here into `<name>.rs` with
/// `lookup(language, code)`. Every language must have exactly English's codes.
fn code_table(name: &str, out: &std::path::Path) -> Result<(), Box<dyn Error>> {
    use std::collections::BTreeMap;
    let mut arms = String::new();
    let mut english: Option<Vec<String>> = None;
    for language in LANGUAGES {
        let path = format!("locales/{language}/{name}.json");
        println!("cargo::rerun-if-changed={path}");
        let text = std::fs::read_to_string(&path)?;
        let table: BTreeMap<String, String> =
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        let codes: Vec<String> = table.keys().cloned().collect();
        match &english {
            None => english = Some(codes),
            Some(en) if *en != codes => {
                let missing: Vec<&String> = en.iter().filter(|c| !table.contains_key(*c)).collect();
                let extra: Vec<&String> = codes.iter().filter(|c| !en.contains(c)).collect();
                return Err(format!(
                    "{path}: explains other codes than English (missing {missing:?}, not in English {extra:?})"
                )
                .into());
            }
            Some(_) => {}
        }
        for (code, words) in &table {
            if words.trim().is_empty() {
                return Err(format!("{path}: {code} is empty").into());
            }
            arms.push_str(&format!(
                "        ({language:?}, {code:?}) => Some({words:?}),\n"
            ));
        }
    }
    let code = format!(
        "/// The words for an API code in a language (`en`, `zh`), if the catalogue has them.\n\
         pub fn lookup(language: &str, code: &str) -> Option<&'static str> {{\n    match (language, code) {{\n{arms}        _ => None,\n    }}\n}}\n"
    );
    std::fs::write(out.join(format!("{name}.rs")), code)?;
    Ok(())
}

/// The console's own messages that the crates below the app write in English (the rules of
/// the reference in `polardb::rules` and `polardb::request`, the backend's refusals), in
/// Chinese: keyed each by its English template (gettext's msgid: the English text with
/// `{name}` where a value goes), with the same placeholders. Two catalogues:
/// `locales/zh/rules.json`, the rules the pages check in the browser too (and the fields'
/// names), compiled into both halves; `locales/zh/messages.json`, what only the server
/// writes, compiled into the server only (it translates those before they leave). Both go
/// into `messages.rs`, most specific template first (the most literal text). A template in
/// both, one whose placeholders differ between the languages, or one with two placeholders
/// side by side (nothing to tell them apart) fails the build.
fn message_table(out: &std::path::Path) -> Result<(), Box<dyn Error>> {
    use std::collections::BTreeMap;
    let mut code = String::new();
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (path, table_name, only_server) in [
        ("locales/zh/rules.json", "RULES", false),
        ("locales/zh/messages.json", "SERVER", true),
    ] {
        println!("cargo::rerun-if-changed={path}");
        let text = std::fs::read_to_string(path)?;
        let table: BTreeMap<String, String> =
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        let mut rows: Vec<(usize, &String, &String)> = Vec::new();
        for (english, chinese) in &table {
            if let Some(other) = seen.insert(english.clone(), path) {
                return Err(format!("{path}: {english:?} is in {other} already").into());
            }
            let (en_names, en_literal, side_by_side) = placeholders(english);
            let (zh_names, _, _) = placeholders(chinese);
            let (mut a, mut b) = (en_names.clone(), zh_names.clone());
            a.sort();
            b.sort();
            if a != b {
                return Err(format!(
                    "{path}: {english:?} has the placeholders {en_names:?} but its Chinese {zh_names:?}"
                )
                .into());
            }
            if side_by_side {
                return Err(
                    format!("{path}: {english:?} has two placeholders side by side").into(),
                );
            }
            if chinese.trim().is_empty() || en_literal == 0 {
                return Err(format!("{path}: {english:?} has no words to match or to show").into());
            }
            rows.push((en_literal, english, chinese));
        }
        rows.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)));
        code.push_str(&format!(
            "/// {path}: (literal characters, English template, Chinese template), most literal first.\n"
        ));
        if only_server {
            code.push_str("#[cfg(feature = \"ssr\")]\n");
        }
        code.push_str(&format!(
            "pub const {table_name}: &[(usize, &str, &str)] = &[\n"
        ));
        for (literal, english, chinese) in rows {
            code.push_str(&format!("    ({literal}, {english:?}, {chinese:?}),\n"));
        }
        code.push_str("];\n");
    }
    std::fs::write(out.join("messages.rs"), code)?;
    Ok(())
}

/// The `{name}` placeholders of a template, how many characters are not placeholders, and
/// whether two placeholders stand side by side.
fn placeholders(template: &str) -> (Vec<String>, usize, bool) {
    let (mut names, mut literal, mut side_by_side) = (Vec::new(), 0, false);
    let mut rest = template;
    let mut last_was_placeholder = false;
    while !rest.is_empty() {
        if let Some(body) = rest.strip_prefix('{') {
            if let Some(end) = body.find('}') {
                let name = &body[..end];
                if !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    side_by_side |= last_was_placeholder;
                    names.push(name.to_string());
                    rest = &body[end + 1..];
                    last_was_placeholder = true;
                    continue;
                }
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        literal += 1;
        rest = &rest[c.len_utf8()..];
        last_was_placeholder = false;
    }
    (names, literal, side_by_side)
}
