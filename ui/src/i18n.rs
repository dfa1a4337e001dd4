//! French and English catalogues (`ui/locales/*.json`, flat `key → text` with `{name}`
//! placeholders) and the reactive locale. Every visible string goes through [`I18n::t`] or
//! [`I18n::tf`]; the tests fail if a key is missing in either catalogue, if a key used in the
//! source is in neither, or if the two disagree on a key's placeholders.

use std::collections::HashMap;
use std::sync::OnceLock;

use leptos::prelude::*;

/// A language the UI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locale {
    En,
    Fr,
}

impl Locale {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    /// From a BCP 47 tag such as `fr-FR` or `en_US.UTF-8`; French for any `fr*`, else English.
    pub(crate) fn from_tag(tag: &str) -> Locale {
        if tag.trim().to_ascii_lowercase().starts_with("fr") {
            Locale::Fr
        } else {
            Locale::En
        }
    }
}

const EN: &str = include_str!("../locales/en.json");
const FR: &str = include_str!("../locales/fr.json");

fn parse(text: &str) -> HashMap<String, String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The catalogue of `locale`, read the first time it is asked for: a start in one language
/// does not read the other's.
fn catalogue(locale: Locale) -> &'static HashMap<String, String> {
    static EN_TEXTS: OnceLock<HashMap<String, String>> = OnceLock::new();
    static FR_TEXTS: OnceLock<HashMap<String, String>> = OnceLock::new();
    match locale {
        Locale::En => EN_TEXTS.get_or_init(|| parse(EN)),
        Locale::Fr => FR_TEXTS.get_or_init(|| parse(FR)),
    }
}

/// The text of `key` in `locale`; a missing key shows as itself, so it is visible (and the
/// tests below catch it before that).
pub(crate) fn text(locale: Locale, key: &str) -> String {
    catalogue(locale)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_owned())
}

/// `text` with each `{name}` replaced by its value.
pub(crate) fn format(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    let mut out = text(locale, key);
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The catalogue key that names an error's kind (`error.invalid`, …).
pub(crate) fn error_key(kind: ipc::ErrorKind) -> String {
    format!("error.{}", kind.as_str())
}

/// Whether `count` takes the singular form in `locale` (CLDR's "one": 1 in English, 0 and 1 in
/// French).
fn singular(locale: Locale, count: usize) -> bool {
    match locale {
        Locale::En => count == 1,
        Locale::Fr => count <= 1,
    }
}

/// The message `key.one` or `key.other`, as `count` requires in `locale`, with `{count}` filled.
pub(crate) fn plural(locale: Locale, key: &str, count: usize) -> String {
    let form = if singular(locale, count) {
        "one"
    } else {
        "other"
    };
    let count = count.to_string();
    format(locale, &format!("{key}.{form}"), &[("count", &count)])
}

/// The current locale, shared by every component through Leptos' context.
#[derive(Debug, Clone, Copy)]
pub(crate) struct I18n {
    pub(crate) locale: RwSignal<Locale>,
}

impl I18n {
    /// The text of `key` in the current locale (reactive when read inside a closure).
    pub(crate) fn t(&self, key: &str) -> String {
        text(self.locale.get(), key)
    }

    /// [`I18n::t`] with placeholders.
    pub(crate) fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        format(self.locale.get(), key, args)
    }

    /// A count with its noun, singular or plural as the language wants (see [`plural`]).
    pub(crate) fn tn(&self, key: &str, count: usize) -> String {
        plural(self.locale.get(), key, count)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(text: &str) -> BTreeSet<String> {
        let map: HashMap<String, String> = serde_json::from_str(text).expect("valid JSON");
        map.into_keys().collect()
    }

    fn placeholders(text: &str) -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_owned()))
            .collect()
    }

    /// Every string literal passed to `t("…")` or `tf("…"` in the UI's source, and both forms
    /// (`.one`, `.other`) of those passed to `tn("…"`.
    fn used_keys() -> BTreeSet<String> {
        let mut files = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        let mut sources = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).expect("a source folder") {
                    files.push(entry.expect("an entry").path());
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push(path);
            }
        }
        assert!(
            sources.len() > 10,
            "the scan found the sources: {sources:?}"
        );
        let mut out = BTreeSet::new();
        for path in sources {
            let source = std::fs::read_to_string(&path).expect("source");
            for opener in [".t(\"", ".tf(\"", ".tn(\""] {
                for piece in source.split(opener).skip(1) {
                    if let Some((key, _)) = piece.split_once('"') {
                        if opener == ".tn(\"" {
                            out.insert(format!("{key}.one"));
                            out.insert(format!("{key}.other"));
                        } else {
                            out.insert(key.to_owned());
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let (en, fr) = (keys(EN), keys(FR));
        let only_en: Vec<_> = en.difference(&fr).collect();
        let only_fr: Vec<_> = fr.difference(&en).collect();
        assert!(only_en.is_empty(), "missing in fr.json: {only_en:?}");
        assert!(only_fr.is_empty(), "missing in en.json: {only_fr:?}");
    }

    #[test]
    fn every_key_the_source_uses_is_translated() {
        let used = used_keys();
        assert!(used.len() > 20, "the scan found the keys: {used:?}");
        let en = keys(EN);
        let missing: Vec<_> = used.difference(&en).collect();
        assert!(
            missing.is_empty(),
            "used but not in the catalogues: {missing:?}"
        );
    }

    #[test]
    fn every_error_kind_is_named_in_both_languages() {
        let (en, fr) = (keys(EN), keys(FR));
        for kind in ipc::ErrorKind::ALL {
            let key = error_key(kind);
            assert!(en.contains(&key) && fr.contains(&key), "{key}");
        }
        assert_eq!(
            format(
                Locale::Fr,
                &error_key(ipc::ErrorKind::Invalid),
                &[("message", "x")]
            ),
            "Refusé : x"
        );
    }

    #[test]
    fn translations_keep_their_placeholders_and_differ() {
        let (en, fr) = (parse(EN), parse(FR));
        for (key, english) in &en {
            let french = &fr[key];
            assert_eq!(
                placeholders(english),
                placeholders(french),
                "placeholders of {key}"
            );
            assert!(!french.trim().is_empty(), "{key} is empty in French");
        }
        assert_ne!(en["nav.home"], fr["nav.home"]);
        assert_eq!(
            format(Locale::Fr, "home.hello", &[("name", "Élodie")]),
            "Bonjour Élodie"
        );
        assert_eq!(Locale::from_tag("fr-CA"), Locale::Fr);
        for (locale, count, text) in [
            (Locale::En, 0, "0 colleagues' devices"),
            (Locale::En, 1, "1 colleague's device"),
            (Locale::En, 2, "2 colleagues' devices"),
            (Locale::Fr, 0, "0 appareil de collègue"),
            (Locale::Fr, 1, "1 appareil de collègue"),
            (Locale::Fr, 2, "2 appareils de collègues"),
        ] {
            assert_eq!(plural(locale, "home.devices", count), text);
        }
        assert_eq!(Locale::from_tag("en-GB"), Locale::En);
        assert_eq!(Locale::from_tag(""), Locale::En);
    }
}
