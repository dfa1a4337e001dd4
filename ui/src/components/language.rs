//! The language switch (English, French), remembered.

use leptos::prelude::*;

use crate::i18n::{I18n, Locale};

#[component]
pub(crate) fn LanguageSwitch() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let button = move |locale: Locale, id: &'static str, key: &'static str| {
        view! {
            <button
                id=id
                class="lang"
                aria-pressed=move || (i18n.locale.get() == locale).to_string()
                lang=locale.code()
                on:click=move |_| i18n.locale.set(locale)
            >
                {move || i18n.t(key)}
            </button>
        }
    };
    view! {
        <div class="language" role="group" aria-label=move || i18n.t("lang.label")>
            {button(Locale::En, "lang-en", "lang.en")}
            {button(Locale::Fr, "lang-fr", "lang.fr")}
        </div>
    }
}
