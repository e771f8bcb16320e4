//! A UTC instant with nanosecond precision, and the three timestamp formats Smithy protocols use.

use std::fmt;

/// How a timestamp is written on the wire (the Smithy `@timestampFormat` values).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampFormat {
    /// RFC 3339 / ISO 8601 in UTC: `2026-01-01T00:00:00Z`, fractional seconds only when non-zero.
    DateTime,
    /// IMF-fixdate (RFC 7231): `Thu, 01 Jan 2026 00:00:00 GMT`.
    HttpDate,
    /// Seconds since the Unix epoch, with a fraction only when non-zero: `1767225600.25`.
    EpochSeconds,
}

/// A point in time, stored as seconds and nanoseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

/// A timestamp string that could not be read; says what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeParseError {
    input: String,
    reason: &'static str,
}

impl fmt::Display for DateTimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid timestamp {:?}: {}", self.input, self.reason)
    }
}

impl std::error::Error for DateTimeParseError {}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1970-01-01 was a Thursday

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (i64::from(month) + 9) % 12; // March = 0
    let day_of_year = (153 * month_index + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A tiny cursor over ASCII input, so each format reads as a sequence of expectations.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, expected: u8) -> bool {
        if self.peek().is_some_and(|c| c.eq_ignore_ascii_case(&expected)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Reads between `min` and `max` decimal digits; returns the value and the digit count.
    fn digits(&mut self, min: usize, max: usize) -> Option<(u64, usize)> {
        let start = self.pos;
        let mut value: u64 = 0;
        while self.pos - start < max {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    value = value.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
                    self.pos += 1;
                }
                _ => break,
            }
        }
        let count = self.pos - start;
        (count >= min).then_some((value, count))
    }

    fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

/// Nanoseconds from the digits after a decimal point: any number of digits, those beyond
/// the ninth truncated (never accumulated, so no count of digits can overflow).
fn fraction_nanos(cursor: &mut Cursor<'_>) -> Option<u32> {
    let start = cursor.pos;
    while cursor.peek().is_some_and(|c| c.is_ascii_digit()) {
        cursor.pos += 1;
    }
    let digits = &cursor.bytes[start..cursor.pos];
    if digits.is_empty() {
        return None;
    }
    let mut nanos = 0u32;
    for i in 0..9 {
        nanos = nanos * 10 + digits.get(i).map_or(0, |d| u32::from(d - b'0'));
    }
    Some(nanos)
}

impl DateTime {
    /// The Unix epoch.
    pub const UNIX_EPOCH: DateTime = DateTime { secs: 0, nanos: 0 };

    /// From whole seconds since the epoch.
    pub fn from_secs(secs: i64) -> Self {
        DateTime { secs, nanos: 0 }
    }

    /// From seconds and a sub-second part (`nanos` is clamped below one second).
    pub fn from_secs_and_nanos(secs: i64, nanos: u32) -> Self {
        DateTime { secs, nanos: nanos.min(999_999_999) }
    }

    /// From a calendar date and time in UTC; `None` if any field is out of range. Years are
    /// those the formats can write (0 to 9999), which also keeps the day arithmetic far from
    /// overflow whatever an HTTP date claims.
    pub fn from_utc(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32, nanos: u32) -> Option<Self> {
        let valid = (0..=9999).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60
            && nanos < 1_000_000_000;
        valid.then(|| DateTime {
            secs: days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second),
            nanos,
        })
    }

    /// The current time from the system clock.
    pub fn now() -> Self {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => DateTime { secs: d.as_secs() as i64, nanos: d.subsec_nanos() },
            Err(e) => {
                let d = e.duration();
                DateTime::UNIX_EPOCH.minus(d)
            }
        }
    }

    fn minus(self, d: std::time::Duration) -> Self {
        let total = i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos) - d.as_nanos() as i128;
        DateTime { secs: total.div_euclid(1_000_000_000) as i64, nanos: total.rem_euclid(1_000_000_000) as u32 }
    }

    /// Whole seconds since the epoch (floor).
    pub fn secs(&self) -> i64 {
        self.secs
    }

    /// The nanoseconds within the second.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The same instant truncated to whole milliseconds.
    pub fn truncated_to_millis(&self) -> Self {
        DateTime { secs: self.secs, nanos: self.nanos / 1_000_000 * 1_000_000 }
    }

    /// (year, month, day, hour, minute, second) in UTC.
    fn civil(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86_400);
        let in_day = self.secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, in_day / 3600, in_day / 60 % 60, in_day % 60)
    }

    /// Writes the timestamp in `format`.
    pub fn fmt(&self, format: TimestampFormat) -> String {
        match format {
            TimestampFormat::DateTime => {
                let (y, mo, d, h, mi, s) = self.civil();
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}Z", self.fraction())
            }
            TimestampFormat::HttpDate => {
                let (y, mo, d, h, mi, s) = self.civil();
                let weekday = WEEKDAYS[self.secs.div_euclid(86_400).rem_euclid(7) as usize];
                let month = MONTHS[mo as usize - 1];
                format!("{weekday}, {d:02} {month} {y:04} {h:02}:{mi:02}:{s:02}{} GMT", self.fraction())
            }
            TimestampFormat::EpochSeconds => format!("{}{}", self.secs, self.fraction()),
        }
    }

    /// `.fff` with trailing zeros removed, or nothing for a whole second.
    fn fraction(&self) -> String {
        if self.nanos == 0 {
            return String::new();
        }
        let digits = format!("{:09}", self.nanos);
        format!(".{}", digits.trim_end_matches('0'))
    }

    /// Reads a timestamp written in `format` (strictly, apart from letter case).
    pub fn parse(input: &str, format: TimestampFormat) -> Result<Self, DateTimeParseError> {
        let text = input.trim();
        let parsed = match format {
            TimestampFormat::DateTime => Self::parse_date_time(text),
            TimestampFormat::HttpDate => Self::parse_http_date(text),
            TimestampFormat::EpochSeconds => Self::parse_epoch_seconds(text),
        };
        parsed.ok_or_else(|| DateTimeParseError {
            input: input.to_owned(),
            reason: match format {
                TimestampFormat::DateTime => "expected an RFC 3339 date-time such as 2026-01-01T00:00:00Z",
                TimestampFormat::HttpDate => "expected an HTTP date such as Thu, 01 Jan 2026 00:00:00 GMT",
                TimestampFormat::EpochSeconds => "expected seconds since the Unix epoch",
            },
        })
    }

    /// Reads any of the forms AWS services have been seen to send: RFC 3339 (with offsets, any
    /// case, or no zone meaning UTC), a bare date, an HTTP date, or epoch seconds.
    pub fn parse_lenient(input: &str) -> Result<Self, DateTimeParseError> {
        let text = input.trim();
        Self::parse_date_time(text)
            .or_else(|| Self::parse_http_date(text))
            .or_else(|| Self::parse_epoch_seconds(text))
            .ok_or_else(|| DateTimeParseError {
                input: input.to_owned(),
                reason: "not a date-time, HTTP date or epoch-seconds value",
            })
    }

    fn parse_date_time(text: &str) -> Option<Self> {
        let mut c = Cursor { bytes: text.as_bytes(), pos: 0 };
        let (year, _) = c.digits(4, 4)?;
        let month = c.eat(b'-').then(|| c.digits(2, 2)).flatten()?.0 as u32;
        let day = c.eat(b'-').then(|| c.digits(2, 2)).flatten()?.0 as u32;
        if c.at_end() {
            return Self::from_utc(year as i64, month, day, 0, 0, 0, 0);
        }
        if !(c.eat(b'T') || c.eat(b' ')) {
            return None;
        }
        let hour = c.digits(2, 2)?.0 as u32;
        let minute = c.eat(b':').then(|| c.digits(2, 2)).flatten()?.0 as u32;
        let second = c.eat(b':').then(|| c.digits(2, 2)).flatten()?.0 as u32;
        let nanos = if c.eat(b'.') { fraction_nanos(&mut c)? } else { 0 };
        let offset_secs: i64 = if c.at_end() || c.eat(b'Z') {
            0
        } else {
            let sign = match c.peek()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            c.pos += 1;
            let hours = c.digits(2, 2)?.0 as i64;
            c.eat(b':');
            let minutes = c.digits(2, 2)?.0 as i64;
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        };
        if !c.at_end() {
            return None;
        }
        let local = Self::from_utc(year as i64, month, day, hour, minute, second, nanos)?;
        Some(DateTime { secs: local.secs - offset_secs, nanos })
    }

    fn parse_http_date(text: &str) -> Option<Self> {
        // "Thu, 01 Jan 2026 00:00:00 GMT", optionally with fractional seconds.
        let (weekday, rest) = text.split_once(", ")?;
        if !WEEKDAYS.iter().any(|w| w.eq_ignore_ascii_case(weekday)) {
            return None;
        }
        let mut parts = rest.split(' ');
        let day: u32 = parts.next()?.parse().ok()?;
        let month_name = parts.next()?;
        let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month_name))? as u32 + 1;
        let year: i64 = parts.next()?.parse().ok()?;
        let time = parts.next()?;
        if !parts.next()?.eq_ignore_ascii_case("GMT") || parts.next().is_some() {
            return None;
        }
        let mut c = Cursor { bytes: time.as_bytes(), pos: 0 };
        let hour = c.digits(2, 2)?.0 as u32;
        let minute = c.eat(b':').then(|| c.digits(2, 2)).flatten()?.0 as u32;
        let second = c.eat(b':').then(|| c.digits(2, 2)).flatten()?.0 as u32;
        let nanos = if c.eat(b'.') { fraction_nanos(&mut c)? } else { 0 };
        if !c.at_end() {
            return None;
        }
        Self::from_utc(year, month, day, hour, minute, second, nanos)
    }

    fn parse_epoch_seconds(text: &str) -> Option<Self> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut c = Cursor { bytes: unsigned.as_bytes(), pos: 0 };
        let (whole, _) = c.digits(1, 18)?;
        let nanos = if c.eat(b'.') { fraction_nanos(&mut c)? } else { 0 };
        if !c.at_end() {
            return None;
        }
        let whole = whole as i64;
        Some(if !negative {
            DateTime { secs: whole, nanos }
        } else if nanos == 0 {
            DateTime { secs: -whole, nanos: 0 }
        } else {
            DateTime { secs: -whole - 1, nanos: 1_000_000_000 - nanos }
        })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&DateTime::fmt(self, TimestampFormat::DateTime))
    }
}

impl From<std::time::SystemTime> for DateTime {
    fn from(time: std::time::SystemTime) -> Self {
        match time.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => DateTime { secs: d.as_secs() as i64, nanos: d.subsec_nanos() },
            Err(e) => DateTime::UNIX_EPOCH.minus(e.duration()),
        }
    }
}

/// Timestamps serialize as RFC 3339 strings, the form the AWS CLI reads and prints.
#[cfg(feature = "serde")]
impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.fmt(TimestampFormat::DateTime))
    }
}

/// Accepts RFC 3339 strings (and the other lenient forms) or epoch seconds as a number.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a timestamp string or epoch seconds")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateTime, E> {
                DateTime::parse_lenient(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DateTime, E> {
                Ok(DateTime::from_secs(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DateTime, E> {
                i64::try_from(v).map(DateTime::from_secs).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<DateTime, E> {
                DateTime::parse_epoch_seconds(&format!("{v}")).ok_or_else(|| E::custom("epoch seconds out of range"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime {
        DateTime::parse_lenient(text).unwrap()
    }

    #[test]
    fn formats_each_wire_format() {
        let t = DateTime::from_secs_and_nanos(1_767_225_600, 250_000_000);
        assert_eq!(t.fmt(TimestampFormat::DateTime), "2026-01-01T00:00:00.25Z");
        assert_eq!(t.fmt(TimestampFormat::HttpDate), "Thu, 01 Jan 2026 00:00:00.25 GMT");
        assert_eq!(t.fmt(TimestampFormat::EpochSeconds), "1767225600.25");
        assert_eq!(DateTime::from_secs(1_398_796_238).fmt(TimestampFormat::HttpDate), "Tue, 29 Apr 2014 18:30:38 GMT");
    }

    #[test]
    fn reads_the_forms_services_send() {
        let midnight = DateTime::from_secs(1_767_225_600);
        for text in [
            "2026-01-01T00:00:00Z",
            "2026-01-01t00:00:00z",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00+0000",
            "2026-01-01T05:30:00+05:30",
            "2026-01-01",
            "Thu, 01 Jan 2026 00:00:00 GMT",
            "1767225600",
        ] {
            assert_eq!(at(text), midnight, "{text}");
        }
        assert_eq!(at("2025-12-31T16:00:00.500-08:00"), DateTime::from_secs_and_nanos(1_767_225_600, 500_000_000));
        assert_eq!(at("2026-01-01T12:34:56.123456789Z").subsec_nanos(), 123_456_789);
        assert_eq!(at("-1.5"), DateTime::from_secs_and_nanos(-2, 500_000_000));
    }

    #[test]
    fn rejects_impossible_values() {
        for text in ["2026-01-01T23:59:60Z", "2026-02-30T00:00:00Z", "yesterday-ish", "", "2026-01-01T00:00:00Zjunk"] {
            assert!(DateTime::parse_lenient(text).is_err(), "{text}");
        }
    }

    #[test]
    fn calendar_round_trips_across_eras() {
        for days in [-800_000i64, -1, 0, 59, 365, 11_016, 20_454, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn huge_years_and_long_fractions_are_bounded() {
        assert!(DateTime::parse_lenient("Thu, 01 Jan 99999999999999999 00:00:00 GMT").is_err());
        assert!(DateTime::parse(&format!("Thu, 01 Jan {} 00:00:00 GMT", i64::MAX), TimestampFormat::HttpDate).is_err());
        let long = DateTime::parse_lenient("2026-01-01T00:00:00.1234567891234567890123456789Z").unwrap();
        assert_eq!(long.subsec_nanos(), 123_456_789, "digits beyond the ninth are truncated");
        let epoch = DateTime::parse_lenient("1767225600.9999999999999999999999").unwrap();
        assert_eq!((epoch.secs(), epoch.subsec_nanos()), (1_767_225_600, 999_999_999));
    }
}
