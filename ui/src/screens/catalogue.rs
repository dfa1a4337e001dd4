//! The skills catalogue: each skill's English and French labels and the other names it is found
//! by, and, for admins, merging a duplicate into the skill it duplicates (claims, endorsements
//! and note links follow).

use ipc::ops;
use ipc::sets::MemberRole;
use ipc::views::SkillView;
use leptos::ev;
use leptos::prelude::*;

use crate::components::data::{act, loaded, watched};
use crate::components::error::ErrorLine;
use crate::i18n::I18n;

/// One skill: its labels and aliases, editable; for admins, "merge into".
#[component]
fn Entry(skill: SkillView, all: Vec<(String, String)>, admin: Memo<bool>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let id = StoredValue::new(skill.id.clone());
    let en = RwSignal::new(skill.label_en.clone());
    let fr = RwSignal::new(skill.label_fr.clone());
    let alias = RwSignal::new(String::new());
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let save = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::LabelSkill {
            skill: id.get_value(),
            en: Some(en.get_untracked()),
            fr: Some(fr.get_untracked()),
        };
        act(args, error, || {});
        let more = alias.get_untracked();
        if !more.trim().is_empty() {
            let args = ops::AliasSkill {
                skill: id.get_value(),
                alias: more,
            };
            act(args, error, move || alias.set(String::new()));
        }
    };
    let others: Vec<(String, String)> = all.into_iter().filter(|(k, _)| *k != skill.id).collect();
    let others = StoredValue::new(others);
    // The skill to merge into, chosen in the controls and made anew with them: what was chosen
    // before they were last taken away is never what a click merges into.
    let merge_controls = move || {
        let into = RwSignal::new(String::new());
        let merge = move |_| {
            let target = into.get_untracked();
            if !target.is_empty() {
                let args = ops::MergeSkill {
                    from: id.get_value(),
                    into: target,
                };
                act(args, error, || {});
            }
        };
        view! {
            <div class="merge">
                <label>
                    {move || i18n.t("catalogue.merge_into")}
                    <select class="merge-into" on:change=move |ev| into.set(event_target_value(&ev))>
                        <option value="">"–"</option>
                        {others
                            .with_value(|others| {
                                others
                                    .iter()
                                    .map(|(k, label)| view! { <option value=k.clone()>{label.clone()}</option> })
                                    .collect_view()
                            })}
                    </select>
                </label>
                <button type="button" class="merge-go" on:click=merge>
                    {move || i18n.t("catalogue.merge")}
                </button>
            </div>
        }
    };
    let aliases = skill.synonyms.join(", ");
    view! {
        <li class="catalogue-skill card" data-skill=skill.id.clone()>
            <form on:submit=save>
                <label>
                    {move || i18n.t("catalogue.en")}
                    <input class="label-en" prop:value=move || en.get() on:input=move |ev| en.set(event_target_value(&ev))/>
                </label>
                <label>
                    {move || i18n.t("catalogue.fr")}
                    <input class="label-fr" prop:value=move || fr.get() on:input=move |ev| fr.set(event_target_value(&ev))/>
                </label>
                <p class="muted aliases">{move || i18n.t("catalogue.aliases")} " " {aliases.clone()}</p>
                <label>
                    {move || i18n.t("catalogue.add_alias")}
                    <input class="alias" prop:value=move || alias.get() on:input=move |ev| alias.set(event_target_value(&ev))/>
                </label>
                <button type="submit" class="save">{move || i18n.t("catalogue.save")}</button>
            </form>
            {move || admin.get().then(merge_controls)}
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </li>
    }
}

/// The catalogue, one entry per skill.
#[component]
pub(crate) fn Catalogue(
    skills: LocalResource<Result<Vec<SkillView>, ipc::Error>>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let members = watched(|| ops::Members {});
    // Known when the member list arrives, which may be after the catalogue: the merge
    // controls then appear in each entry, the list is not made again.
    let admin = Memo::new(move |_| {
        members
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .iter()
            .any(|m| m.me && m.role == MemberRole::Admin)
    });
    view! {
        <section class="catalogue">
            <h2>{move || i18n.t("catalogue.title")}</h2>
            <p class="muted">{move || i18n.t("catalogue.help")}</p>
            {loaded(skills, move |list| {
                let all: Vec<(String, String)> =
                    list.iter().map(|s| (s.id.clone(), s.label_en.clone())).collect();
                view! {
                    <ul class="catalogue-list">
                        {list
                            .into_iter()
                            .map(|skill| view! { <Entry skill all=all.clone() admin/> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            })}
        </section>
    }
}
