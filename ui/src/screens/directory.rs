//! The team seen through its skills: the directory of profiles (what each colleague can teach
//! and wants to learn), the skills map (skills × teams, shaded by the highest level in each
//! cell) and the skills at risk (held at expert level by one person or nobody).

use ipc::ops;
use ipc::views::{ProfileView, SkillView};
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::components::data::{loaded, watched};
use crate::components::labels::{label, level_name, skill_label};
use crate::components::more::{PAGE, ShowMore, counts, shown};
use crate::i18n::I18n;
use crate::screens::recognition::SharingLine;

/// The directory, the skills map and the skills at risk, one under the other.
#[component]
pub(crate) fn TeamSkills(
    skills: LocalResource<Result<Vec<SkillView>, ipc::Error>>,
    find: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let profiles = watched(|| ops::Profiles {});
    // Each colleague's sharing record over the last year, from the programme's figures. The
    // figures take longer than the profiles: each card shows its record when they arrive,
    // without the directory being made again.
    let programme = watched(|| ops::Programme { since: None });
    let records = Memo::new(move |_| {
        programme
            .get()
            .and_then(Result::ok)
            .map(|p| {
                p.sharing
                    .into_iter()
                    .map(|r| (r.who.member_id.clone(), r))
                    .collect::<HashMap<_, _>>()
            })
            .unwrap_or_default()
    });
    let at_risk = watched(|| ops::SkillsAtRisk {});
    let catalogue = move || skills.get().and_then(Result::ok).unwrap_or_default();
    let filter = RwSignal::new(String::new());
    // The profiles the filter keeps (name, team, title or a skill's label containing it),
    // worked out once per change of the profiles, the catalogue, the filter or the language.
    let kept = Memo::new(move |_| {
        let list: Vec<ProfileView> = profiles.get().and_then(Result::ok).unwrap_or_default();
        let skills = catalogue();
        let needle = filter.get().to_lowercase();
        let locale = i18n.locale.get();
        list.into_iter()
            .filter(|p| {
                needle.is_empty()
                    || [&p.name, &p.team, &p.title]
                        .iter()
                        .any(|t| t.to_lowercase().contains(&needle))
                    || p.skills.iter().any(|c| {
                        skill_label(&skills, locale, &c.skill)
                            .to_lowercase()
                            .contains(&needle)
                    })
            })
            .collect::<Vec<_>>()
    });
    let limit = shown();
    let shown_of = Signal::derive(move || {
        profiles
            .get()
            .map(|_| counts(kept.with(Vec::len), limit.get()))
    });
    let field: NodeRef<leptos::html::Input> = NodeRef::new();
    // A colleague asked for from elsewhere (a search hit): the directory shows them.
    Effect::new(move |_| {
        if let Some(name) = find.get() {
            filter.set(name);
            find.set(None);
            if let Some(input) = field.get() {
                input.scroll_into_view();
            }
        }
    });
    view! {
        <section>
            <h2>{move || i18n.t("directory.title")}</h2>
            <input
                id="directory-filter"
                type="search"
                node_ref=field
                aria-label=move || i18n.t("directory.filter")
                placeholder=move || i18n.t("directory.filter")
                prop:value=move || filter.get()
                on:input=move |ev| {
                    limit.set(PAGE);
                    filter.set(event_target_value(&ev));
                }
            />
            {loaded(profiles, move |_| {
                view! {
                    <ul class="directory">
                        {move || {
                            let skills = catalogue();
                            kept.get()
                                .into_iter()
                                .take(limit.get())
                                .map(|p| {
                                    let member = p.member_id.clone();
                                    let shared = Signal::derive(move || {
                                        records.with(|r| r.get(&member).cloned())
                                    });
                                    view! { <Profile p=p.clone() skills=skills.clone() shared/> }
                                })
                                .collect_view()
                        }}
                    </ul>
                }
                    .into_any()
            })}
            <ShowMore id="directory-more" limit counts=shown_of/>
        </section>
        <section>
            <h2>{move || i18n.t("directory.map_title")}</h2>
            <p class="muted">{move || i18n.t("directory.map_help")}</p>
            {loaded(profiles, move |list| view! { <SkillsMap profiles=list skills=catalogue()/> }.into_any())}
        </section>
        <section>
            <h2>{move || i18n.t("directory.risk_title")}</h2>
            {loaded(at_risk, move |list| {
                if list.is_empty() {
                    return view! { <p class="muted">{move || i18n.t("directory.risk_none")}</p> }.into_any();
                }
                view! {
                    <ul class="at-risk">
                        {list
                            .into_iter()
                            .map(|s| {
                                let (en, fr) = (s.label_en.clone(), s.label_fr.clone());
                                let holder = s.holders.first().map(|h| h.name.clone());
                                let learners = s.learners.iter().map(|l| l.name.clone()).collect::<Vec<_>>().join(", ");
                                view! {
                                    <li class="risk" data-skill=s.skill.clone()>
                                        <strong>{move || label(i18n.locale.get(), &en, &fr)}</strong>
                                        <span class="muted">
                                            {move || match &holder {
                                                Some(name) => i18n.tf("directory.risk_one", &[("name", name)]),
                                                None => i18n.t("directory.risk_nobody"),
                                            }}
                                        </span>
                                        {(!learners.is_empty())
                                            .then(|| {
                                                view! {
                                                    <span class="muted">
                                                        {move || i18n.tf("directory.risk_learners", &[("names", &learners)])}
                                                    </span>
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
        </section>
    }
}

/// One colleague's card: title and team, time offered, and their skills.
#[component]
fn Profile(
    p: ProfileView,
    skills: Vec<SkillView>,
    shared: Signal<Option<ipc::views::SharingRecord>>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let line = [p.title.clone(), p.team.clone()]
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let hours = p.hours_per_month.to_string();
    let open = p.open_to_mentoring;
    let claims = StoredValue::new(p.skills.clone());
    let skills = StoredValue::new(skills);
    let list = move |pick: fn(&ipc::views::ClaimView) -> bool| {
        let locale = i18n.locale.get();
        claims.with_value(|claims| {
            skills.with_value(|skills| {
                claims
                    .iter()
                    .filter(|c| pick(c))
                    .map(|c| {
                        format!(
                            "{} ({})",
                            skill_label(skills, locale, &c.skill),
                            level_name(i18n, c.level)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        })
    };
    view! {
        <li class="profile card" data-name=p.name.clone()>
            <strong class="name">{p.name.clone()}</strong>
            <span class="muted">{line}</span>
            <p class="offer">
                {move || {
                    let mut parts = Vec::new();
                    if hours != "0" {
                        parts.push(i18n.tf("people.why_hours", &[("hours", &hours)]));
                    }
                    if open {
                        parts.push(i18n.t("directory.open"));
                    }
                    parts.join(" · ")
                }}
            </p>
            <p class="teaches">
                <span class="muted">{move || i18n.t("directory.can_teach")}</span>
                " "
                {move || {
                    let text = list(|c| c.can_teach);
                    if text.is_empty() { "—".to_owned() } else { text }
                }}
            </p>
            <p class="wants">
                <span class="muted">{move || i18n.t("directory.wants")}</span>
                " "
                {move || {
                    let text = list(|c| c.wants_to_learn);
                    if text.is_empty() { "—".to_owned() } else { text }
                }}
            </p>
            {move || shared.get().map(|record| view! { <SharingLine record/> })}
        </li>
    }
}

/// Skills × teams: how many of a team hold a skill, shaded by the highest level there.
#[component]
fn SkillsMap(profiles: Vec<ProfileView>, skills: Vec<SkillView>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    // (skill, team) → (names, highest level)
    let mut cells: BTreeMap<(String, String), (Vec<String>, u8)> = BTreeMap::new();
    let mut teams = BTreeSet::new();
    let mut held = BTreeSet::new();
    for p in &profiles {
        for c in &p.skills {
            let cell = cells.entry((c.skill.clone(), p.team.clone())).or_default();
            cell.0.push(p.name.clone());
            cell.1 = cell.1.max(c.level);
            teams.insert(p.team.clone());
            held.insert(c.skill.clone());
        }
    }
    if held.is_empty() {
        return view! { <p class="muted">{move || i18n.t("people.skills_none")}</p> }.into_any();
    }
    let teams: Vec<String> = teams.into_iter().collect();
    let cells = StoredValue::new(cells);
    let skills = StoredValue::new(skills);
    let held: Vec<String> = held.into_iter().collect();
    let team_name = move |team: &str| {
        if team.is_empty() {
            i18n.t("directory.no_team")
        } else {
            team.to_owned()
        }
    };
    view! {
        <div class="map-wrap">
            <table class="skills-map">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t("people.skill")}</th>
                        {teams
                            .iter()
                            .map(|t| {
                                let t = t.clone();
                                view! { <th scope="col">{move || team_name(&t)}</th> }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let locale = i18n.locale.get();
                        let mut rows: Vec<(String, String)> = held
                            .iter()
                            .map(|id| (skills.with_value(|s| skill_label(s, locale, id)), id.clone()))
                            .collect();
                        rows.sort();
                        rows.into_iter()
                            .map(|(name, id)| {
                                view! {
                                    <tr>
                                        <th scope="row">{name}</th>
                                        {teams
                                            .iter()
                                            .map(|team| {
                                                let cell = cells
                                                    .with_value(|c| c.get(&(id.clone(), team.clone())).cloned());
                                                let (count, level, names) = cell
                                                    .map_or((0, 0, String::new()), |(names, level)| {
                                                        (names.len(), level, names.join(", "))
                                                    });
                                                view! {
                                                    <td
                                                        class=format!("heat heat-{level}")
                                                        data-skill=id.clone()
                                                        data-team=team.clone()
                                                        title=names
                                                    >
                                                        {(count > 0)
                                                            .then(|| {
                                                                view! {
                                                                    <span class="count">{count.to_string()}</span>
                                                                    <span class="level">{move || level_name(i18n, level)}</span>
                                                                }
                                                            })}
                                                    </td>
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
            <p class="legend" id="skills-map-legend">
                <span class="muted">{move || i18n.t("directory.legend")}</span>
                {(1..=4u8)
                    .map(|level| {
                        view! {
                            <span class=format!("swatch heat heat-{level}")>
                                {move || format!("{level} {}", level_name(i18n, level))}
                            </span>
                        }
                    })
                    .collect_view()}
            </p>
        </div>
    }
    .into_any()
}
