//! Mentoring: starting a relationship with a colleague (who mentors whom, how often, the goals),
//! and for each relationship its agreement, goals, logged sessions and actions, with a form to
//! log the next session.

use ipc::forms::{GoalChange, LogDraft, MentoringDraft, MentoringRole};
use ipc::ops;
use ipc::views::MentoringView;
use leptos::ev;
use leptos::prelude::*;

use crate::components::actions::ActionList;
use crate::components::calendar::{CalendarButton, CalendarOf};
use crate::components::colleagues::ColleagueSelect;
use crate::components::data::{Drafts, act, loaded, watched};
use crate::components::error::ErrorLine;
use crate::components::forms::{lines, whole_number};
use crate::components::labels::{Labelled, level_name, skill_label};
use crate::i18n::I18n;

#[component]
pub(crate) fn Mentoring(member_id: String) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let list = watched(|| ops::Mentorings {});
    let drafts = Drafts::new();
    let members = watched(|| ops::Members {});

    let with = RwSignal::new(String::new());
    let role = RwSignal::new("mentor".to_owned());
    let cadence = RwSignal::new("14".to_owned());
    let goals = RwSignal::new(String::new());
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let start = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let role = match role.get_untracked().parse::<MentoringRole>() {
            Ok(role) => role,
            Err(e) => {
                error.set(Some(ipc::Error::new(ipc::ErrorKind::Invalid, e)));
                return;
            }
        };
        let args = ops::MentoringStart {
            draft: MentoringDraft {
                with: with.get_untracked(),
                role,
                reverse: false,
                goals: lines(&goals.get_untracked()),
                cadence_days: cadence.get_untracked().trim().parse().ok(),
            },
        };
        act(args, error, move || {
            goals.set(String::new());
            with.set(String::new());
        });
    };
    let role_option = move |value: &'static str, key: &'static str| {
        view! {
            <option value=value selected=move || role.get() == value>
                {move || i18n.t(key)}
            </option>
        }
    };

    view! {
        <section class="mentoring-screen">
            <h1>{move || i18n.t("mentoring.title")}</h1>
            <form class="card" on:submit=start>
                <h2>{move || i18n.t("mentoring.start_title")}</h2>
                <label for="mentoring-with">{move || i18n.t("mentoring.with")}</label>
                <ColleagueSelect id="mentoring-with" members chosen=with/>
                <label for="mentoring-role">{move || i18n.t("mentoring.role")}</label>
                <select id="mentoring-role" on:change=move |ev| role.set(event_target_value(&ev))>
                    {role_option("mentor", "mentoring.role_mentor")}
                    {role_option("mentee", "mentoring.role_mentee")}
                    {role_option("cross", "mentoring.role_cross")}
                </select>
                <label for="mentoring-cadence">{move || i18n.t("mentoring.cadence")}</label>
                <input
                    id="mentoring-cadence"
                    type="number"
                    min="1"
                    max="365"
                    prop:value=move || cadence.get()
                    on:input=move |ev| cadence.set(event_target_value(&ev))
                />
                <label for="mentoring-goals">{move || i18n.t("mentoring.goals")}</label>
                <textarea
                    id="mentoring-goals"
                    rows="3"
                    prop:value=move || goals.get()
                    on:input=move |ev| goals.set(event_target_value(&ev))
                ></textarea>
                <button id="mentoring-start" type="submit">{move || i18n.t("mentoring.start")}</button>
                {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
            </form>
            <Suggestions me=member_id/>
            <h2>{move || i18n.t("mentoring.list_title")}</h2>
            {loaded(list, move |list| {
                if list.is_empty() {
                    return view! { <p class="muted">{move || i18n.t("mentoring.none")}</p> }
                        .into_any();
                }
                list.into_iter()
                    .map(|m| view! { <Relationship m drafts/> })
                    .collect_view()
                    .into_any()
            })}
        </section>
    }
}

/// One relationship: agreement, goals, sessions, actions, and the form to log a session.
#[component]
fn Relationship(m: MentoringView, drafts: Drafts) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let key = |field: &str| format!("{}/{field}", m.id);
    let minutes = drafts.field(key("minutes"), || "45".to_owned());
    let notes = drafts.field(key("notes"), String::new);
    let topics = drafts.field(key("topics"), String::new);
    let actions = drafts.field(key("actions"), String::new);
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let id = m.id.clone();
    let log = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let Some(minutes_given) = whole_number(
            i18n,
            &minutes.get_untracked(),
            "mentoring.minutes_invalid",
            error,
        ) else {
            return;
        };
        let args = ops::MentoringLog {
            log: LogDraft {
                id: id.clone(),
                minutes: minutes_given,
                date: None,
                notes: notes.get_untracked(),
                topics: topics
                    .get_untracked()
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .collect(),
                actions: lines(&actions.get_untracked()),
            },
        };
        let sent = format!("{}/", args.log.id);
        act(args, error, move || {
            drafts.forget(&sent);
            notes.set(String::new());
            topics.set(String::new());
            actions.set(String::new());
        });
    };
    let kind = m.kind;
    let (mentor, mentee) = (m.mentor.name.clone(), m.mentee.name.clone());
    let cadence = m.cadence_days as usize;
    let last = m.last_session.clone();
    let doc = m.id.clone();
    view! {
        <article class="card mentoring" data-id=m.id.clone()>
            <h3>
                {move || i18n.tf("mentoring.pair", &[("mentor", &mentor), ("mentee", &mentee)])}
                <span class="badge">{move || kind.label(i18n)}</span>
                {m.due.then(|| view! { <span class="badge due">{move || i18n.t("mentoring.due")}</span> })}
            </h3>
            <p class="muted">
                {move || {
                    let last = last.clone().unwrap_or_else(|| i18n.t("mentoring.never"));
                    let every = i18n.tn("mentoring.every", cadence);
                    i18n.tf("mentoring.agreement", &[("every", &every), ("last", &last)])
                }}
            </p>
            <CalendarButton of=CalendarOf::Mentoring id=m.id.clone()/>
            <h4>{move || i18n.t("mentoring.goals_title")}</h4>
            <ul class="goals">
                {m
                    .goals
                    .into_iter()
                    .map(|g| {
                        let (doc, goal) = (doc.clone(), g.id.clone());
                        let progress = g.progress.to_string();
                        view! {
                            <li class="goal" class:done=g.done>
                                <span>{g.text}</span>
                                <progress max="100" value=progress.clone()></progress>
                                <span class="muted">{format!("{progress} %")}</span>
                                {(!g.done)
                                    .then(|| {
                                        let (doc_p, goal_p) = (doc.clone(), goal.clone());
                                        let now = g.progress;
                                        view! {
                                            <select
                                                class="goal-progress"
                                                aria-label=move || i18n.t("mentoring.goal_progress")
                                                on:change=move |ev| {
                                                    if let Ok(percent) = event_target_value(&ev).parse() {
                                                        let change = GoalChange::Progress { goal: goal_p.clone(), percent };
                                                        act(ops::MentoringGoal { id: doc_p.clone(), change }, error, || {});
                                                    }
                                                }
                                            >
                                                {(0..=10u8)
                                                    .map(|step| {
                                                        let percent = step * 10;
                                                        view! {
                                                            <option value=percent.to_string() selected=percent == now>
                                                                {format!("{percent} %")}
                                                            </option>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </select>
                                        }
                                    })}
                                {(!g.done)
                                    .then(|| {
                                        view! {
                                            <button
                                                class="goal-done"
                                                on:click=move |_| {
                                                    act(ops::MentoringGoal { id: doc.clone(), change: GoalChange::Done(goal.clone()) },
                                                        error,
                                                        || {},
                                                    )
                                                }
                                            >
                                                {move || i18n.t("mentoring.goal_reached")}
                                            </button>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <h4>{move || i18n.t("mentoring.sessions_title")}</h4>
            {if m.sessions.is_empty() {
                view! { <p class="muted">{move || i18n.t("mentoring.no_sessions")}</p> }.into_any()
            } else {
                view! {
                    <ul class="log">
                        {m
                            .sessions
                            .into_iter()
                            .rev()
                            .map(|s| {
                                let (date, minutes, by) = (s.date, s.minutes.to_string(), s.logged_by.name);
                                let topics = s.topics.join(", ");
                                view! {
                                    <li class="logged">
                                        <strong>
                                            {move || {
                                                i18n.tf(
                                                    "mentoring.logged",
                                                    &[("date", &date), ("minutes", &minutes), ("name", &by)],
                                                )
                                            }}
                                        </strong>
                                        <span class="topics">{topics}</span>
                                        <p class="notes">{s.notes}</p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <ActionList actions=m.actions error/>
            <form class="log-form" on:submit=log>
                <h4>{move || i18n.t("mentoring.log_title")}</h4>
                <label>
                    {move || i18n.t("mentoring.minutes")}
                    <input
                        class="log-minutes"
                        type="number"
                        min="1"
                        prop:value=move || minutes.get()
                        on:input=move |ev| minutes.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    {move || i18n.t("mentoring.notes")}
                    <textarea
                        class="log-notes"
                        rows="3"
                        prop:value=move || notes.get()
                        on:input=move |ev| notes.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <label>
                    {move || i18n.t("mentoring.topics")}
                    <input
                        class="log-topics"
                        prop:value=move || topics.get()
                        on:input=move |ev| topics.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    {move || i18n.t("mentoring.actions")}
                    <textarea
                        class="log-actions"
                        rows="2"
                        prop:value=move || actions.get()
                        on:input=move |ev| actions.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <button class="log-submit" type="submit">{move || i18n.t("mentoring.log")}</button>
                {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
            </form>
        </article>
    }
}

/// How many suggested pairs the screen lists.
const SUGGESTIONS_SHOWN: usize = 12;

/// Suggested pairs across the team, reciprocal ones first, each with why; the ones that
/// involve me can be started in one click.
#[component]
fn Suggestions(me: String) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let list = watched(|| ops::Suggestions { member: None });
    let skills = watched(|| ops::Skills {});
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let me = StoredValue::new(me);
    let skill_name = move |id: &str| {
        let known = skills.get().and_then(Result::ok).unwrap_or_default();
        skill_label(&known, i18n.locale.get(), id)
    };
    view! {
        <h2>{move || i18n.t("mentoring.suggest_title")}</h2>
        {loaded(list, move |list| {
            if list.is_empty() {
                return view! { <p class="muted">{move || i18n.t("mentoring.suggest_none")}</p> }
                    .into_any();
            }
            view! {
                <ul class="suggestions">
                    {list
                        .into_iter()
                        .take(SUGGESTIONS_SHOWN)
                        .map(|s| {
                            let mine = me.with_value(|me| {
                                if &s.mentor.member_id == me {
                                    Some((MentoringRole::Mentor, s.mentee.member_id.clone()))
                                } else if &s.mentee.member_id == me {
                                    Some((MentoringRole::Mentee, s.mentor.member_id.clone()))
                                } else {
                                    None
                                }
                            });
                            let pair = (s.mentor.name.clone(), s.mentee.name.clone());
                            let suggestion = s.clone();
                            let why = move || {
                                let s = &suggestion;
                                let skill = skill_name(&s.skill);
                                let mut parts = vec![i18n.tf(
                                    "mentoring.suggest_why",
                                    &[
                                        ("mentor", &s.mentor.name),
                                        ("level", &level_name(i18n, s.mentor_level)),
                                        ("skill", &skill),
                                        ("mentee", &s.mentee.name),
                                    ],
                                )];
                                if s.mentor_hours > 0 {
                                    let hours = s.mentor_hours.to_string();
                                    parts.push(i18n.tf("people.why_hours", &[("hours", &hours)]));
                                }
                                if s.mentor_open {
                                    parts.push(i18n.t("directory.open"));
                                }
                                if let Some(back) = &s.reciprocal {
                                    parts.push(i18n.tf(
                                        "mentoring.suggest_reciprocal",
                                        &[("mentee", &s.mentee.name), ("skill", &skill_name(back))],
                                    ));
                                }
                                parts.join(" · ")
                            };
                            let skill = s.skill.clone();
                            view! {
                                <li
                                    class="suggestion"
                                    class:reciprocal=s.reciprocal.is_some()
                                    data-mentor=s.mentor.name.clone()
                                    data-mentee=s.mentee.name.clone()
                                >
                                    <strong>
                                        {move || {
                                            i18n.tf(
                                                "mentoring.suggest_pair",
                                                &[("mentor", &pair.0), ("mentee", &pair.1), ("skill", &skill_name(&skill))],
                                            )
                                        }}
                                    </strong>
                                    {s.reciprocal.is_some().then(|| view! { <span class="badge">{move || i18n.t("mentoring.reciprocal")}</span> })}
                                    <span class="why muted">{why}</span>
                                    {mine
                                        .map(|(role, with)| {
                                            view! {
                                                <button
                                                    class="suggest-start"
                                                    on:click=move |_| {
                                                        let draft = MentoringDraft {
                                                            with: with.clone(),
                                                            role,
                                                            reverse: false,
                                                            goals: Vec::new(),
                                                            cadence_days: None,
                                                        };
                                                        act(ops::MentoringStart { draft }, error, || {})
                                                    }
                                                >
                                                    {move || i18n.t("mentoring.start")}
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
        {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
    }
}
