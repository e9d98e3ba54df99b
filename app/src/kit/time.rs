//! Times on the wall clock of the user's time zone (#19): the zone they chose in Settings
//! (saved with them), else their browser's; kept in a cookie so the server renders the
//! same times the browser shows. Where the API itself speaks UTC (maintenance windows,
//! planned times) the pages say UTC instead.

use leptos::prelude::*;

/// The cookie holding the time zone in use (an IANA name, `Asia/Shanghai`).
pub const COOKIE: &str = "polar_tz";

/// The time zone in use (`None`: UTC), provided at the root.
#[derive(Clone, Copy, Debug)]
pub struct Zone(pub RwSignal<Option<String>>);

/// Provides the [`Zone`]: the cookie's (a zone the database knows, on the server; one the
/// browser knows, in it). The first time a browser comes without the cookie, the page
/// sets it to the browser's own zone once interactive, so every later page is in it.
pub fn provide_zone() {
    let zone = RwSignal::new(cookie_zone());
    provide_context(Zone(zone));
    #[cfg(target_arch = "wasm32")]
    Effect::new(move |_| {
        if zone.get_untracked().is_none() {
            if let Some(own) = browser_zone() {
                set_cookie(&own);
                zone.set(Some(own));
            }
        }
    });
}

/// The zone in use, from the context (tracked), else the request's cookie.
pub fn zone() -> Option<String> {
    match use_context::<Zone>() {
        Some(Zone(z)) => z.get(),
        None => cookie_zone(),
    }
}

#[cfg(feature = "ssr")]
fn cookie_zone() -> Option<String> {
    let name = crate::api::ssr::request_cookie(COOKIE)?;
    backend::zone::TimeZone::parse(&name)
        .ok()
        .map(|z| z.name().to_string())
}

#[cfg(all(not(feature = "ssr"), target_arch = "wasm32"))]
fn cookie_zone() -> Option<String> {
    use wasm_bindgen::JsCast;
    let doc = document()
        .dyn_into::<leptos::web_sys::HtmlDocument>()
        .ok()?;
    let cookies = doc.cookie().ok()?;
    let name = cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == COOKIE)
        .map(|(_, v)| v.to_string())?;
    wall_clock(&name, 0).map(|_| name)
}

#[cfg(all(not(feature = "ssr"), not(target_arch = "wasm32")))]
fn cookie_zone() -> Option<String> {
    None
}

/// The browser's own time zone.
#[cfg(target_arch = "wasm32")]
pub fn browser_zone() -> Option<String> {
    use leptos::web_sys::js_sys::{Array, Intl, Object, Reflect};
    let options = Intl::DateTimeFormat::new(&Array::new(), &Object::new()).resolved_options();
    Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
}

/// Sets the time-zone cookie in the browser (a year, the whole site).
#[cfg(target_arch = "wasm32")]
pub fn set_cookie(zone: &str) {
    use wasm_bindgen::JsCast;
    if let Ok(doc) = document().dyn_into::<leptos::web_sys::HtmlDocument>() {
        let _ = doc.set_cookie(&format!(
            "{COOKIE}={zone}; path=/; max-age={}; samesite=lax",
            365 * 86_400
        ));
    }
}

/// `secs` on the wall clock of `zone`: `YYYY-MM-DD HH:MM:SS` and the offset from UTC in
/// seconds, or `None` for a zone not known.
#[cfg(feature = "ssr")]
pub fn wall_clock(zone: &str, secs: i64) -> Option<(String, i32)> {
    backend::zone::wall_clock(zone, secs)
}

/// `secs` on the wall clock of `zone` (the browser's time-zone database).
#[cfg(all(not(feature = "ssr"), target_arch = "wasm32"))]
pub fn wall_clock(zone: &str, secs: i64) -> Option<(String, i32)> {
    use leptos::web_sys::js_sys::{Array, Date, Function, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    let intl = Reflect::get(&leptos::web_sys::js_sys::global(), &"Intl".into()).ok()?;
    let make: Function = Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let options = Object::new();
    for (k, v) in [
        ("timeZone", zone),
        ("year", "numeric"),
        ("month", "2-digit"),
        ("day", "2-digit"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("second", "2-digit"),
        ("hourCycle", "h23"),
    ] {
        Reflect::set(&options, &k.into(), &v.into()).ok()?;
    }
    // A zone the browser does not know throws (RangeError): caught here.
    let format = Reflect::construct(&make, &Array::of2(&"sv-SE".into(), &options)).ok()?;
    let call: Function = Reflect::get(&format, &"format".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let date = Date::new(&JsValue::from_f64(secs as f64 * 1000.0));
    let text = call.call1(&format, &date).ok()?.as_string()?;
    let local = polardb::rules::api_time(&format!("{}Z", text.replacen(' ', "T", 1)))?;
    Some((text, (local - secs) as i32))
}

#[cfg(all(not(feature = "ssr"), not(target_arch = "wasm32")))]
pub fn wall_clock(_zone: &str, _secs: i64) -> Option<(String, i32)> {
    None
}

/// `secs` as a person reads it in the zone in use: `2026-03-02 10:12:02 UTC+08:00`, or
/// `2026-03-02 02:12:02 UTC` without a zone (or in UTC).
pub fn local_time(secs: i64) -> String {
    let at = zone().and_then(|z| wall_clock(&z, secs));
    match at {
        Some((text, offset)) if offset != 0 => format!("{text} {}", utc_offset(offset)),
        Some((text, _)) => format!("{text} UTC"),
        None => {
            let (text, _) = utc_clock(secs);
            format!("{text} UTC")
        }
    }
}

/// `UTC+08:00`, `UTC-04:00`, `UTC+05:30`.
pub fn utc_offset(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let m = offset.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

fn utc_clock(secs: i64) -> (String, i32) {
    let (date, clock) = polardb::rules::api_minute(secs)
        .trim_end_matches('Z')
        .split_once('T')
        .map(|(d, c)| (d.to_string(), c.to_string()))
        .unwrap_or_default();
    (format!("{date} {clock}:{:02}", secs.rem_euclid(60)), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_utc() {
        assert_eq!(utc_offset(8 * 3600), "UTC+08:00");
        assert_eq!(utc_offset(-4 * 3600), "UTC-04:00");
        assert_eq!(utc_offset(5 * 3600 + 1800), "UTC+05:30");
        // 2026-03-02T02:12:02Z, no zone in use: UTC.
        assert_eq!(local_time(1_772_417_522), "2026-03-02 02:12:02 UTC");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_zone_in_use_moves_the_wall_clock() {
        let owner = Owner::new();
        owner.with(|| {
            provide_context(Zone(RwSignal::new(Some("Asia/Shanghai".into()))));
            assert_eq!(local_time(1_772_417_522), "2026-03-02 10:12:02 UTC+08:00");
            provide_context(Zone(RwSignal::new(Some("UTC".into()))));
            assert_eq!(local_time(1_772_417_522), "2026-03-02 02:12:02 UTC");
        });
    }
}

/// The time zones a person can choose: `UTC` and those of the browser's database (read
/// once the page is interactive; the server renders the zone in use alone).
#[cfg(target_arch = "wasm32")]
fn supported_zones() -> Vec<String> {
    use leptos::web_sys::js_sys::{Array, Function, Reflect};
    use wasm_bindgen::JsCast;
    let listed = || -> Option<Vec<String>> {
        let intl = Reflect::get(&leptos::web_sys::js_sys::global(), &"Intl".into()).ok()?;
        let f: Function = Reflect::get(&intl, &"supportedValuesOf".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let list: Array = f.call1(&intl, &"timeZone".into()).ok()?.dyn_into().ok()?;
        Some(list.iter().filter_map(|v| v.as_string()).collect())
    };
    let mut zones = vec!["UTC".to_string()];
    zones.extend(
        listed()
            .unwrap_or_default()
            .into_iter()
            .filter(|z| z != "UTC"),
    );
    zones
}

#[cfg(not(target_arch = "wasm32"))]
fn supported_zones() -> Vec<String> {
    Vec::new()
}

/// The time-zone setting (Settings): the zone in use, saved with the user; the page is
/// loaded again once saved, so every time on it is in the new zone.
#[component]
pub fn ZoneSetting() -> impl IntoView {
    use crate::i18n::{t, use_i18n};
    let i18n = use_i18n();
    let save = ServerAction::<crate::api::SetTimeZone>::new();
    let zones = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| zones.set(supported_zones()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            let _ = window().location().reload();
        }
    });
    let current = zone().unwrap_or_else(|| "UTC".to_string());
    let options = move || {
        let current = current.clone();
        let mut list = zones.get();
        if !list.contains(&current) {
            list.insert(0, current.clone());
        }
        list.into_iter()
            .map(|z| {
                let selected = z == current;
                let value = z.clone();
                view! { <option value=value selected=selected>{z}</option> }
            })
            .collect_view()
    };
    view! {
        <section class="settings-section" data-testid="time-zone">
            <h2>{t!(i18n, kit.time_zone)}</h2>
            <p class="muted">{t!(i18n, kit.time_zone_hint)}</p>
            <label class="field">
                <span>{t!(i18n, kit.time_zone)}</span>
                <select data-testid="time-zone-menu"
                    disabled=move || zones.with(Vec::is_empty)
                    title=move || zones.with(Vec::is_empty).then(super::ready::until_interactive)
                    on:change=move |ev| {
                        save.dispatch(crate::api::SetTimeZone { zone: event_target_value(&ev) });
                    }>
                    {options}
                </select>
            </label>
            {super::feedback::form_error(save.value())}
        </section>
    }
}
