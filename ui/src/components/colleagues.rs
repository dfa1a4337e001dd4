//! The colleague picker over the workspace's members (without me).

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
                        view! {
                            <option value=value selected=move || chosen.get() == this>
                                {m.name}
                            </option>
                        }
                    })
                    .collect_view()
            }}
        </select>
    }
}
