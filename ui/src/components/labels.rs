//! Labels of skills and levels in the reader's language.

use ipc::views::SkillView;

use crate::i18n::{I18n, Locale};

/// A skill's label in the reader's language.
pub(crate) fn label(locale: Locale, en: &str, fr: &str) -> String {
    match locale {
        Locale::Fr if !fr.is_empty() => fr.to_owned(),
        _ => en.to_owned(),
    }
}

/// A skill id's label in the reader's language, from the catalogue.
pub(crate) fn skill_label(skills: &[SkillView], locale: Locale, id: &str) -> String {
    skills.iter().find(|s| s.id == id).map_or_else(
        || id.to_owned(),
        |s| label(locale, &s.label_en, &s.label_fr),
    )
}

/// The name of level 1..=4 in the reader's language.
pub(crate) fn level_name(i18n: I18n, level: u8) -> String {
    i18n.t(match level {
        1 => "level.1",
        2 => "level.2",
        3 => "level.3",
        _ => "level.4",
    })
}
