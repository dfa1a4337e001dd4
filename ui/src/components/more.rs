//! Long lists shown a page at a time: the first [`PAGE`] items, then "Show more" for the next
//! page, so a screen over a large workspace puts only what is looked at in the page.

use leptos::prelude::*;

use crate::i18n::I18n;

/// How many items a list shows at first, and how many more each "Show more" adds.
pub(crate) const PAGE: usize = 100;

/// How many items a list shows: starts at [`PAGE`], grows by a page at each "Show more".
pub(crate) fn shown() -> RwSignal<usize> {
    RwSignal::new(PAGE)
}

/// What a list of `len` items shown up to `limit` counts for [`ShowMore`]: (shown, total).
pub(crate) fn counts(len: usize, limit: usize) -> (usize, usize) {
    (len.min(limit), len)
}

/// "Show more" under a list that shows `counts()` = (shown, total) items, there while some are
/// not shown. While more remain, the button stays the same element as the list grows, so it
/// keeps the keyboard's focus: pressing Enter again shows the page after.
#[component]
pub(crate) fn ShowMore(
    /// The button's id.
    id: &'static str,
    /// How many items the list shows, grown by a page at each press.
    limit: RwSignal<usize>,
    /// How many it shows now and how many there are, when known.
    counts: Signal<Option<(usize, usize)>>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let more = move || counts.get().is_some_and(|(shown, total)| shown < total);
    view! {
        <Show when=more>
            <button
                id=id
                class="show-more"
                type="button"
                on:click=move |_| limit.update(|l| *l = l.saturating_add(PAGE))
            >
                {move || {
                    let (shown, total) = counts.get().unwrap_or_default();
                    i18n.tf(
                        "list.more",
                        &[("shown", &shown.to_string()), ("total", &total.to_string())],
                    )
                }}
            </button>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_shows_at_most_its_limit_of_all_its_items() {
        assert_eq!(counts(250, PAGE), (100, 250));
        assert_eq!(counts(7, PAGE), (7, 7));
        assert_eq!(counts(0, PAGE), (0, 0));
    }
}
