//! Time zones (#19): the zone a user sees times in (saved with the user; the browser's by
//! default), checked against the IANA time-zone database, and an instant as a wall-clock
//! time in it.

use crate::BackendError;

/// The longest zone name kept (the database's longest is under 40 characters).
const MAX_NAME: usize = 64;

/// A time zone of the IANA database, by its name (`Asia/Shanghai`, `UTC`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeZone(String);

impl TimeZone {
    /// A zone the database knows; anything else is refused, naming the field.
    pub fn parse(name: &str) -> Result<TimeZone, BackendError> {
        let rule = "is a time zone of the IANA database, such as Asia/Shanghai or UTC";
        if name.is_empty() || name.len() > MAX_NAME || name.chars().any(|c| c.is_control()) {
            return Err(BackendError::invalid("time_zone", rule));
        }
        jiff::tz::TimeZone::get(name)
            .map(|_| TimeZone(name.to_string()))
            .map_err(|_| BackendError::invalid("time_zone", rule))
    }

    pub fn name(&self) -> &str {
        &self.0
    }
}

/// `secs` (Unix seconds) on the wall clock of the zone `name`: `YYYY-MM-DD HH:MM:SS` and the
/// zone's offset from UTC then, in seconds; `None` for a zone the database does not know.
pub fn wall_clock(name: &str, secs: i64) -> Option<(String, i32)> {
    let zone = jiff::tz::TimeZone::get(name).ok()?;
    let at = jiff::Timestamp::from_second(secs).ok()?.to_zoned(zone);
    Some((
        at.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        at.offset().seconds(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_of_the_database_only() {
        assert_eq!(
            TimeZone::parse("Asia/Shanghai").unwrap().name(),
            "Asia/Shanghai"
        );
        assert!(TimeZone::parse("UTC").is_ok());
        for bad in ["", "Mars/Olympus", "Asia/Shanghai\n", "../../etc/passwd"] {
            match TimeZone::parse(bad) {
                Err(BackendError::Invalid { field, .. }) => assert_eq!(field, "time_zone"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_instant_on_the_wall_clocks_of_two_zones() {
        // 2026-03-02T02:12:02Z
        let t = 1_772_417_522;
        assert_eq!(
            wall_clock("Asia/Shanghai", t),
            Some(("2026-03-02 10:12:02".into(), 8 * 3600))
        );
        assert_eq!(
            wall_clock("UTC", t),
            Some(("2026-03-02 02:12:02".into(), 0))
        );
        // Daylight saving time: New York is UTC-4 in July, UTC-5 in March.
        assert_eq!(
            wall_clock("America/New_York", 1_783_000_000).map(|w| w.1),
            Some(-4 * 3600)
        );
        assert_eq!(wall_clock("Nowhere/City", t), None);
    }
}
