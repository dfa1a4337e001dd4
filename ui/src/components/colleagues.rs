//! The colleague picker over the workspace's members (without me).

use ipc::fold;
use ipc::views::MemberView;
use leptos::prelude::*;

use crate::i18n::I18n;

/// A colleague picker over the workspace's members (without me).
#[component]
pub(crate) fn ColleagueSelect(
    id: &'static str,
    members: LocalResource<Result<Vec<MemberView>, ipc::Error>>,
    chosen: RwSignal<String>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    view! {
        <select id=id required on:change=move |ev| chosen.set(event_target_value(&ev))>
            <option value="" selected=move || chosen.get().is_empty()>
                {move || i18n.t("kudos.pick")}
            </option>
            {move || {
                members
                    .get()
                    .and_then(Result::ok)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|m| !m.me)
                    .map(|m| {
                        let value = m.member_id.clone();
                        let this = m.member_id.clone();
                        let name = m.name.clone();
                        view! {
                            <option value=value data-name=name selected=move || chosen.get() == this>
                                {m.name}
                            </option>
                        }
                    })
                    .collect_view()
            }}
        </select>
    }
}

/// The most matches a [`ColleagueSearch`] lists at once.
const SHOWN: usize = 8;

/// A searchable colleague picker that scales to a large team: type part of a name (accents
/// and case ignored), then click a match or press Enter for the first one; `pick` gets the
/// member. Members in `except` are not offered.
#[component]
pub(crate) fn ColleagueSearch(
    id: &'static str,
    label: &'static str,
    members: LocalResource<Result<Vec<MemberView>, ipc::Error>>,
    except: Signal<Vec<String>>,
    pick: Callback<MemberView>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let query = RwSignal::new(String::new());
    let matches = move || {
        let needle = fold(&query.get());
        if needle.is_empty() {
            return Vec::new();
        }
        let skip = except.get();
        members
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|m| !skip.contains(&m.member_id) && fold(&m.name).contains(&needle))
            .take(SHOWN)
            .collect::<Vec<_>>()
    };
    let chosen = move |m: MemberView| {
        query.set(String::new());
        pick.run(m);
    };
    view! {
        <div class="colleague-search">
            <label for=id>{move || i18n.t(label)}</label>
            <input
                id=id
                type="search"
                autocomplete="off"
                placeholder=move || i18n.t("colleagues.search")
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        if let Some(first) = matches().into_iter().next() {
                            chosen(first);
                        }
                    }
                }
            />
            <ul class="matches">
                {move || {
                    matches()
                        .into_iter()
                        .map(|m| {
                            let (name, data) = (m.name.clone(), m.name.clone());
                            view! {
                                <li>
                                    <button type="button" class="pick" data-name=data on:click=move |_| chosen(m.clone())>
                                        {name}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
