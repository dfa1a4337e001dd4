//! Guided sessions: planning one (format, title, time, who takes which role), and running it step
//! by step — each step's prompt, who speaks, its time box and a visible timer — then closing it
//! with takeaways, a rating and actions.

use ipc::forms::SessionDraft;
use ipc::ops;
use ipc::sets::{FormatId, SessionStatus};
use ipc::views::StepView;
use leptos::ev;
use leptos::prelude::*;
use std::collections::BTreeMap;
use std::time::Duration;

use crate::app::{Pane, Screen};
use crate::components::actions::ActionList;
use crate::components::calendar::{CalendarButton, CalendarOf};
use crate::components::colleagues::ColleagueSearch;
use crate::components::data::{act, loaded, watched};
use crate::components::error::ErrorLine;
use crate::components::forms::{CommunityOptions, lines};
use crate::components::labels::Labelled;
use crate::components::more::{ShowMore, counts, shown};
use crate::components::time::local_time;
use crate::i18n::I18n;
use crate::tauri::call;

/// `seconds` as `m:ss`.
fn clock(seconds: i64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The time box's upper bound in minutes ("10–15 min" → 15).
fn time_box_max(time_box: &str) -> Option<i64> {
    time_box
        .trim_end_matches(" min")
        .rsplit('–')
        .next()
        .and_then(|n| n.trim().parse().ok())
}

/// Who came, as the close asks for it: nobody named while everyone planned came and nobody else.
fn attended(planned: &[String], absent: &[String], walk_ins: &[String]) -> Vec<String> {
    if absent.is_empty() && walk_ins.is_empty() {
        return Vec::new();
    }
    planned
        .iter()
        .filter(|m| !absent.contains(m))
        .chain(walk_ins)
        .cloned()
        .collect()
}

/// Milliseconds since the epoch of an RFC 3339 time.
fn epoch_ms(rfc3339: &str) -> f64 {
    js_sys::Date::parse(rfc3339)
}

/// The next full hour in the reader's local time, as a `datetime-local` value: the planning
/// form's default.
fn next_hour() -> String {
    let date = js_sys::Date::new_0();
    date.set_minutes(0);
    date.set_seconds(0);
    date.set_milliseconds(0);
    date.set_hours(date.get_hours() + 1);
    format!(
        "{:04}-{:02}-{:02}T{:02}:00",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours()
    )
}

/// A `datetime-local` value (the reader's local time) as RFC 3339 in UTC.
fn to_rfc3339(local: &str) -> Option<String> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(local));
    if date.get_time().is_nan() {
        return None;
    }
    let iso: String = date.to_iso_string().into();
    // `2026-11-27T14:00:00.000Z` → `2026-11-27T14:00:00Z`.
    Some(format!("{}Z", &iso[..19]))
}

/// The sessions: the planning form and the list, or the one in `open`. A takeaway note opens
/// in `pane` on the Notes `screen`.
#[component]
pub(crate) fn Sessions(
    open: RwSignal<Option<String>>,
    pane: RwSignal<Pane>,
    screen: RwSignal<Screen>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let list = watched(|| ops::Sessions { upcoming: false });
    let limit = shown();
    let counts = Signal::derive(move || {
        list.get()
            .and_then(Result::ok)
            .map(|l| counts(l.len(), limit.get()))
    });
    view! {
        <section class="sessions">
            <h1>{move || i18n.t("session.title")}</h1>
            {move || match open.get() {
                Some(id) => view! { <Run id open pane screen/> }.into_any(),
                None => {
                    view! {
                        <Plan open/>
                        <h2>{move || i18n.t("session.list_title")}</h2>
                        {loaded(list, move |mut list| {
                            if list.is_empty() {
                                return view! { <p class="muted">{move || i18n.t("session.none")}</p> }
                                    .into_any();
                            }
                            list.sort_by(|a, b| b.at.cmp(&a.at));
                            view! {
                                <ul class="session-list">
                                    {list
                                        .into_iter()
                                        .take(limit.get())
                                        .map(|s| {
                                            let id = s.id.clone();
                                            let (format, status, at) = (s.format, s.status, s.at.clone());
                                            view! {
                                                <li>
                                                    <button class="session-item" on:click=move |_| open.set(Some(id.clone()))>
                                                        <span class="badge">{move || format.label(i18n)}</span>
                                                        <span class="title">{s.title}</span>
                                                        <span class="muted">{move || local_time(i18n.locale.get(), &at)}</span>
                                                        <span class="status">{move || status.label(i18n)}</span>
                                                    </button>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        })}
                        <ShowMore id="sessions-more" limit counts/>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// The planning form; a planned session opens to run. Hosts (the planner unless others are
/// chosen) and participants are picked by searching the team; each participant gets a role of
/// the format; the length, the skills and the community are optional.
#[component]
fn Plan(open: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    // The formats are fixed in the app: asked once, not again on every change.
    let formats = LocalResource::new(|| async { call(&ops::Formats {}).await });
    let members = watched(|| ops::Members {});
    let communities = watched(|| ops::Communities {});
    let format = RwSignal::new(FormatId::Codev);
    let title = RwSignal::new(String::new());
    let at = RwSignal::new(next_hour());
    let minutes = RwSignal::new(String::new());
    let skills = RwSignal::new(String::new());
    let scope = RwSignal::new(String::new());
    // Chosen hosts and participants, in the order picked: (member, name) and (member, name, role).
    let hosts: RwSignal<Vec<(String, String)>> = RwSignal::new(Vec::new());
    let people: RwSignal<Vec<(String, String, String)>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let roles_of = move || {
        let chosen = format.get();
        formats
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .find(|f| f.id == chosen)
            .map(|f| f.roles)
            .unwrap_or_default()
    };
    let taken = Signal::derive(move || {
        hosts
            .get()
            .into_iter()
            .map(|(m, _)| m)
            .chain(people.get().into_iter().map(|(m, _, _)| m))
            .collect::<Vec<_>>()
    });
    let add_host = Callback::new(move |m: ipc::views::MemberView| {
        hosts.update(|h| h.push((m.member_id, m.name)));
    });
    let add_person = Callback::new(move |m: ipc::views::MemberView| {
        let role = roles_of().into_iter().next().unwrap_or_default();
        people.update(|p| p.push((m.member_id, m.name, role)));
    });
    let plan = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let Some(when) = to_rfc3339(&at.get_untracked()) else {
            error.set(Some(ipc::Error::new(
                ipc::ErrorKind::Invalid,
                i18n.t("session.at_invalid"),
            )));
            return;
        };
        let length = minutes.get_untracked();
        let length = match length.trim() {
            "" => None,
            text => match text.parse() {
                Ok(n) => Some(n),
                Err(_) => {
                    error.set(Some(ipc::Error::new(
                        ipc::ErrorKind::Invalid,
                        i18n.t("session.minutes_invalid"),
                    )));
                    return;
                }
            },
        };
        let draft = SessionDraft {
            format: format.get_untracked(),
            title: title.get_untracked(),
            at: when,
            minutes: length,
            hosts: hosts.get_untracked().into_iter().map(|(m, _)| m).collect(),
            skills: skills
                .get_untracked()
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            scope: Some(scope.get_untracked()).filter(|s| !s.is_empty()),
            participants: people
                .get_untracked()
                .into_iter()
                .map(|(member, _, role)| format!("{member}:{role}"))
                .collect(),
        };
        leptos::task::spawn_local(async move {
            match call(&ops::SessionPlan { draft }).await {
                Ok(id) => {
                    error.set(None);
                    open.set(Some(id));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card plan" on:submit=plan>
            <h2>{move || i18n.t("session.plan_title")}</h2>
            <label for="session-format">{move || i18n.t("session.format")}</label>
            <select
                id="session-format"
                on:change=move |ev| {
                    if let Ok(chosen) = event_target_value(&ev).parse() {
                        format.set(chosen);
                    }
                    // Roles belong to a format: everyone takes the new format's first.
                    let first = roles_of().into_iter().next().unwrap_or_default();
                    people.update(|p| p.iter_mut().for_each(|(_, _, role)| *role = first.clone()));
                }
            >
                {move || {
                    formats
                        .get()
                        .and_then(Result::ok)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|f| {
                            let (value, id, this) = (f.id.as_str(), f.id, f.id);
                            let steps = f.steps.to_string();
                            let minutes = f.minutes.to_string();
                            view! {
                                <option value=value selected=move || format.get() == this>
                                    {move || {
                                        i18n.tf(
                                            "session.format_option",
                                            &[
                                                ("name", &id.label(i18n)),
                                                ("steps", &steps),
                                                ("minutes", &minutes),
                                            ],
                                        )
                                    }}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            <label for="session-title">{move || i18n.t("session.field_title")}</label>
            <input
                id="session-title"
                required
                prop:value=move || title.get()
                on:input=move |ev| title.set(event_target_value(&ev))
            />
            <label for="session-at">{move || i18n.t("session.at")}</label>
            <input
                id="session-at"
                type="datetime-local"
                required
                prop:value=move || at.get()
                on:input=move |ev| at.set(event_target_value(&ev))
            />
            <label for="session-minutes">{move || i18n.t("session.minutes")}</label>
            <input
                id="session-minutes"
                type="number"
                min="5"
                max="480"
                placeholder=move || {
                    formats
                        .get()
                        .and_then(Result::ok)
                        .unwrap_or_default()
                        .into_iter()
                        .find(|f| f.id == format.get())
                        .map(|f| f.minutes.to_string())
                        .unwrap_or_default()
                }
                prop:value=move || minutes.get()
                on:input=move |ev| minutes.set(event_target_value(&ev))
            />
            <fieldset class="hosts">
                <legend>{move || i18n.t("session.hosts")}</legend>
                <ul class="chosen">
                    {move || {
                        let chosen = hosts.get();
                        if chosen.is_empty() {
                            return view! { <li class="muted">{move || i18n.t("session.hosts_default")}</li> }
                                .into_any();
                        }
                        chosen
                            .into_iter()
                            .map(|(member, name)| {
                                view! {
                                    <li class="host" data-name=name.clone()>
                                        {name.clone()}
                                        <button
                                            type="button"
                                            class="link remove"
                                            aria-label=move || i18n.t("session.remove")
                                            on:click=move |_| hosts.update(|h| h.retain(|(m, _)| *m != member))
                                        >
                                            "×"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </ul>
                <ColleagueSearch id="host-search" label="session.add_host" members except=taken pick=add_host/>
            </fieldset>
            <fieldset class="participants">
                <legend>{move || i18n.t("session.participants")}</legend>
                <ul class="chosen">
                    {move || {
                        let roles_here = roles_of();
                        people
                            .get()
                            .into_iter()
                            .map(|(member, name, role)| {
                                let options = roles_here
                                    .iter()
                                    .map(|r| {
                                        let key = format!("role.{r}");
                                        view! {
                                            <option value=r.clone() selected=*r == role>
                                                {move || i18n.t(&key)}
                                            </option>
                                        }
                                    })
                                    .collect_view();
                                let (for_role, for_remove) = (member.clone(), member.clone());
                                view! {
                                    <li class="participant">
                                        <span>{name.clone()}</span>
                                        <select
                                            class="participant-role"
                                            data-name=name.clone()
                                            aria-label=name.clone()
                                            on:change=move |ev| {
                                                let chosen = event_target_value(&ev);
                                                people
                                                    .update(|p| {
                                                        for (m, _, role) in p.iter_mut() {
                                                            if *m == for_role {
                                                                *role = chosen.clone();
                                                            }
                                                        }
                                                    });
                                            }
                                        >
                                            {options}
                                        </select>
                                        <button
                                            type="button"
                                            class="link remove"
                                            aria-label=move || i18n.t("session.remove")
                                            on:click=move |_| people.update(|p| p.retain(|(m, _, _)| *m != for_remove))
                                        >
                                            "×"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <ColleagueSearch id="participant-search" label="session.add_participant" members except=taken pick=add_person/>
            </fieldset>
            <label for="session-skills">{move || i18n.t("session.skills")}</label>
            <input
                id="session-skills"
                placeholder=move || i18n.t("session.skills_hint")
                prop:value=move || skills.get()
                on:input=move |ev| skills.set(event_target_value(&ev))
            />
            <label for="session-scope">{move || i18n.t("session.scope")}</label>
            <select id="session-scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                <option value="">{move || i18n.t("session.scope_workspace")}</option>
                <CommunityOptions communities/>
            </select>
            <button id="session-plan" type="submit">{move || i18n.t("session.plan")}</button>
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </form>
    }
}

/// A session: its plan, the running step with its timer, the steps done, and its close.
#[component]
fn Run(
    id: String,
    open: RwSignal<Option<String>>,
    pane: RwSignal<Pane>,
    screen: RwSignal<Screen>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let shown = id.clone();
    let session = watched(move || ops::Session { id: shown.clone() });
    // The clock the step timer reads; it ticks each second while this screen is shown.
    let now = RwSignal::new(js_sys::Date::now());
    if let Ok(handle) =
        set_interval_with_handle(move || now.set(js_sys::Date::now()), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let notes = RwSignal::new(String::new());
    let takeaways = RwSignal::new(String::new());
    let rating = RwSignal::new(String::new());
    let actions = RwSignal::new(String::new());
    // Who came: the planned participants stayed away from are unticked; walk-ins are added.
    let absent: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let walk_ins: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let planned: StoredValue<Vec<String>> = StoredValue::new(Vec::new());
    let members = watched(|| ops::Members {});
    let names: StoredValue<BTreeMap<String, String>> = StoredValue::new(BTreeMap::new());
    let id = StoredValue::new(id);
    let start = move |_| act(ops::SessionStart { id: id.get_value() }, error, || {});
    let next = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::SessionStep {
            id: id.get_value(),
            notes: notes.get_untracked(),
        };
        act(args, error, move || notes.set(String::new()));
    };
    let close = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::SessionClose {
            id: id.get_value(),
            takeaways: lines(&takeaways.get_untracked()),
            rating: rating.get_untracked().parse().ok(),
            actions: lines(&actions.get_untracked()),
            attended: attended(
                &planned.get_value(),
                &absent.get_untracked(),
                &walk_ins.get_untracked(),
            ),
        };
        act(args, error, || {});
    };
    view! {
        <button id="session-back" class="link" on:click=move |_| open.set(None)>
            {move || i18n.t("session.back")}
        </button>
        {loaded(session, move |s| {
            let total = s.steps.len();
            let running = s.current_step.and_then(|n| s.steps.get(n - 1).cloned());
            let all_done = s.status == SessionStatus::Running && s.current_step.is_none();
            let (format, status, at) = (s.format, s.status, s.at.clone());
            let minutes = s.minutes.to_string();
            planned.set_value(s.participants.iter().map(|p| p.member_id.clone()).collect());
            let people = s.participants.clone();
            let on_plan: Vec<String> = people.iter().map(|p| p.member_id.clone()).collect();
            view! {
                <article class="session" data-status=s.status.as_str()>
                    <h2>
                        <span class="badge">{move || format.label(i18n)}</span>
                        " "
                        {s.title.clone()}
                    </h2>
                    <p class="muted">
                        {move || {
                            i18n.tf(
                                "session.when",
                                &[("when", &local_time(i18n.locale.get(), &at)), ("minutes", &minutes)],
                            )
                        }}
                        " · "
                        <span id="session-status">{move || status.label(i18n)}</span>
                    </p>
                    <CalendarButton of=CalendarOf::Session id=s.id.clone()/>
                    <ul class="roles">
                        {s
                            .participants
                            .iter()
                            .map(|p| {
                                let key = format!("role.{}", p.role);
                                view! {
                                    <li>
                                        {p.name.clone()}
                                        " · "
                                        <span class="muted">{move || i18n.t(&key)}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    {(s.status == SessionStatus::Planned)
                        .then(|| {
                            view! {
                                <button id="session-start" on:click=start>
                                    {move || i18n.t("session.start")}
                                </button>
                            }
                        })}
                    {running
                        .map(|step| {
                            view! {
                                <CurrentStep step total format=s.format now notes next/>
                            }
                        })}
                    {all_done
                        .then(|| {
                            view! {
                                <form class="card close" on:submit=close>
                                    <h3>{move || i18n.t("session.close_title")}</h3>
                                    <label for="close-takeaways">{move || i18n.t("session.takeaways")}</label>
                                    <textarea
                                        id="close-takeaways"
                                        rows="3"
                                        prop:value=move || takeaways.get()
                                        on:input=move |ev| takeaways.set(event_target_value(&ev))
                                    ></textarea>
                                    <label for="close-rating">{move || i18n.t("session.rating")}</label>
                                    <select id="close-rating" on:change=move |ev| rating.set(event_target_value(&ev))>
                                        <option value="">"–"</option>
                                        {(1..=5)
                                            .map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> })
                                            .collect_view()}
                                    </select>
                                    <fieldset class="attendance">
                                        <legend>{move || i18n.t("session.attended")}</legend>
                                        {people
                                            .iter()
                                            .map(|p| {
                                                let member = p.member_id.clone();
                                                let who = member.clone();
                                                view! {
                                                    <label class="check">
                                                        <input
                                                            type="checkbox"
                                                            class="attended"
                                                            data-member=member.clone()
                                                            prop:checked=move || !absent.get().contains(&who)
                                                            on:change=move |ev| {
                                                                let came = event_target_checked(&ev);
                                                                absent.update(|a| {
                                                                    a.retain(|m| m != &member);
                                                                    if !came {
                                                                        a.push(member.clone());
                                                                    }
                                                                });
                                                            }
                                                        />
                                                        {p.name.clone()}
                                                    </label>
                                                }
                                            })
                                            .collect_view()}
                                        <label for="close-walk-in">{move || i18n.t("session.walk_in")}</label>
                                        <select
                                            id="close-walk-in"
                                            on:change=move |ev| {
                                                let m = event_target_value(&ev);
                                                if !m.is_empty() {
                                                    walk_ins.update(|w| if !w.contains(&m) { w.push(m) });
                                                }
                                            }
                                        >
                                            <option value="">"–"</option>
                                            {loaded(members, move |members| {
                                                names.set_value(
                                                    members.iter().map(|m| (m.member_id.clone(), m.name.clone())).collect(),
                                                );
                                                members
                                                    .into_iter()
                                                    .filter(|m| !on_plan.contains(&m.member_id))
                                                    .map(|m| {
                                                        let picked = m.member_id.clone();
                                                        view! {
                                                            <option
                                                                value=m.member_id.clone()
                                                                prop:selected=move || walk_ins.get().contains(&picked)
                                                            >
                                                                {m.name}
                                                            </option>
                                                        }
                                                    })
                                                    .collect_view()
                                                    .into_any()
                                            })}
                                        </select>
                                        <p class="muted" id="close-walk-ins">
                                            {move || {
                                                names
                                                    .with_value(|names| {
                                                        walk_ins
                                                            .get()
                                                            .iter()
                                                            .filter_map(|m| names.get(m).cloned())
                                                            .collect::<Vec<_>>()
                                                            .join(", ")
                                                    })
                                            }}
                                        </p>
                                    </fieldset>
                                    {(format == FormatId::Flash)
                                        .then(|| view! { <p class="muted">{move || i18n.t("session.flash_takeaway")}</p> })}
                                    <label for="close-actions">{move || i18n.t("session.actions")}</label>
                                    <textarea
                                        id="close-actions"
                                        rows="2"
                                        prop:value=move || actions.get()
                                        on:input=move |ev| actions.set(event_target_value(&ev))
                                    ></textarea>
                                    <button id="session-close" type="submit">{move || i18n.t("session.close")}</button>
                                </form>
                            }
                        })}
                    {s
                        .takeaway_note
                        .clone()
                        .map(|note| {
                            view! {
                                <button
                                    id="session-takeaway-note"
                                    class="link"
                                    on:click=move |_| {
                                        pane.set(Pane::Show(note.clone()));
                                        screen.set(Screen::Notes);
                                    }
                                >
                                    {move || i18n.t("session.open_takeaway")}
                                </button>
                            }
                        })}
                    {(!s.attended.is_empty())
                        .then(|| {
                            let names = s.attended.iter().map(|w| w.name.clone()).collect::<Vec<_>>().join(", ");
                            view! {
                                <p id="session-attended">
                                    {move || i18n.tf("session.came", &[("names", &names)])}
                                </p>
                            }
                        })}
                    {(!s.takeaways.is_empty())
                        .then(|| {
                            view! {
                                <h3>{move || i18n.t("session.takeaways_title")}</h3>
                                <ul class="takeaways">
                                    {s.takeaways.iter().map(|t| view! { <li>{t.clone()}</li> }).collect_view()}
                                </ul>
                            }
                        })}
                    {s
                        .rating
                        .map(|r| {
                            let r = r.to_string();
                            view! { <p class="rating">{move || i18n.tf("session.rated", &[("rating", &r)])}</p> }
                        })}
                    <ActionList actions=s.actions.clone() error/>
                    <h3>{move || i18n.t("session.steps_title")}</h3>
                    <ol class="steps">
                        {s
                            .steps
                            .iter()
                            .map(|step| {
                                let key = format!("format.{}.{}.name", s.format, step.number);
                                let state = if step.ended_at.is_some() {
                                    "done"
                                } else if step.started_at.is_some() {
                                    "running"
                                } else {
                                    "todo"
                                };
                                view! {
                                    <li class="step" data-state=state>
                                        <strong>{move || i18n.t(&key)}</strong>
                                        " "
                                        <span class="muted">{step.time_box.clone()}</span>
                                        {(!step.notes.is_empty()).then(|| view! { <p class="notes">{step.notes.clone()}</p> })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                </article>
            }
                .into_any()
        })}
        {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
    }
}

/// The running step: its prompt, who speaks, its time box and the time spent so far.
#[component]
fn CurrentStep(
    step: StepView,
    total: usize,
    format: FormatId,
    now: RwSignal<f64>,
    notes: RwSignal<String>,
    next: impl Fn(ev::SubmitEvent) + 'static,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let started = step.started_at.as_deref().map_or(f64::NAN, epoch_ms);
    let limit = time_box_max(&step.time_box);
    let elapsed = Memo::new(move |_| {
        if started.is_nan() {
            0
        } else {
            ((now.get() - started) / 1000.0).max(0.0) as i64
        }
    });
    let over = move || limit.is_some_and(|m| elapsed.get() > m * 60);
    let (name, prompt) = (
        format!("format.{format}.{}.name", step.number),
        format!("format.{format}.{}.prompt", step.number),
    );
    let speaker = format!("speaker.{}", step.speaker);
    let (number, count) = (step.number.to_string(), total.to_string());
    let last = step.number == total;
    view! {
        <section class="card current-step" aria-live="polite">
            <p class="muted" id="step-count">
                {move || i18n.tf("session.step_of", &[("number", &number), ("total", &count)])}
            </p>
            <h3 id="step-name">{move || i18n.t(&name)}</h3>
            <p id="step-prompt" class="prompt">{move || i18n.t(&prompt)}</p>
            <p>
                <strong>{move || i18n.t("session.speaks")}</strong>
                " "
                <span id="step-speaker">{move || i18n.t(&speaker)}</span>
            </p>
            <p class="timer" class:over=over role="timer">
                <span id="step-timer">{move || clock(elapsed.get())}</span>
                " / "
                {step.time_box.clone()}
                {move || over().then(|| view! { <span class="badge due">{move || i18n.t("session.over")}</span> })}
            </p>
            <form on:submit=next>
                <label for="step-notes">{move || i18n.t("session.step_notes")}</label>
                <textarea
                    id="step-notes"
                    rows="3"
                    prop:value=move || notes.get()
                    on:input=move |ev| notes.set(event_target_value(&ev))
                ></textarea>
                <button id="step-next" type="submit">
                    {move || i18n.t(if last { "session.finish_steps" } else { "session.next_step" })}
                </button>
            </form>
        </section>
    }
}
