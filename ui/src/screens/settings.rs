//! Settings: language, theme, data folder, profile, export and import.

use ipc::ops;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::{THEME_KEY, Theme, apply_theme, storage};
use crate::components::data::act;
use crate::components::error::ErrorLine;
use crate::components::language::LanguageSwitch;
use crate::i18n::I18n;
use crate::screens::account::{ExportImport, ProfileForm};
use crate::tauri::call;

/// The switch for desktop notifications (sessions the day before and 15 minutes before,
/// mentoring due, actions overdue).
#[component]
fn Notifications() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let on = RwSignal::new(None::<bool>);
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    spawn_local(async move {
        match call(&ops::Notifications {}).await {
            Ok(value) => on.set(Some(value)),
            Err(e) => error.set(Some(e)),
        }
    });
    let switch = move |ev: leptos::ev::Event| {
        let wanted = event_target_checked(&ev);
        act(ops::SetNotifications { on: wanted }, error, move || {
            on.set(Some(wanted));
        });
    };
    view! {
        <section>
            <h2>{move || i18n.t("settings.notifications")}</h2>
            <label class="check">
                <input
                    id="notifications-on"
                    type="checkbox"
                    disabled=move || on.get().is_none()
                    prop:checked=move || on.get().unwrap_or(false)
                    on:change=switch
                />
                {move || i18n.t("settings.notifications_on")}
            </label>
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </section>
    }
}

/// Settings: language, theme, where the data lives.
#[component]
pub(crate) fn Settings(data_dir: String) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let stored = storage()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .unwrap_or_default();
    let theme = RwSignal::new(Theme::from_code(&stored));
    let choice = move |value: Theme, id: &'static str, key: &'static str| {
        view! {
            <button
                id=id
                aria-pressed=move || (theme.get() == value).to_string()
                on:click=move |_| {
                    theme.set(value);
                    apply_theme(value);
                }
            >
                {move || i18n.t(key)}
            </button>
        }
    };
    view! {
        <section class="settings">
            <h1>{move || i18n.t("settings.title")}</h1>
            <section>
                <h2>{move || i18n.t("lang.label")}</h2>
                <LanguageSwitch/>
            </section>
            <section>
                <h2>{move || i18n.t("settings.theme")}</h2>
                <div class="choices" role="group" aria-label=move || i18n.t("settings.theme")>
                    {choice(Theme::System, "theme-system", "settings.theme_system")}
                    {choice(Theme::Light, "theme-light", "settings.theme_light")}
                    {choice(Theme::Dark, "theme-dark", "settings.theme_dark")}
                </div>
            </section>
            <Notifications/>
            <section>
                <h2>{move || i18n.t("settings.profile")}</h2>
                <ProfileForm/>
            </section>
            <section>
                <h2>{move || i18n.t("settings.transfer")}</h2>
                <p class="muted">{move || i18n.t("settings.transfer_help")}</p>
                <ExportImport/>
            </section>
            <section>
                <h2>{move || i18n.t("settings.data")}</h2>
                <p>
                    <code id="data-dir" class="path">{data_dir}</code>
                </p>
                <p class="muted">{move || i18n.t("settings.data_help")}</p>
            </section>
        </section>
    }
}
