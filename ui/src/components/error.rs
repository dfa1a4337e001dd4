//! The error line: an error's kind in the reader's language, with the node's words.

use leptos::prelude::*;

use crate::i18n::I18n;

/// An error as the reader's language names its kind, with the node's words after it.
#[component]
pub(crate) fn ErrorLine(error: ipc::Error) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let key = crate::i18n::error_key(error.kind);
    view! {
        <p class="error" role="alert" data-kind=error.kind.as_str()>
            {move || i18n.tf(&key, &[("message", &error.message)])}
        </p>
    }
}
