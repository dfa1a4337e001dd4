//! Home: greeting, when this device last synced, reminders, recent notes.

use ipc::ops;
use ipc::sets::ReminderKind;
use leptos::prelude::*;

use crate::app::{Pane, Screen};
use crate::components::data::{loaded, watched};
use crate::components::time::local_time;
use crate::i18n::I18n;
use crate::screens::notes::newest_notes;

/// A reminder in the reader's language.
fn reminder_text(i18n: I18n, kind: ReminderKind, subject: &str, when: Option<&str>) -> String {
    let when = when.unwrap_or_default();
    match kind {
        ReminderKind::MentoringDue if when.is_empty() => {
            i18n.tf("home.mentoring_due_first", &[("name", subject)])
        }
        ReminderKind::MentoringDue => {
            i18n.tf("home.mentoring_due", &[("name", subject), ("last", when)])
        }
        ReminderKind::ActionOverdue => {
            i18n.tf("home.action_overdue", &[("text", subject), ("due", when)])
        }
        ReminderKind::SessionToday => {
            i18n.tf("home.session_today", &[("title", subject), ("time", when)])
        }
    }
}

/// How many of the newest notes the home screen shows.
const RECENT: u32 = 5;

#[component]
pub(crate) fn Home(
    name: String,
    workspace: String,
    pane: RwSignal<Pane>,
    screen: RwSignal<Screen>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let notes = newest_notes(RECENT);
    let reminders = watched(|| ops::Reminders {});
    let peers = watched(|| ops::Peers {});
    // The home screen with its newest notes is the first screen a member can act on.
    Effect::new(move |_| {
        // Not an error line: that is no screen to act on.
        if matches!(notes.get(), Some(Ok(_))) {
            crate::components::painted::mark();
        }
    });
    view! {
        <section class="home">
            <h1 id="home-title">{move || i18n.tf("home.hello", &[("name", &name)])}</h1>
            <p class="muted">{move || i18n.tf("home.workspace", &[("name", &workspace)])}</p>
            <p id="home-sync" class="muted">
                {move || {
                    let list = peers.get().and_then(Result::ok).unwrap_or_default();
                    let last = list.iter().filter_map(|p| p.last_synced.clone()).max();
                    match last {
                        None => i18n.t("home.never_synced"),
                        Some(when) => {
                            let devices = i18n.tn(
                                "home.devices",
                                list.iter().filter(|p| p.last_synced.is_some()).count(),
                            );
                            i18n.tf(
                                "home.synced",
                                &[("when", &local_time(i18n.locale.get(), &when)), ("devices", &devices)],
                            )
                        }
                    }
                }}
            </p>
            <h2>{move || i18n.t("home.reminders")}</h2>
            {loaded(reminders, move |list| {
                if list.is_empty() {
                    return view! { <p class="muted">{move || i18n.t("home.no_reminders")}</p> }
                        .into_any();
                }
                view! {
                    <ul class="reminders">
                        {list
                            .into_iter()
                            .map(|r| {
                                let target = if r.kind == ReminderKind::SessionToday {
                                    Screen::Sessions
                                } else {
                                    Screen::Mentoring
                                };
                                let kind = r.kind;
                                view! {
                                    <li>
                                        <button
                                            class="reminder"
                                            data-kind=r.kind.as_str()
                                            on:click=move |_| screen.set(target)
                                        >
                                            {move || reminder_text(i18n, kind, &r.subject, r.when.as_deref())}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            })}
            <h2>{move || i18n.t("home.recent")}</h2>
            {loaded(notes, move |page| {
                let list = page.notes;
                if list.is_empty() {
                    return view! { <p class="muted">{move || i18n.t("home.no_recent")}</p> }
                        .into_any();
                }
                view! {
                    <ul class="recent">
                        {list
                            .into_iter()
                            .map(|n| {
                                let id = n.id.clone();
                                view! {
                                    <li>
                                        <button
                                            class="recent-note"
                                            on:click=move |_| {
                                                pane.set(Pane::Show(id.clone()));
                                                screen.set(Screen::Notes);
                                            }
                                        >
                                            {n.title}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            })}
        </section>
    }
}
