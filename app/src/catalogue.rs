//! The translation catalogues (`locales/<language>/<area>.json`, #19), checked beyond what
//! the build checks (the same keys in every language): no string is left empty, and no
//! Chinese string is an untranslated copy of the English one, but for the names that stay
//! as they are (the product's, and per area those listed in `locales/same/<area>.txt`,
//! one string a line: technical names such as `VPC` or `SSL` that Chinese writes alike).

use std::collections::BTreeMap;
use std::path::Path;

/// Strings the same in every language.
const SAME_EVERYWHERE: &[&str] = &["Polar Console"];

fn catalogue(language: &str, area: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(language)
        .join(format!("{area}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The strings of `area` written alike in every language (`locales/same/<area>.txt`).
fn same_in(area: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join("same")
        .join(format!("{area}.txt"));
    std::fs::read_to_string(path)
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn areas() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join("en");
    let mut areas: Vec<String> = std::fs::read_dir(dir)
        .expect("locales/en is readable")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    areas.sort();
    areas
}

#[test]
fn every_language_has_every_key_translated() {
    let areas = areas();
    assert!(!areas.is_empty());
    for area in &areas {
        let en = catalogue("en", area);
        let zh = catalogue("zh", area);
        let same = same_in(area);
        assert_eq!(
            en.keys().collect::<Vec<_>>(),
            zh.keys().collect::<Vec<_>>(),
            "{area}: the same keys"
        );
        for (key, english) in &en {
            let chinese = &zh[key];
            assert!(!english.trim().is_empty(), "{area}.{key}: empty in English");
            assert!(!chinese.trim().is_empty(), "{area}.{key}: empty in Chinese");
            if !SAME_EVERYWHERE.contains(&english.as_str()) && !same.contains(english) {
                assert_ne!(english, chinese, "{area}.{key}: not translated");
            }
        }
    }
}
