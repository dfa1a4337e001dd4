//! Times are stored in documents as milliseconds since the Unix epoch (UTC) and shown to people
//! and scripts as RFC 3339. This module converts; it never reads the clock.

use chrono::{DateTime, SecondsFormat, Utc};

/// RFC 3339 (UTC, millisecond precision) for a time in ms since the epoch.
pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an RFC 3339 time into ms since the epoch.
pub fn parse_rfc3339(s: &str) -> Result<i64, crate::DomainError> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp_millis())
        .map_err(|e| {
            crate::DomainError::Invalid(format!(
                "invalid time '{s}': {e} (expected RFC 3339, e.g. 2026-03-01T09:30:00Z)"
            ))
        })
}

/// `#[serde(with = "domain::time::serde_ms")]`: an `i64` of ms written as RFC 3339 text.
pub mod serde_ms {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `ms` as RFC 3339.
    pub fn serialize<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*ms))
    }

    /// Reads RFC 3339 into ms.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips() {
        let ms = 1_764_000_000_123;
        assert_eq!(super::rfc3339(ms), "2025-11-24T16:00:00.123Z");
        assert_eq!(super::parse_rfc3339(&super::rfc3339(ms)).unwrap(), ms);
        assert!(super::parse_rfc3339("yesterday").is_err());
    }
}
