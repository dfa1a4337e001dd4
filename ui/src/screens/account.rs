//! Settings that touch this member's data: their profile, exporting the workspace to a folder
//! and importing one, and saving their contribution report.

use ipc::forms::ProfilePatch;
use ipc::ops;
use ipc::views::{Counts, ExportSummary, ImportSummary};
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::error::ErrorLine;
use crate::components::forms::whole_number;
use crate::i18n::I18n;
use crate::tauri::call;

/// A text field bound to `value`.
#[component]
fn Field(id: &'static str, key: &'static str, value: RwSignal<String>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    view! {
        <label for=id>{move || i18n.t(key)}</label>
        <input id=id prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
    }
}

/// The profile colleagues see in the directory.
#[component]
pub(crate) fn ProfileForm() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let name = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let team = RwSignal::new(String::new());
    let location = RwSignal::new(String::new());
    let hours = RwSignal::new("0".to_owned());
    let open = RwSignal::new(false);
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let saved = RwSignal::new(false);
    // Filled once from the stored profile; what the user types then stays theirs.
    spawn_local(async move {
        match call(&ops::Profile { member: None }).await {
            Ok(p) => {
                name.set(p.name);
                title.set(p.title);
                team.set(p.team);
                location.set(p.location);
                hours.set(p.hours_per_month.to_string());
                open.set(p.open_to_mentoring);
            }
            Err(e) => error.set(Some(e)),
        }
    });
    let save = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let Some(hours_per_month) = whole_number(
            i18n,
            &hours.get_untracked(),
            "settings.hours_invalid",
            error,
        ) else {
            return;
        };
        let args = ops::SetProfile {
            profile: ProfilePatch {
                name: Some(name.get_untracked()),
                title: Some(title.get_untracked()),
                team: Some(team.get_untracked()),
                location: Some(location.get_untracked()),
                languages: None,
                hours_per_month: Some(hours_per_month),
                open_to_mentoring: Some(open.get_untracked()),
            },
        };
        spawn_local(async move {
            match call(&args).await {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card profile-form" on:submit=save>
            <Field id="profile-name" key="settings.name" value=name/>
            <Field id="profile-title" key="settings.job_title" value=title/>
            <Field id="profile-team" key="settings.team" value=team/>
            <Field id="profile-location" key="settings.location" value=location/>
            <label for="profile-hours">{move || i18n.t("settings.hours")}</label>
            <input
                id="profile-hours"
                type="number"
                min="0"
                max="200"
                prop:value=move || hours.get()
                on:input=move |ev| hours.set(event_target_value(&ev))
            />
            <label class="inline">
                <input
                    id="profile-open"
                    type="checkbox"
                    prop:checked=move || open.get()
                    on:change=move |ev| open.set(event_target_checked(&ev))
                />
                {move || i18n.t("settings.open")}
            </label>
            <button id="profile-save" type="submit">{move || i18n.t("settings.save_profile")}</button>
            <Show when=move || saved.get()>
                <p class="saved" role="status">{move || i18n.t("settings.profile_saved")}</p>
            </Show>
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </form>
    }
}

/// The folder field of an export, import or report, filled with the default folder.
pub(crate) fn default_folder(dir: RwSignal<String>) {
    spawn_local(async move {
        if let Ok(default) = call(&ops::DefaultExportDir {}).await
            && dir.get_untracked().is_empty()
        {
            dir.set(default);
        }
    });
}

/// `Counts` as "3 notes · 2 threads · …", in the reader's language (kinds with none left out).
pub(crate) fn counts(i18n: I18n, c: &Counts) -> String {
    let kinds = [
        (c.members, "settings.count_members"),
        (c.skills, "settings.count_skills"),
        (c.claims, "settings.count_claims"),
        (c.endorsements, "settings.count_endorsements"),
        (c.communities, "settings.count_communities"),
        (c.notes, "settings.count_notes"),
        (c.threads, "settings.count_threads"),
        (c.mentoring, "settings.count_mentoring"),
        (c.reviews, "settings.count_reviews"),
        (c.sessions, "settings.count_sessions"),
    ];
    let parts: Vec<String> = kinds
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, key)| i18n.tf(key, &[("count", &n.to_string())]))
        .collect();
    if parts.is_empty() {
        i18n.t("settings.count_nothing")
    } else {
        parts.join(" · ")
    }
}

/// Export the workspace to a folder (a JSON file and the notes as Markdown), import one.
#[component]
pub(crate) fn ExportImport() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let dir = RwSignal::new(String::new());
    default_folder(dir);
    let busy = RwSignal::new(false);
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let exported: RwSignal<Option<ExportSummary>> = RwSignal::new(None);
    let imported: RwSignal<Option<ImportSummary>> = RwSignal::new(None);
    let export = move |_| {
        busy.set(true);
        error.set(None);
        imported.set(None);
        let args = ops::ExportWorkspace {
            dir: dir.get_untracked(),
        };
        spawn_local(async move {
            let result = call(&args).await;
            busy.set(false);
            match result {
                Ok(summary) => exported.set(Some(summary)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let import = move |_| {
        busy.set(true);
        error.set(None);
        exported.set(None);
        let args = ops::ImportWorkspace {
            dir: dir.get_untracked(),
        };
        spawn_local(async move {
            let result = call(&args).await;
            busy.set(false);
            match result {
                Ok(summary) => imported.set(Some(summary)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="card transfer">
            <label for="transfer-dir">{move || i18n.t("settings.folder")}</label>
            <input id="transfer-dir" prop:value=move || dir.get() on:input=move |ev| dir.set(event_target_value(&ev))/>
            <div class="buttons">
                <button id="export" type="button" disabled=move || busy.get() on:click=export>
                    {move || i18n.t("settings.export")}
                </button>
                <button id="import" type="button" disabled=move || busy.get() on:click=import>
                    {move || i18n.t("settings.import")}
                </button>
            </div>
            <Show when=move || busy.get()>
                <p class="progress" role="status">{move || i18n.t("settings.working")}</p>
            </Show>
            {move || {
                exported
                    .get()
                    .map(|s| {
                        view! {
                            <p id="export-done" class="saved" role="status">
                                {move || {
                                    i18n.tf(
                                        "settings.exported",
                                        &[("file", &s.file), ("what", &counts(i18n, &s.exported))],
                                    )
                                }}
                            </p>
                        }
                    })
            }}
            {move || {
                imported
                    .get()
                    .map(|s| {
                        view! {
                            <p id="import-done" class="saved" role="status">
                                {move || {
                                    i18n.tf(
                                        "settings.imported",
                                        &[("added", &counts(i18n, &s.added)), ("skipped", &counts(i18n, &s.skipped))],
                                    )
                                }}
                            </p>
                        }
                    })
            }}
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </div>
    }
}

/// Saves this member's contribution report (Markdown) into a folder.
#[component]
pub(crate) fn SaveReport() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let dir = RwSignal::new(String::new());
    default_folder(dir);
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let saved: RwSignal<Option<String>> = RwSignal::new(None);
    let since = RwSignal::new(String::new());
    let save = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::SaveReport {
            dir: dir.get_untracked(),
            since: Some(since.get_untracked()).filter(|s| !s.is_empty()),
            language: i18n.locale.get_untracked().code().to_owned(),
        };
        spawn_local(async move {
            match call(&args).await {
                Ok(path) => {
                    error.set(None);
                    saved.set(Some(path));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card" on:submit=save>
            <p class="muted">{move || i18n.t("kudos.report_help")}</p>
            <label for="report-since">{move || i18n.t("kudos.report_since")}</label>
            <input
                id="report-since"
                type="date"
                prop:value=move || since.get()
                on:change=move |ev| since.set(event_target_value(&ev))
            />
            <label for="report-dir">{move || i18n.t("settings.folder")}</label>
            <input id="report-dir" prop:value=move || dir.get() on:input=move |ev| dir.set(event_target_value(&ev))/>
            <button id="report-save" type="submit">{move || i18n.t("kudos.report_save")}</button>
            {move || {
                saved
                    .get()
                    .map(|path| {
                        view! {
                            <p id="report-done" class="saved" role="status">
                                {move || i18n.tf("kudos.report_saved", &[("file", &path)])}
                            </p>
                        }
                    })
            }}
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </form>
    }
}
