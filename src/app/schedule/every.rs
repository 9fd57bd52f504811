//! How often the scheduled refresh runs (`--every 15m`), and that interval written the two ways a
//! scheduler understands it: a systemd time span and a cron step.

use std::fmt;
use std::str::FromStr;

/// Whole minutes between two scheduled refreshes: at least 1 minute, at most a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Every {
    minutes: u32,
}

/// Extra time a refresh looks ahead beyond the interval: a systemd timer may fire up to a minute late
/// (AccuracySec=1min), cron a little, and the refresh itself takes time. Without it, a credential with
/// just over one interval left would be skipped and could expire before the next run.
const LOOKAHEAD_MARGIN_MINUTES: u32 = 5;

const MAX_MINUTES: u32 = 24 * 60;

impl Every {
    pub const DEFAULT: Every = Every { minutes: 15 };

    pub fn from_minutes(minutes: u32) -> Option<Every> {
        (1..=MAX_MINUTES)
            .contains(&minutes)
            .then_some(Every { minutes })
    }

    #[cfg(test)]
    pub fn minutes(self) -> u32 {
        self.minutes
    }

    /// The `--within` window the scheduled `refresh` is given: the interval plus a margin, so that
    /// whatever would expire before the next run is renewed by this one.
    pub fn refresh_window(self) -> Every {
        Every {
            minutes: self.minutes + LOOKAHEAD_MARGIN_MINUTES,
        }
    }

    /// A systemd time span (systemd.time(7)): `15min`, `2h`, `1h 30min`.
    pub fn systemd_span(self) -> String {
        let (hours, minutes) = (self.minutes / 60, self.minutes % 60);
        match (hours, minutes) {
            (0, m) => format!("{m}min"),
            (h, 0) => format!("{h}h"),
            (h, m) => format!("{h}h {m}min"),
        }
    }

    /// The five time fields of a crontab line. Cron steps only divide the minute or hour field, so only
    /// 1–59 minutes, whole hours from 1 to 23, or a day can be written.
    pub fn cron_fields(self) -> Result<String, String> {
        let m = self.minutes;
        match m {
            1 => Ok("* * * * *".into()),
            2..=59 => Ok(format!("*/{m} * * * *")),
            60 => Ok("0 * * * *".into()),
            _ if m.is_multiple_of(60) && m / 60 <= 23 => Ok(format!("0 */{} * * *", m / 60)),
            MAX_MINUTES => Ok("0 0 * * *".into()),
            _ => Err(format!(
                "--every {self}: cron can only repeat every 1 to 59 minutes or every 1 to 24 whole \
                 hours; pick one of those (e.g. --every 15m or --every 2h), or drop --cron to use a \
                 systemd timer"
            )),
        }
    }
}

impl Default for Every {
    fn default() -> Self {
        Every::DEFAULT
    }
}

/// Written back the way a user types it, so `Every` round-trips through `--within`/`--every`.
impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.minutes.is_multiple_of(60) {
            write!(f, "{}h", self.minutes / 60)
        } else {
            write!(f, "{}m", self.minutes)
        }
    }
}

impl FromStr for Every {
    type Err = String;

    /// `15m`, `15min`, `2h` (a number and a unit, nothing else): seconds are refused because a
    /// refresh more often than once a minute would only hammer the IdP.
    fn from_str(text: &str) -> Result<Every, String> {
        let bad = || {
            format!(
                "'{text}' is not an interval: give whole minutes or hours from 1m to 24h, e.g. 15m or 2h"
            )
        };
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (number, unit) = t.split_at(split);
        let n: u32 = number.parse().map_err(|_| bad())?;
        let per_unit = match unit.trim() {
            "m" | "min" => 1,
            "h" => 60,
            _ => return Err(bad()),
        };
        n.checked_mul(per_unit)
            .and_then(Every::from_minutes)
            .ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every(s: &str) -> Every {
        s.parse().unwrap()
    }

    #[test]
    fn minutes_and_hours_parse() {
        assert_eq!(every("15m").minutes(), 15);
        assert_eq!(every("15min").minutes(), 15);
        assert_eq!(every("2h").minutes(), 120);
        assert_eq!(every(" 1h ").minutes(), 60);
        assert_eq!(every("24h").minutes(), 1440);
    }

    #[test]
    fn other_values_are_refused_naming_them() {
        for bad in [
            "",
            "15",
            "90s",
            "0m",
            "25h",
            "m",
            "1.5h",
            "-5m",
            "15 m x",
            "99999999999m",
        ] {
            let err = bad.parse::<Every>().unwrap_err();
            assert!(err.contains(&format!("'{bad}'")), "{bad}: {err}");
        }
    }

    #[test]
    fn systemd_spans() {
        assert_eq!(every("15m").systemd_span(), "15min");
        assert_eq!(every("2h").systemd_span(), "2h");
        assert_eq!(every("90m").systemd_span(), "1h 30min");
    }

    #[test]
    fn cron_steps_for_minutes_and_hours() {
        assert_eq!(every("1m").cron_fields().unwrap(), "* * * * *");
        assert_eq!(every("15m").cron_fields().unwrap(), "*/15 * * * *");
        assert_eq!(every("59m").cron_fields().unwrap(), "*/59 * * * *");
        assert_eq!(every("60m").cron_fields().unwrap(), "0 * * * *");
        assert_eq!(every("3h").cron_fields().unwrap(), "0 */3 * * *");
        assert_eq!(every("24h").cron_fields().unwrap(), "0 0 * * *");
    }

    #[test]
    fn intervals_cron_cannot_express_are_refused_naming_the_value() {
        let err = every("90m").cron_fields().unwrap_err();
        assert!(err.contains("--every 90m"), "{err}");
        assert!(every("150m").cron_fields().is_err());
        assert!(every("61m").cron_fields().is_err());
    }

    #[test]
    fn the_refresh_window_covers_the_interval_and_a_late_timer() {
        assert_eq!(every("15m").refresh_window().to_string(), "20m");
        assert_eq!(every("1h").refresh_window().to_string(), "65m");
    }

    #[test]
    fn display_round_trips() {
        for s in ["15m", "2h", "90m"] {
            assert_eq!(every(s).to_string().parse::<Every>().unwrap(), every(s));
        }
    }
}
