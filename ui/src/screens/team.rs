//! Team & sync: members and their roles, colleagues' devices and refused changes, invites.

use ipc::Invite;
use ipc::ops;
use ipc::sets::{InviteStatus, MemberRole};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::data::{act, loaded, watched};
use crate::components::error::ErrorLine;
use crate::components::labels::Labelled;
use crate::components::time::local_time;
use crate::i18n::I18n;
use crate::screens::bundles::{Bundles, InviteByCode, Relays};
use crate::tauri::call;

/// How long an invite made in the app stays valid, in hours.
const INVITE_HOURS: u64 = 72;

/// The warning on a device that sent changes the write rules refused.
fn refusal_text(i18n: I18n, count: usize, reason: Option<&str>) -> String {
    let reason = match reason {
        Some(r) if !r.trim().is_empty() => r.to_owned(),
        _ => i18n.t("team.refused_unknown"),
    };
    if count == 1 {
        i18n.tf("team.refused_one", &[("reason", &reason)])
    } else {
        let count = count.to_string();
        i18n.tf(
            "team.refused_many",
            &[("count", &count), ("reason", &reason)],
        )
    }
}

/// Team & sync: members (admins remove, promote or demote), a single-use invite with its copy button
/// code, the invites made so far (admins revoke the open ones), and the member devices this
/// one knows, with a warning on those that sent refused changes.
/// Puts `text` on the clipboard through the webview's asynchronous clipboard API.
async fn write_clipboard(text: &str) -> Result<(), ()> {
    use wasm_bindgen::JsCast as _;
    let navigator = web_sys::window().ok_or(())?.navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).map_err(|_| ())?;
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or(())?;
    let promise = write
        .call1(&clipboard, &text.into())
        .ok()
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
        .ok_or(())?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| ())
}

#[component]
pub(crate) fn Team() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let members = watched(|| ops::Members {});
    let peers = watched(|| ops::Peers {});
    let invites = watched(|| ops::Invites {});
    let i_am_admin = Memo::new(move |_| {
        members
            .get()
            .and_then(Result::ok)
            .is_some_and(|list| list.iter().any(|m| m.me && m.role == MemberRole::Admin))
    });
    let progress = watched(|| ops::SyncProgress {});
    let invite: RwSignal<Option<Invite>> = RwSignal::new(None);
    let ticket_field: NodeRef<leptos::html::Textarea> = NodeRef::new();
    // What the copy button did: the key of the line saying so.
    let copied: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let copy = move |_| {
        let Some(field) = ticket_field.get_untracked() else {
            return;
        };
        field.select();
        let text = field.value();
        spawn_local(async move {
            let outcome = match write_clipboard(&text).await {
                Ok(()) => "team.invite_copied",
                Err(()) => "team.invite_select",
            };
            copied.set(Some(outcome));
        });
    };
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let as_admin = RwSignal::new(false);
    let make_invite = move |_| {
        let admin = as_admin.get_untracked();
        spawn_local(async move {
            match call(&ops::CreateInvite {
                admin,
                seconds: Some(INVITE_HOURS * 3600),
                addrs: Vec::new(),
            })
            .await
            {
                Ok(i) => {
                    invite.set(Some(i));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let revoke = move |id: String| {
        spawn_local(async move {
            match call(&ops::RevokeInvite { id }).await {
                Ok(()) => error.set(None),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="team">
            <h1>{move || i18n.t("team.members")}</h1>
            {loaded(members, move |list| {
                let admin = list.iter().any(|m| m.me && m.role == MemberRole::Admin);
                view! {
                    <ul class="members">
                        {list
                            .into_iter()
                            .map(|m| {
                                let role = m.role;
                                let id = m.member_id.clone();
                                let (remove, promote, demote) = (id.clone(), id.clone(), id);
                                let can_act = admin && !m.me;
                                let can_promote = can_act && m.role != MemberRole::Admin;
                                let can_demote = can_act && m.role == MemberRole::Admin;
                                view! {
                                    <li class="member" data-name=m.name.clone()>
                                        <span class="name">{m.name.clone()}</span>
                                        <span class="role">{move || role.label(i18n)}</span>
                                        <Show when=move || m.me>
                                            <span class="you">{move || i18n.t("team.you")}</span>
                                        </Show>
                                        <Show when=move || can_promote>
                                            <button class="member-promote" on:click={
                                                let member = promote.clone();
                                                move |_| act(ops::PromoteMember { member: member.clone() }, error, || {})
                                            }>{move || i18n.t("team.promote")}</button>
                                        </Show>
                                        <Show when=move || can_demote>
                                            <button class="member-demote" on:click={
                                                let member = demote.clone();
                                                move |_| act(ops::DemoteMember { member: member.clone() }, error, || {})
                                            }>{move || i18n.t("team.demote")}</button>
                                        </Show>
                                        <Show when=move || can_act>
                                            <button class="danger member-remove" on:click={
                                                let member = remove.clone();
                                                move |_| act(ops::RemoveMember { member: member.clone() }, error, || {})
                                            }>{move || i18n.t("team.remove")}</button>
                                        </Show>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            })}
            <h2>{move || i18n.t("team.invite")}</h2>
            <p class="muted">{move || i18n.t("team.invite_help")}</p>
            <label class="inline">
                <input
                    id="invite-admin"
                    type="checkbox"
                    prop:checked=move || as_admin.get()
                    on:change=move |ev| as_admin.set(event_target_checked(&ev))
                />
                {move || i18n.t("team.invite_admin")}
            </label>
            <div class="buttons">
                <button id="invite-create" on:click=make_invite>
                    {move || i18n.t("team.invite_button")}
                </button>
                <InviteByCode/>
            </div>
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
            {move || {
                invite
                    .get()
                    .map(|i| {
                        let hours = i.hours.to_string();
                        view! {
                            <div class="invite">
                                <div>
                                    <textarea id="invite-ticket" readonly rows="4" node_ref=ticket_field>{i.ticket}</textarea>
                                    <button id="invite-copy" type="button" on:click=copy>
                                        {move || i18n.t("team.invite_copy")}
                                    </button>
                                    {move || {
                                        copied
                                            .get()
                                            .map(|key| view! { <p id="invite-copied" role="status">{move || i18n.t(key)}</p> })
                                    }}
                                    <p class="muted">
                                        {move || i18n.tf("team.invite_expires", &[("hours", &hours)])}
                                    </p>
                                </div>
                            </div>
                        }
                    })
            }}
            <Show when=move || i_am_admin.get()>
                <h2>{move || i18n.t("team.invites")}</h2>
                {loaded(invites, move |list| {
                    if list.is_empty() {
                        return view! { <p class="muted">{move || i18n.t("team.invites_none")}</p> }
                            .into_any();
                    }
                    view! {
                        <ul class="invites">
                            {list
                                .into_iter()
                                .map(|inv| {
                                    let status = inv.status;
                                    let role = inv.role;
                                    let expires = inv.expires_at.clone();
                                    let open = inv.status == InviteStatus::Open;
                                    let id = inv.id.clone();
                                    view! {
                                        <li class="invite-item" data-status=inv.status.as_str()>
                                            <span class="invite-status">
                                                {move || status.label(i18n)}
                                            </span>
                                            <span class="invite-role">
                                                {move || role.label(i18n)}
                                            </span>
                                            <span class="invite-expiry muted">
                                                {move || {
                                                    let when = local_time(i18n.locale.get(), &expires);
                                                    i18n.tf("team.invite_expiry", &[("when", &when)])
                                                }}
                                            </span>
                                            {open
                                                .then(|| {
                                                    view! {
                                                        <button
                                                            class="danger invite-revoke"
                                                            on:click=move |_| revoke(id.clone())
                                                        >
                                                            {move || i18n.t("team.invite_revoke")}
                                                        </button>
                                                    }
                                                })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                })}
            </Show>
            <h2>{move || i18n.t("team.peers")}</h2>
            // A large sync under way: how many of the documents a peer announced have arrived
            // (refreshed by the change events their arrival sends).
            {move || {
                progress
                    .get()
                    .and_then(Result::ok)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| p.arrived < p.expected)
                    .map(|p| {
                        let who = p.name.clone().unwrap_or_else(|| p.peer.clone());
                        let (arrived, expected) = (p.arrived.to_string(), p.expected.to_string());
                        view! {
                            <div class="sync-progress" role="status">
                                <span>
                                    {move || {
                                        i18n.tf(
                                            "team.receiving",
                                            &[("name", &who), ("arrived", &arrived), ("expected", &expected)],
                                        )
                                    }}
                                </span>
                                <progress max=p.expected.to_string() value=p.arrived.to_string()></progress>
                            </div>
                        }
                    })
                    .collect_view()
            }}
            {loaded(peers, move |value| match value {
                list if list.is_empty() => {
                    view! { <p class="muted">{move || i18n.t("team.peers_none")}</p> }.into_any()
                }
                list => {
                    view! {
                        <ul class="peers">
                            {list
                                .into_iter()
                                .map(|p| {
                                    let name = p.name.clone().unwrap_or_else(|| p.peer.clone());
                                    let synced = p.last_synced.clone();
                                    let refused = p.refused_changes;
                                    let reason = p.last_refusal.clone();
                                    let path = p.path.clone();
                                    view! {
                                        <li class="peer" class:refusing={refused > 0}>
                                            <span class="name">{name}</span>
                                            {path
                                                .map(|path| {
                                                    let key = match path.as_str() {
                                                        "hole-punched" => "team.path_punched",
                                                        "relayed" => "team.path_relayed",
                                                        _ => "team.path_direct",
                                                    };
                                                    view! {
                                                        <span class="path" data-path=path>{move || i18n.t(key)}</span>
                                                    }
                                                })}
                                            <span class="muted">
                                                {move || match &synced {
                                                    Some(when) => {
                                                        let when = local_time(i18n.locale.get(), when);
                                                        i18n.tf("team.synced", &[("when", &when)])
                                                    }
                                                    None => i18n.t("team.never_synced"),
                                                }}
                                            </span>
                                            {(refused > 0)
                                                .then(|| {
                                                    view! {
                                                        <p class="warning refused" role="alert">
                                                            {move || refusal_text(i18n, refused, reason.as_deref())}
                                                        </p>
                                                    }
                                                })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            })}
            <Relays admin=i_am_admin/>
            <Bundles/>
        </section>
    }
}
