//! Reaching colleagues past the LAN and into the room: a code read aloud to a newcomer, the
//! workspace's relays, and changes carried across the air gap (save what a colleague's device
//! lacks into a signed file, open a file a colleague saved for this device).

use ipc::ops;
use ipc::views::{BundleApplied, BundleSaved};
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::colleagues::ColleagueSelect;
use crate::components::data::{act, watched};
use crate::components::error::ErrorLine;
use crate::components::time::local_time;
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

/// The workspace's relays: listed for everyone, added and removed by admins.
#[component]
pub(crate) fn Relays(admin: Memo<bool>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let relays = watched(|| ops::Relays {});
    let addr = RwSignal::new(String::new());
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let add = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::AddRelay {
            addr: addr.get_untracked(),
        };
        act(args, error, move || addr.set(String::new()));
    };
    view! {
        <section class="relays">
            <h2>{move || i18n.t("relay.title")}</h2>
            <p class="muted">{move || i18n.t("relay.help")}</p>
            {move || {
                let list = relays.get().and_then(Result::ok).unwrap_or_default();
                if list.is_empty() {
                    return view! { <p class="muted" id="relays-none">{move || i18n.t("relay.none")}</p> }.into_any();
                }
                view! {
                    <ul class="relay-list">
                        {list
                            .into_iter()
                            .map(|r| {
                                let gone = r.clone();
                                view! {
                                    <li class="relay">
                                        <code>{r}</code>
                                        <Show when=move || admin.get()>
                                            {
                                                let gone = gone.clone();
                                                view! {
                                                    <button
                                                        type="button"
                                                        class="relay-remove"
                                                        on:click=move |_| act(ops::RemoveRelay { addr: gone.clone() }, error, || {})
                                                    >
                                                        {move || i18n.t("relay.remove")}
                                                    </button>
                                                }
                                            }
                                        </Show>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <Show when=move || admin.get()>
                <form class="relay-add" on:submit=add>
                    <label for="relay-addr">{move || i18n.t("relay.addr")}</label>
                    <input
                        id="relay-addr"
                        required
                        placeholder="/ip4/203.0.113.5/tcp/4001/p2p/12D3KooW…"
                        prop:value=move || addr.get()
                        on:input=move |ev| addr.set(event_target_value(&ev))
                    />
                    <button id="relay-add" type="submit">{move || i18n.t("relay.add")}</button>
                </form>
            </Show>
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </section>
    }
}

/// "Invite by code": a code to read aloud to a newcomer in the room, shown while it waits.
#[component]
pub(crate) fn InviteByCode() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let pending = watched(|| ops::PendingCode {});
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let make = move |_| act(ops::InviteCode {}, error, || {});
    view! {
        <button id="invite-code" type="button" on:click=make>
            {move || i18n.t("code.button")}
        </button>
        {move || {
            pending
                .get()
                .and_then(Result::ok)
                .flatten()
                .map(|c| {
                    let until = local_time(i18n.locale.get(), &c.expires_at);
                    let tries = c.tries_left.to_string();
                    view! {
                        <div class="code-shown" role="status">
                            <p id="invite-code-text" class="code">{c.code}</p>
                            <p class="muted">
                                {move || i18n.tf("code.help", &[("until", &until), ("tries", &tries)])}
                            </p>
                        </div>
                    }
                })
        }}
        {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
    }
}
