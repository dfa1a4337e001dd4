//! Small text helpers shared by the models: validation of typed-in strings, folding for
//! accent- and case-insensitive matching, and slugs for ids.

use crate::DomainError;

/// Longest accepted single-line field (titles, names, tags), in characters.
const MAX_LINE: usize = 300;

/// Trims `value` and checks that it is a non-empty single line of reasonable length.
pub fn require_text(field: &str, value: &str) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(format!("{field} must not be empty")));
    }
    if trimmed.contains(['\n', '\r']) {
        return Err(DomainError::invalid(format!(
            "{field} must be a single line"
        )));
    }
    if trimmed.chars().count() > MAX_LINE {
        return Err(DomainError::invalid(format!(
            "{field} is longer than {MAX_LINE} characters"
        )));
    }
    Ok(trimmed.to_owned())
}

pub use ipc::fold;

/// A stable id for a name: folded, with runs of anything but letters and digits turned into
/// single dashes ("Gestion de projet" → "gestion-de-projet").
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in fold(s).chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_folds() {
        for (input, want) in [
            ("Gestion de projet", "gestion-de-projet"),
            ("  Référent  Rust!! ", "referent-rust"),
            ("C++", "c"),
            ("SQL / Postgres", "sql-postgres"),
        ] {
            assert_eq!(slug(input), want, "slug({input:?})");
        }
        assert_eq!(fold("ÉLÉMENT Œuvre"), "element ouvre");
    }

    #[test]
    fn text_validation() {
        assert_eq!(require_text("title", "  a  ").unwrap(), "a");
        for bad in ["", "   ", "a\nb"] {
            let err = require_text("title", bad).unwrap_err().to_string();
            assert!(err.starts_with("title must"), "{err}");
        }
        assert!(require_text("title", &"x".repeat(301)).is_err());
    }
}
