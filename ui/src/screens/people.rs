//! People & skills: claiming one's own skills, finding who can help with a skill (and
//! endorsing them), and the team's skills with who holds them.

use ipc::ops;
use ipc::views::HelperView;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::data::{Revision, loaded, watched};
use crate::components::error::ErrorLine;
use crate::components::labels::{label, level_name};
use crate::i18n::I18n;
use crate::screens::catalogue::Catalogue;
use crate::screens::directory::TeamSkills;
use crate::tauri::call;

/// Why a helper is suggested, from the fields the ranking weighs, in the reader's language.
pub(crate) fn why(i18n: I18n, h: &HelperView) -> String {
    let mut parts = vec![level_name(i18n, h.level)];
    if h.can_teach {
        parts.push(i18n.t("people.why_teaches"));
    }
    if h.endorsements > 0 {
        let n = h.endorsements.to_string();
        parts.push(i18n.tf("people.why_endorsed", &[("count", &n)]));
    }
    if h.hours_per_month > 0 {
        let n = h.hours_per_month.to_string();
        parts.push(i18n.tf("people.why_hours", &[("hours", &n)]));
    }
    parts.join(" · ")
}

#[component]
pub(crate) fn People(member_id: String, person: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let skills = watched(|| ops::Skills {});

    let name = RwSignal::new(String::new());
    let level = RwSignal::new(2u8);
    let wants = RwSignal::new(false);
    let teach = RwSignal::new(false);
    let claim_error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let claimed = RwSignal::new(false);
    let claim = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::ClaimSkill {
            name: name.get_untracked(),
            level: level.get_untracked(),
            wants: wants.get_untracked(),
            teach: teach.get_untracked(),
        };
        spawn_local(async move {
            match call(&args).await {
                Ok(_) => {
                    claim_error.set(None);
                    claimed.set(true);
                    name.set(String::new());
                }
                Err(e) => {
                    claimed.set(false);
                    claim_error.set(Some(e));
                }
            }
        });
    };

    let query = RwSignal::new(String::new());
    // The skill asked about (`None` until a search ran); the answer follows changes (an
    // endorsement, a colleague's new claim) like every other view.
    let asked: RwSignal<Option<String>> = RwSignal::new(None);
    let revision = expect_context::<Revision>();
    let helpers = LocalResource::new(move || {
        revision.track::<ops::WhoCanHelp>();
        let skill = asked.get();
        async move {
            match skill {
                Some(skill) => Some(call(&ops::WhoCanHelp { skill }).await),
                None => None,
            }
        }
    });
    let find = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let skill = query.get_untracked();
        if !skill.trim().is_empty() {
            asked.set(Some(skill));
        }
    };
    let endorsed: RwSignal<Vec<(String, String)>> = RwSignal::new(Vec::new());
    let endorse_error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let endorse = move |member: String, skill: String| {
        spawn_local(async move {
            let args = ops::Endorse {
                member: member.clone(),
                skill: skill.clone(),
                comment: String::new(),
            };
            match call(&args).await {
                Ok(_) => {
                    endorse_error.set(None);
                    endorsed.update(|e| e.push((member, skill)));
                }
                Err(e) => endorse_error.set(Some(e)),
            }
        });
    };

    let level_option = move |n: u8| {
        view! {
            <option value=n.to_string() selected=move || level.get() == n>
                {move || level_name(i18n, n)}
            </option>
        }
    };

    view! {
        <section class="people">
            <h1>{move || i18n.t("people.title")}</h1>
            <section>
                <h2>{move || i18n.t("people.claim_title")}</h2>
                <form class="claim card" on:submit=claim>
                    <label for="skill-name">{move || i18n.t("people.skill")}</label>
                    <input
                        id="skill-name"
                        list="skill-options"
                        required
                        prop:value=move || name.get()
                        on:input=move |ev| {
                            claimed.set(false);
                            name.set(event_target_value(&ev));
                        }
                    />
                    <datalist id="skill-options">
                        {move || {
                            let locale = i18n.locale.get();
                            skills
                                .get()
                                .and_then(Result::ok)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|s| view! { <option value=label(locale, &s.label_en, &s.label_fr)/> })
                                .collect_view()
                        }}
                    </datalist>
                    <label for="skill-level">{move || i18n.t("people.level")}</label>
                    <select
                        id="skill-level"
                        on:change=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse() {
                                level.set(n);
                            }
                        }
                    >
                        {level_option(1)}
                        {level_option(2)}
                        {level_option(3)}
                        {level_option(4)}
                    </select>
                    <label class="inline">
                        <input
                            id="skill-wants"
                            type="checkbox"
                            prop:checked=move || wants.get()
                            on:change=move |ev| wants.set(event_target_checked(&ev))
                        />
                        {move || i18n.t("people.wants")}
                    </label>
                    <label class="inline">
                        <input
                            id="skill-teach"
                            type="checkbox"
                            prop:checked=move || teach.get()
                            on:change=move |ev| teach.set(event_target_checked(&ev))
                        />
                        {move || i18n.t("people.teach")}
                    </label>
                    <button id="skill-claim" type="submit">
                        {move || i18n.t("people.claim")}
                    </button>
                    <Show when=move || claimed.get()>
                        <p class="saved" role="status">{move || i18n.t("people.claimed")}</p>
                    </Show>
                    {move || claim_error.get().map(|e| view! { <ErrorLine error=e/> })}
                </form>
            </section>
            <section>
                <h2>{move || i18n.t("people.help_title")}</h2>
                <form class="help" role="search" on:submit=find>
                    <input
                        id="help-skill"
                        list="skill-options"
                        aria-label=move || i18n.t("people.help_label")
                        placeholder=move || i18n.t("people.help_placeholder")
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                    />
                    <button id="help-find" type="submit">{move || i18n.t("people.help_find")}</button>
                </form>
                {move || endorse_error.get().map(|e| view! { <ErrorLine error=e/> })}
                {move || match helpers.get().flatten() {
                    None => ().into_any(),
                    Some(Err(e)) => view! { <ErrorLine error=e/> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => {
                        view! { <p class="muted" id="help-none">{move || i18n.t("people.help_none")}</p> }
                            .into_any()
                    }
                    Some(Ok(list)) => {
                        view! {
                            <ul class="helpers">
                                {list
                                    .into_iter()
                                    .map(|h| {
                                        let key = (h.member_id.clone(), h.skill.clone());
                                        let done = Memo::new(move |_| endorsed.get().contains(&key));
                                        let (member, skill) = (h.member_id.clone(), h.skill.clone());
                                        let reason = h.clone();
                                        view! {
                                            <li class="helper">
                                                <span class="name">{h.name.clone()}</span>
                                                <span class="why muted">{move || why(i18n, &reason)}</span>
                                                <button
                                                    class="endorse"
                                                    disabled=move || done.get()
                                                    on:click=move |_| endorse(member.clone(), skill.clone())
                                                >
                                                    {move || {
                                                        if done.get() {
                                                            i18n.t("people.endorsed")
                                                        } else {
                                                            i18n.t("people.endorse")
                                                        }
                                                    }}
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }}
            </section>
            <section>
                <h2>{move || i18n.t("people.skills_title")}</h2>
                {loaded(skills, move |value| match value {
                    list if list.iter().all(|s| s.holders.is_empty()) => {
                        view! { <p class="muted">{move || i18n.t("people.skills_none")}</p> }
                            .into_any()
                    }
                    list => {
                        let me = member_id.clone();
                        view! {
                            <ul class="skills">
                                {list
                                    .into_iter()
                                    .filter(|s| !s.holders.is_empty())
                                    .map(|s| {
                                        let (en, fr) = (s.label_en.clone(), s.label_fr.clone());
                                        view! {
                                            <li class="skill">
                                                <strong>{move || label(i18n.locale.get(), &en, &fr)}</strong>
                                                <ul class="holders">
                                                    {s
                                                        .holders
                                                        .into_iter()
                                                        .map(|h| {
                                                            let mine = h.member_id == me;
                                                            let lvl = h.level;
                                                            let (wants, teaches) = (h.wants_to_learn, h.can_teach);
                                                            view! {
                                                                <li class="holder" class:mine=mine>
                                                                    <span class="name">{h.name.clone()}</span>
                                                                    <span class="muted">
                                                                        {move || {
                                                                            let mut parts = vec![level_name(i18n, lvl)];
                                                                            if teaches {
                                                                                parts.push(i18n.t("people.why_teaches"));
                                                                            }
                                                                            if wants {
                                                                                parts.push(i18n.t("people.learning"));
                                                                            }
                                                                            parts.join(" · ")
                                                                        }}
                                                                    </span>
                                                                </li>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </ul>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                })}
            </section>
            <TeamSkills skills find=person/>
            <Catalogue skills/>
        </section>
    }
}
