//! Values as a person reads them.

use crate::i18n::td_string;

/// Bytes as a person reads them (binary units).
pub fn human_bytes(n: i64) -> String {
    if n < 0 {
        return "—".into();
    }
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i < units.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else if v >= 100.0 || (v - v.round()).abs() < 0.05 {
        format!("{:.0} {}", v, units[i])
    } else {
        format!("{v:.1} {}", units[i])
    }
}

/// Now, in Unix seconds (the browser's clock in the browser).
pub fn now_secs() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        (leptos::web_sys::js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    }
}

/// A count with thousands separated (`32,000`); a negative number is "—" (the API's
/// "no data").
pub fn grouped(n: i64) -> String {
    if n < 0 {
        return "—".into();
    }
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `2026-03-02T02:12:02Z` → `2026-03-02 10:12:02 UTC+08:00` in the user's time zone
/// (`2026-03-02 02:12:02 UTC` in UTC); a time in another form as it is.
pub fn human_time(t: &str) -> String {
    if t.is_empty() {
        return "—".into();
    }
    if let Some(secs) = polardb::rules::api_time(t) {
        return super::time::local_time(secs);
    }
    match t.strip_suffix('Z') {
        Some(s) => format!("{} UTC", s.replace('T', " ")),
        None => t.replace('T', " "),
    }
}

/// A billing method in words, in the language in use.
pub fn pay_type_label(p: &str) -> &str {
    let locale = super::words::locale();
    match p {
        "Prepaid" => td_string!(locale, kit.pay_prepaid),
        "Postpaid" => td_string!(locale, kit.pay_postpaid),
        other => other,
    }
}

/// A node role as a person says it, in the language in use.
pub fn role_label(r: &str) -> &str {
    let locale = super::words::locale();
    match r {
        "Writer" => td_string!(locale, kit.role_writer),
        "Reader" => td_string!(locale, kit.role_reader),
        other => other,
    }
}

/// A node role in a sentence: "primary", "read-only" (in the language in use).
pub fn role_short(r: &str) -> String {
    let locale = super::words::locale();
    match r {
        "Writer" => td_string!(locale, kit.role_writer_short).to_string(),
        "Reader" => td_string!(locale, kit.role_reader_short).to_string(),
        other => other.to_lowercase(),
    }
}

/// The first letter in upper case (for messages that start a sentence).
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod grouped_tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(8000), "8,000");
        assert_eq!(super::grouped(1234567), "1,234,567");
        assert_eq!(super::grouped(-1), "—");
    }
}
