//! Recognition: kudos given and received across the team, giving one, and the time this member
//! gave and received (the credited minutes of mentoring, reviews and sessions).

use ipc::ops;
use ipc::views::CreditView;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::colleagues::ColleagueSelect;
use crate::components::data::{act, loaded, watched};
use crate::components::error::ErrorLine;
use crate::components::labels::Labelled;
use crate::components::more::{ShowMore, counts, shown};
use crate::components::time::local_time;
use crate::i18n::I18n;
use crate::screens::account::SaveReport;
use crate::tauri::call;

/// Minutes as hours and minutes (`1 h 05`, `45 min`).
fn duration(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m:02}"),
    }
}

/// This member's sharing record over a period they choose.
#[component]
fn MySharing() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let since = RwSignal::new(String::new());
    let record = watched(move || ops::Sharing {
        member: None,
        since: Some(since.get()).filter(|s| !s.is_empty()),
    });
    view! {
        <section>
            <h2>{move || i18n.t("sharing.title")}</h2>
            <label for="sharing-since">{move || i18n.t("programme.since")}</label>
            <input
                id="sharing-since"
                type="date"
                prop:value=move || since.get()
                on:change=move |ev| since.set(event_target_value(&ev))
            />
            {loaded(record, move |r| view! { <SharingLine record=r/> }.into_any())}
        </section>
    }
}

/// A sharing record in one line.
#[component]
pub(crate) fn SharingLine(record: ipc::views::SharingRecord) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let names = ["notes", "answers", "sessions", "minutes", "endorsements"];
    let counts: Vec<(&str, String)> = names
        .into_iter()
        .zip(record.counts().map(|n| n.to_string()))
        .collect();
    view! {
        <p class="sharing-record">
            {move || {
                let args: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
                i18n.tf("sharing.record", &args)
            }}
        </p>
    }
}

#[component]
pub(crate) fn Recognition(member_id: String) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let me = StoredValue::new(member_id);
    let credits = watched(move || ops::Credits {
        member: Some(me.get_value()),
    });
    let confirm_error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let kudos = watched(|| ops::Kudos {});
    let kudos_limit = shown();
    let kudos_counts = Signal::derive(move || {
        kudos
            .get()
            .and_then(Result::ok)
            .map(|l| counts(l.len(), kudos_limit.get()))
    });
    let members = watched(|| ops::Members {});
    let balance = watched(|| ops::Balance { member: None });

    let to = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let give = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::GiveKudos {
            member: to.get_untracked(),
            message: message.get_untracked(),
            skill: None,
        };
        spawn_local(async move {
            match call(&args).await {
                Ok(_) => {
                    error.set(None);
                    message.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <section class="recognition">
            <h1>{move || i18n.t("kudos.title")}</h1>
            <section>
                <h2>{move || i18n.t("kudos.give_title")}</h2>
                <form class="card" on:submit=give>
                    <label for="kudos-to">{move || i18n.t("kudos.to")}</label>
                    <ColleagueSelect id="kudos-to" members chosen=to/>
                    <label for="kudos-message">{move || i18n.t("kudos.message")}</label>
                    <textarea
                        id="kudos-message"
                        rows="3"
                        required
                        prop:value=move || message.get()
                        on:input=move |ev| message.set(event_target_value(&ev))
                    ></textarea>
                    <button id="kudos-give" type="submit">{move || i18n.t("kudos.give")}</button>
                    {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
                </form>
            </section>
            <section>
                <h2>{move || i18n.t("kudos.balance_title")}</h2>
                {loaded(balance, move |b| {
                    let (given, received, pending) = (
                        duration(b.given_minutes),
                        duration(b.received_minutes),
                        duration(b.pending_minutes),
                    );
                    view! {
                        <p id="balance">
                            {move || {
                                i18n.tf(
                                    "kudos.balance",
                                    &[
                                        ("given", &given),
                                        ("received", &received),
                                        ("pending", &pending),
                                    ],
                                )
                            }}
                        </p>
                    }
                        .into_any()
                })}
            </section>
            <section>
                <h2>{move || i18n.t("kudos.confirm_title")}</h2>
                {loaded(credits, move |list| {
                    let waiting: Vec<CreditView> = me.with_value(|me| {
                        list.into_iter()
                            .filter(|c| !c.confirmed && c.receivers.iter().any(|r| &r.member_id == me))
                            .collect()
                    });
                    if waiting.is_empty() {
                        return view! { <p class="muted">{move || i18n.t("kudos.confirm_none")}</p> }
                            .into_any();
                    }
                    view! {
                        <ul class="credits">
                            {waiting
                                .into_iter()
                                .map(|c| {
                                    let id = c.id.clone();
                                    let (giver, minutes) = (c.giver.name.clone(), duration(c.minutes));
                                    let kind = c.kind;
                                    view! {
                                        <li class="credit" data-kind=kind.as_str()>
                                            <span class="who">{giver}</span>
                                            <span>{move || kind.label(i18n)}</span>
                                            <span class="muted">{minutes}</span>
                                            <button
                                                class="credit-confirm"
                                                on:click=move |_| {
                                                    act(ops::ConfirmCredit { id: id.clone() }, confirm_error, || {})
                                                }
                                            >
                                                {move || i18n.t("kudos.confirm")}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                })}
                {move || confirm_error.get().map(|e| view! { <ErrorLine error=e/> })}
            </section>
            <MySharing/>
            <section>
                <h2>{move || i18n.t("kudos.report_title")}</h2>
                <SaveReport/>
            </section>
            <section>
                <h2>{move || i18n.t("kudos.list_title")}</h2>
                {loaded(kudos, move |value| match value {
                    list if list.is_empty() => {
                        view! { <p class="muted">{move || i18n.t("kudos.none")}</p> }.into_any()
                    }
                    mut list => {
                        list.sort_by(|a, b| b.created_at.cmp(&a.created_at));
                        view! {
                            <ul class="kudos-list">
                                {list
                                    .into_iter()
                                    .take(kudos_limit.get())
                                    .map(|k| {
                                        let (from, to, when) = (k.from.name, k.to.name, k.created_at);
                                        view! {
                                            <li class="kudos">
                                                <span class="who">
                                                    {move || {
                                                        i18n.tf("kudos.from_to", &[("from", &from), ("to", &to)])
                                                    }}
                                                </span>
                                                <q class="message">{k.message}</q>
                                                <span class="muted">{move || local_time(i18n.locale.get(), &when)}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                })}
                <ShowMore id="kudos-more" limit=kudos_limit counts=kudos_counts/>
            </section>
        </section>
    }
}
