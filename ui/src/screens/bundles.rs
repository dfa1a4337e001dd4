//! Changes carried across the air gap: save what a colleague's device lacks into a signed file,
//! open a file a colleague saved for this device.

use ipc::ops;
use ipc::views::{BundleApplied, BundleSaved};
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::colleagues::ColleagueSelect;
use crate::components::data::watched;
use crate::components::error::ErrorLine;
use crate::i18n::I18n;
use crate::screens::account::default_folder;
use crate::tauri::call;

/// "Save changes for a colleague" and "Open changes from a colleague".
#[component]
pub(crate) fn Bundles() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let members = watched(|| ops::Members {});
    let colleague = RwSignal::new(String::new());
    let dir = RwSignal::new(String::new());
    default_folder(dir);
    let file = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let saved: RwSignal<Option<BundleSaved>> = RwSignal::new(None);
    let applied: RwSignal<Option<BundleApplied>> = RwSignal::new(None);
    let save = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::CreateBundle {
            member: colleague.get_untracked(),
            dir: dir.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        applied.set(None);
        spawn_local(async move {
            let result = call(&args).await;
            busy.set(false);
            match result {
                Ok(s) => saved.set(Some(s)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let open = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::ApplyBundle {
            file: file.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        saved.set(None);
        spawn_local(async move {
            let result = call(&args).await;
            busy.set(false);
            match result {
                Ok(a) => applied.set(Some(a)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="bundles card">
            <h2>{move || i18n.t("bundle.title")}</h2>
            <p class="muted">{move || i18n.t("bundle.help")}</p>
            <form class="bundle-save" on:submit=save>
                <label for="bundle-for">{move || i18n.t("bundle.for")}</label>
                <ColleagueSelect id="bundle-for" members chosen=colleague/>
                <label for="bundle-dir">{move || i18n.t("settings.folder")}</label>
                <input id="bundle-dir" prop:value=move || dir.get() on:input=move |ev| dir.set(event_target_value(&ev))/>
                <button id="bundle-save" type="submit" disabled=move || busy.get()>
                    {move || i18n.t("bundle.save")}
                </button>
            </form>
            <form class="bundle-open" on:submit=open>
                <label for="bundle-file">{move || i18n.t("bundle.file")}</label>
                <input
                    id="bundle-file"
                    required
                    placeholder="…/entrepairs-for-….epbundle"
                    prop:value=move || file.get()
                    on:input=move |ev| file.set(event_target_value(&ev))
                />
                <button id="bundle-open" type="submit" disabled=move || busy.get()>
                    {move || i18n.t("bundle.open")}
                </button>
            </form>
            <Show when=move || busy.get()>
                <p class="progress" role="status">{move || i18n.t("settings.working")}</p>
            </Show>
            {move || {
                saved
                    .get()
                    .map(|s| {
                        let (count, kib) = (s.documents.to_string(), s.bytes.div_ceil(1024).to_string());
                        view! {
                            <p id="bundle-saved" class="saved" role="status">
                                {move || {
                                    i18n.tf(
                                        "bundle.saved",
                                        &[("count", &count), ("name", &s.name), ("kib", &kib), ("file", &s.file)],
                                    )
                                }}
                            </p>
                        }
                    })
            }}
            {move || {
                applied
                    .get()
                    .map(|a| {
                        let count = a.documents.to_string();
                        let refused = a.refused.clone();
                        view! {
                            <p id="bundle-applied" class="saved" role="status">
                                {move || i18n.tf("bundle.applied", &[("count", &count), ("name", &a.name)])}
                            </p>
                            {refused
                                .map(|why| {
                                    view! {
                                        <p class="warning" role="alert">
                                            {move || i18n.tf("bundle.refused", &[("reason", &why)])}
                                        </p>
                                    }
                                })}
                        }
                    })
            }}
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </section>
    }
}
