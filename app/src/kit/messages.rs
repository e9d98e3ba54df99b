//! The console's own messages from the crates below the app — the reference's rules
//! (`polardb::rules`, `polardb::request`) and the backend's refusals — in the language in
//! use (#19). Those crates write English and share it with the emulator and the logs; the
//! catalogues `locales/zh/rules.json` (the rules the pages check in the browser too, and
//! the fields' names) and `locales/zh/messages.json` (what only the server writes; the
//! server translates it before it leaves, so the browser does not carry it) key each
//! message by its English template, as gettext keys by the msgid (`"must have at most 256
//! characters (this has {n})"`), and give its Chinese with the same placeholders. A
//! message is translated by finding its
//! template (the most literal one first) and putting the values it carries into the
//! Chinese; a value in a placeholder called `problem…` is a rule's message itself and is
//! translated in turn. This is translation only: nothing decides anything on these words.
//! A message the catalogue lacks is shown as it was written.

use crate::i18n::Locale;

mod table {
    include!(concat!(env!("OUT_DIR"), "/messages.rs"));
}

/// A catalogue: (literal characters, English template, Chinese template), most literal
/// first.
type Table = &'static [(usize, &'static str, &'static str)];

/// The catalogues this half of the console has: the rules everywhere, what the server
/// writes on the server.
fn tables() -> Vec<Table> {
    #[cfg(feature = "ssr")]
    return vec![table::RULES, table::SERVER];
    #[cfg(not(feature = "ssr"))]
    return vec![table::RULES];
}

/// A message of the crates below the app in `locale`.
pub fn message_in(locale: Locale, text: &str) -> String {
    match locale {
        Locale::en => text.to_string(),
        Locale::zh => chinese(text, &tables()).unwrap_or_else(|| text.to_string()),
    }
}

/// [`message_in`] the language in use.
pub fn message(text: &str) -> String {
    message_in(super::words::locale(), text)
}

/// The Chinese of a message, or of each of several joined by `; `, if the catalogues have
/// it.
fn chinese(text: &str, tables: &[Table]) -> Option<String> {
    let one = |t: &str| one(t, tables);
    one(text).or_else(|| {
        let stop = text
            .strip_suffix('.')
            .map(|t| one(t).map(|c| stop_once(&c)));
        stop.flatten().or_else(|| {
            let parts: Vec<&str> = text.split("; ").collect();
            if parts.len() < 2 {
                return None;
            }
            let words: Vec<Option<String>> = parts.iter().map(|p| one(p)).collect();
            words.iter().any(Option::is_some).then(|| {
                words
                    .into_iter()
                    .zip(parts)
                    .map(|(w, p)| w.unwrap_or_else(|| p.to_string()))
                    .collect::<Vec<_>>()
                    .join("；")
            })
        })
    })
}

fn stop_once(s: &str) -> String {
    if s.ends_with('。') {
        s.to_string()
    } else {
        format!("{s}。")
    }
}

/// The Chinese of one message: the most literal template it fits, with its values.
fn one(text: &str, tables: &[Table]) -> Option<String> {
    tables
        .iter()
        .filter_map(|table| {
            table.iter().find_map(|(literal, english, chinese)| {
                let values = fit(&parts(english), text)?;
                Some((*literal, chinese, values))
            })
        })
        .max_by_key(|(literal, _, _)| *literal)
        .map(|(_, chinese, values)| render(chinese, &values, tables))
}

/// A template's pieces: literal text and placeholders.
#[derive(Debug, PartialEq)]
enum Part<'a> {
    Text(&'a str),
    Value(&'a str),
}

fn parts(template: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    let mut text_start = 0;
    let mut i = 0;
    while i < rest.len() {
        let tail = &rest[i..];
        if let Some(name) = placeholder_at(tail) {
            if i > text_start {
                out.push(Part::Text(&rest[text_start..i]));
            }
            out.push(Part::Value(name));
            rest = &tail[name.len() + 2..];
            i = 0;
            text_start = 0;
            continue;
        }
        i += tail.chars().next().map_or(1, char::len_utf8);
    }
    if !rest.is_empty() {
        out.push(Part::Text(rest));
    }
    out
}

/// The name of the `{name}` placeholder `s` starts with.
fn placeholder_at(s: &str) -> Option<&str> {
    let body = s.strip_prefix('{')?;
    let name = &body[..body.find('}')?];
    (!name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
    .then_some(name)
}

/// The values of the placeholders when `text` fits the template's pieces (each value
/// non-empty; the earliest fit).
fn fit<'a, 't>(parts: &[Part<'a>], text: &'t str) -> Option<Vec<(&'a str, &'t str)>> {
    match parts.split_first() {
        None => text.is_empty().then(Vec::new),
        Some((Part::Text(lit), rest)) => fit(rest, text.strip_prefix(lit)?),
        Some((Part::Value(name), rest)) => match rest.first() {
            None => (!text.is_empty()).then(|| vec![(*name, text)]),
            Some(Part::Text(next)) => {
                // Each place the next literal text occurs, leftmost first, leaving the
                // value non-empty.
                text.match_indices(next)
                    .filter(|(at, _)| *at > 0)
                    .find_map(|(at, _)| {
                        let mut values = fit(rest, &text[at..])?;
                        values.insert(0, (*name, &text[..at]));
                        Some(values)
                    })
            }
            // Two placeholders side by side: the build refuses such templates.
            Some(Part::Value(_)) => None,
        },
    }
}

/// The Chinese template with the values put in; a `problem…` value translated too.
fn render(chinese: &str, values: &[(&str, &str)], tables: &[Table]) -> String {
    parts(chinese)
        .into_iter()
        .map(|p| match p {
            Part::Text(t) => t.to_string(),
            Part::Value(name) => {
                let value = values
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or("", |(_, v)| *v);
                if name.starts_with("problem") {
                    one(value, tables).unwrap_or_else(|| value.to_string())
                } else {
                    value.to_string()
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_fits_with_its_values() {
        let p = parts("tag {i}: the key {k} is given twice");
        assert_eq!(
            p,
            vec![
                Part::Text("tag "),
                Part::Value("i"),
                Part::Text(": the key "),
                Part::Value("k"),
                Part::Text(" is given twice"),
            ]
        );
        assert_eq!(
            fit(&p, "tag 2: the key env: prod is given twice"),
            Some(vec![("i", "2"), ("k", "env: prod")])
        );
        assert_eq!(fit(&p, "tag 2: the key  is given twice"), None);
        assert_eq!(
            fit(&parts("{a} is required"), "Port is required"),
            Some(vec![("a", "Port")])
        );
        assert_eq!(fit(&parts("must be 1 to 5"), "must be 1 to 50"), None);
        // Braces that are no placeholder are text.
        assert_eq!(parts("{A} x"), vec![Part::Text("{A} x")]);
    }

    #[test]
    fn every_template_in_the_catalogue_is_well_formed() {
        for (_, english, chinese) in table::RULES.iter().chain(table::SERVER) {
            let names = |t: &str| {
                let mut n: Vec<String> = parts(t)
                    .into_iter()
                    .filter_map(|p| match p {
                        Part::Value(n) => Some(n.to_string()),
                        Part::Text(_) => None,
                    })
                    .collect();
                n.sort();
                n
            };
            assert_eq!(names(english), names(chinese), "{english}");
            // The template fits its own text.
            assert!(fit(&parts(english), english).is_some(), "{english}");
        }
    }

    #[test]
    fn english_stays_as_written_and_unknown_words_stay_too() {
        let m = "must have at least 2 characters";
        assert_eq!(message_in(Locale::en, m), m);
        assert_eq!(message_in(Locale::zh, "something new"), "something new");
    }

    /// The messages of the reference's rules, as the pages and the server functions meet
    /// them: each in Chinese, no English sentence left (only the values it names and the
    /// API's own words).
    #[test]
    fn the_rules_of_the_reference_speak_chinese() {
        use polardb::request::Request;
        use polardb::rules as r;
        let tags = |t: &[(&str, &str)]| -> Vec<(String, String)> {
            t.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let long = "x".repeat(300);
        let now = 1_780_000_000;
        let mut said: Vec<String> = Vec::new();
        let mut on_server: Vec<String> = Vec::new();
        let mut add = |m: Option<String>| said.extend(m);
        for d in ["a", long.as_str(), "http://x.example", "1abc"] {
            add(r::description_problem(d));
        }
        add(r::vpc_id_problem("vpc-1"));
        add(r::vswitch_id_problem("vpc-bp1abcdefgh", ""));
        add(r::vswitch_id_problem("", "vsw-1"));
        add(r::vswitch_id_problem("", "vsw-bp1abcdefgh"));
        for k in ["", long.as_str(), "aliyun-x", "acs:x", "see http://x"] {
            add(r::tag_key_problem(k));
            add(r::tag_value_problem(k));
        }
        add(r::tag_set_problem(&[]));
        add(r::tag_set_problem(&tags(&[("env", "1"), ("aliyunx", "2")])));
        add(r::tag_set_problem(&tags(&[("env", "1"), ("env", "2")])));
        add(r::tag_set_problem(&vec![
            ("k".to_string(), "v".to_string());
            21
        ]));
        add(r::untag_keys_problem(&[]));
        add(r::untag_keys_problem(&vec!["k".to_string(); 21]));
        add(r::capacity_problem(
            &[("pc-1".into(), (0..20).map(|i| format!("k{i}")).collect())],
            &tags(&[("new", "1")]),
        ));
        add(r::time_problem("yesterday"));
        add(r::range_problem("2026-03-02T10:00Z", "2026-03-01T10:00Z"));
        for (s, e) in [
            ("", "2026-03-02T10:00Z"),
            ("soon", ""),
            ("2020-01-01T00:00Z", ""),
            (&r::api_minute(now + 600)[..], &r::api_minute(now + 900)[..]),
        ] {
            add(r::planned_window_problem(s, e, now).map(|(_, p)| p));
        }
        for (s, d, u) in [
            ("Sometimes", "1", "Month"),
            ("AutoRenewal", "one", "Month"),
            ("AutoRenewal", "5", "Month"),
            ("AutoRenewal", "5", "Year"),
            ("AutoRenewal", "1", "Week"),
        ] {
            add(r::renewal_problem(s, d, u));
        }
        for ip in [
            "1234567890123456789",
            "10.1.2",
            "10.1.2.x",
            "10.01.2.3",
            "10.1.2.300",
            "10.1.2.3/40",
            "10.1.2.3/0",
            "10.1.2.3/8",
        ] {
            add(r::ip_entry(ip).err());
        }
        for p in r::ip_list("10.1.2.3 10.1.2.3 1.2.3 1.2.3.999 1.1.1.1/40 xx yy zz").unwrap_err() {
            add(Some(p));
        }
        add(r::clone_point("yesterday").err());
        let backup = r::ClonePoint::Backup("123".into());
        add(r::clone_point_problem(&backup, &[], None, now));
        add(r::clone_point_problem(
            &r::ClonePoint::Time(now + 60),
            &[],
            None,
            now,
        ));
        add(r::clone_point_problem(
            &r::ClonePoint::Time(now - 60),
            &[],
            None,
            now,
        ));
        add(r::clone_point_problem(
            &r::ClonePoint::Time(now - 60),
            &[],
            Some((now - 7200, now - 3600)),
            now,
        ));
        for name in ["a", "Abc", "1abc", "ab_", "root", "ab-c"] {
            add(r::account_name_problem(name));
        }
        for pw in [
            "short",
            "with space 123A",
            "pässwort123A",
            "alllowercase",
            "Aa1!x".repeat(8).as_str(),
        ] {
            add(r::password_problem(pw));
        }
        for name in ["", long.as_str(), "A", "1a", "a_", "postgres", "a.b"] {
            add(r::db_name_problem(name));
        }
        let p = |k: &str, v: &str| (k.to_string(), v.to_string());
        for (action, region, params) in [
            ("NoSuchAction", "cn-hangzhou", vec![]),
            ("DescribeDBClusterAttribute", "", vec![]),
            ("DescribeDBClusterAttribute", "CN HZ", vec![]),
            (
                "DescribeDBClusterAttribute",
                "cn-hangzhou",
                vec![p("DBClusterId", "pc-1"), p("DBClusterId", "pc-2")],
            ),
            (
                "DescribeDBClusterAttribute",
                "cn-hangzhou",
                vec![p("Signature", "x")],
            ),
            (
                "DescribeDBClusterAttribute",
                "cn-hangzhou",
                vec![p("DBClusterId", "pc 1")],
            ),
            (
                "DescribeDBClusterAttribute",
                "cn-hangzhou",
                vec![p("Nope", "1")],
            ),
            (
                "DescribeDBClusterAttribute",
                "cn-hangzhou",
                vec![p("RegionId", "cn-beijing")],
            ),
            ("TagResources", "cn-hangzhou", vec![p("Tag.30.Key", "k")]),
            (
                "ModifyDBClusterDescription",
                "cn-hangzhou",
                vec![p("DBClusterId", "pc-1"), p("DBClusterDescription", &long)],
            ),
            (
                "DescribeDBClusterAttribute",
                "cn-hangzhou",
                vec![p("DBClusterId", "pc-\u{1}")],
            ),
        ] {
            // Checked on the server only (the gateway's canonical request).
            if let Some(e) = Request::parse(action, region, &params).err() {
                on_server.push(e.message);
            }
        }
        assert!(said.len() > 50, "only {} messages", said.len());
        assert!(on_server.len() > 8, "only {} messages", on_server.len());
        let english = [
            " the ",
            " must ",
            " is ",
            " not ",
            " at most ",
            " has ",
            " a ",
            " or ",
        ];
        // The rules with the browser's catalogue alone (the pages check them as one types),
        // the request's with the server's.
        let browser: &[Table] = &[table::RULES];
        let server: &[Table] = &[table::RULES, table::SERVER];
        let untranslated: Vec<String> = said
            .iter()
            .map(|m| (m, browser))
            .chain(on_server.iter().map(|m| (m, server)))
            .filter_map(|(m, tables)| {
                let zh = chinese(m, tables).unwrap_or_else(|| m.clone());
                let chinese = zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
                let padded = format!(" {zh} ");
                (!chinese || english.iter().any(|w| padded.contains(*w)))
                    .then(|| format!("{m:?} → {zh:?}"))
            })
            .collect();
        assert!(untranslated.is_empty(), "{untranslated:#?}");
    }

    /// A refusal written with a fixed message in the crates below the app
    /// (`BackendError::invalid(field, "…")`, `RequestError::new(field, "…")`, `invalid(…)`,
    /// `Forbidden("…")`…) has its Chinese in the catalogue: a new one without it fails
    /// here. (Messages made with `format!` are covered by the rules' test above and by the
    /// catalogue's templates; the operator's audit commands are English only.)
    #[test]
    fn every_fixed_message_of_the_crates_below_has_its_chinese() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut files = Vec::new();
        let mut dirs = vec![
            std::path::PathBuf::from(format!("{root}/backend/src")),
            std::path::PathBuf::from(format!("{root}/polardb/src")),
        ];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("a source folder") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("audit.rs")
                {
                    files.push(path);
                }
            }
        }
        let known: std::collections::HashSet<&str> = table::RULES
            .iter()
            .chain(table::SERVER)
            .map(|(_, english, _)| *english)
            .collect();
        let mut missing = Vec::new();
        let mut checked = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).expect("a source file");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for message in fixed_messages(code) {
                checked += 1;
                if !known.contains(message.as_str()) {
                    missing.push(format!("{}: {message:?}", path.display()));
                }
            }
        }
        assert!(
            checked > 50,
            "only {checked} messages found: the scan is broken"
        );
        assert!(missing.is_empty(), "no Chinese for {missing:#?}");
    }

    /// The literal messages of refusals in Rust source: the second argument of
    /// `invalid(`/`RequestError::new(` when it is a string literal, and the literal of
    /// `Forbidden(`/`Conflict(`/`SignInFailed(`/`Unavailable(` followed by `.into()`.
    fn fixed_messages(code: &str) -> Vec<String> {
        let mut out = Vec::new();
        let literal = |s: &str| -> Option<(String, usize)> {
            let body = s.strip_prefix('"')?;
            let mut text = String::new();
            let mut chars = body.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => return Some((text, i + 2)),
                    '\\' => match chars.next()?.1 {
                        'n' => text.push('\n'),
                        other => text.push(other),
                    },
                    c => text.push(c),
                }
            }
            None
        };
        for opener in ["invalid(", "RequestError::new("] {
            for (at, _) in code.match_indices(opener) {
                let rest = code[at + opener.len()..].trim_start();
                let Some((_, used)) = literal(rest) else {
                    continue;
                };
                let after = rest[used..].trim_start();
                let Some(after) = after.strip_prefix(',') else {
                    continue;
                };
                let after = after.trim_start();
                if let Some((message, used)) = literal(after) {
                    let tail = after[used..].trim_start();
                    if tail.starts_with(')') || tail.starts_with(',') {
                        out.push(message);
                    }
                }
            }
        }
        for opener in ["Forbidden(", "Conflict(", "SignInFailed(", "Unavailable("] {
            for (at, _) in code.match_indices(opener) {
                let rest = code[at + opener.len()..].trim_start();
                if let Some((message, used)) = literal(rest) {
                    if rest[used..].trim_start().starts_with(".into()") {
                        out.push(message);
                    }
                }
            }
        }
        out
    }
}
