//! Helpers of forms: lists typed one per line, whole numbers.

use leptos::prelude::*;

use crate::i18n::I18n;

/// The communities this member belongs to, as the options of a "who is it for" select
/// (`community:ID`).
#[component]
pub(crate) fn CommunityOptions(
    communities: LocalResource<Result<Vec<ipc::views::CommunityView>, ipc::Error>>,
) -> impl IntoView {
    move || {
        communities
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.joined)
            .map(|c| {
                let value = format!("community:{}", c.id);
                view! { <option value=value>{c.name}</option> }
            })
            .collect_view()
    }
}

/// The non-empty lines of a text area.
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `text` as a whole number, or `None` with the message `key` shown in `error`.
pub(crate) fn whole_number(
    i18n: I18n,
    text: &str,
    key: &str,
    error: RwSignal<Option<ipc::Error>>,
) -> Option<u32> {
    let number = text.trim().parse().ok();
    if number.is_none() {
        error.set(Some(ipc::Error::new(ipc::ErrorKind::Invalid, i18n.t(key))));
    }
    number
}
