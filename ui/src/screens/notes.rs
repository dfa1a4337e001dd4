//! Notes: the list filtered by tag or skill, a note with its backlinks, and the editor with
//! `[[` link completion and a live preview.

use ipc::NotePage;
use ipc::forms::NoteDraft;
use ipc::ops;
use ipc::views::NoteListView;
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::{Pane, open_links_outside};
use crate::components::data::{act, loaded, watched};
use crate::components::error::ErrorLine;
use crate::components::forms::CommunityOptions;
use crate::components::labels::skill_label;
use crate::components::more::{PAGE, ShowMore, shown};
use crate::components::time::local_time;
use crate::i18n::I18n;
use crate::tauri::call;

/// A comma-separated field's items, trimmed, empty ones left out.
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What to add and what to remove to go from `had` to `now` (case and accents aside).
fn changes(had: &[String], now: &[String]) -> (Vec<String>, Vec<String>) {
    let folded = |items: &[String]| items.iter().map(|t| ipc::fold(t)).collect::<Vec<_>>();
    let (had_f, now_f) = (folded(had), folded(now));
    let add = now
        .iter()
        .zip(&now_f)
        .filter(|(_, f)| !had_f.contains(f))
        .map(|(t, _)| t.clone())
        .collect();
    let remove = had
        .iter()
        .zip(&had_f)
        .filter(|(_, f)| !now_f.contains(f))
        .map(|(t, _)| t.clone())
        .collect();
    (add, remove)
}

/// The `limit` newest notes, with how many there are and the tags and skills they carry.
pub(crate) fn newest_notes(limit: u32) -> LocalResource<Result<NoteListView, ipc::Error>> {
    watched(move || ops::NoteList {
        tag: None,
        skill: None,
        community: None,
        title: None,
        limit,
    })
}

/// A page's counts for [`ShowMore`]: how many notes it holds, and how many there are.
pub(crate) fn note_counts(
    page: LocalResource<Result<NoteListView, ipc::Error>>,
) -> Signal<Option<(usize, usize)>> {
    Signal::derive(move || {
        page.get().and_then(Result::ok).map(|p| {
            (
                p.notes.len(),
                usize::try_from(p.total).unwrap_or(usize::MAX),
            )
        })
    })
}

/// A list's limit as the store is asked for it.
pub(crate) fn asked(limit: usize) -> u32 {
    u32::try_from(limit).unwrap_or(u32::MAX)
}

/// A text field's value as a filter: `None` when empty.
fn given(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

#[component]
pub(crate) fn Notes(pane: RwSignal<Pane>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    // The tag to show notes of (empty: all), picked from the tags the notes carry; likewise a
    // skill the notes are linked to, shown by its label.
    let tag = RwSignal::new(String::new());
    let skill = RwSignal::new(String::new());
    // The newest notes the filters keep, a page at a time: the store pages, the list shows
    // what it was sent.
    let limit = shown();
    let notes = watched(move || ops::NoteList {
        tag: given(tag.get()),
        skill: given(skill.get()),
        community: None,
        title: None,
        limit: asked(limit.get()),
    });
    // What the notes can be filtered by, the same whatever is filtered.
    let facets = watched(|| ops::NoteFacets {});
    let tags = move || {
        facets
            .get()
            .and_then(Result::ok)
            .map(|f| f.tags)
            .unwrap_or_default()
    };
    let catalogue = watched(|| ops::Skills {});
    let skills = move || {
        let ids = facets
            .get()
            .and_then(Result::ok)
            .map(|f| f.skills)
            .unwrap_or_default();
        let locale = i18n.locale.get();
        let known = catalogue.get().and_then(Result::ok).unwrap_or_default();
        ids.into_iter()
            .map(|id| {
                let name = crate::components::labels::skill_label(&known, locale, &id);
                (id, name)
            })
            .collect::<Vec<_>>()
    };
    let filtered = move || !tag.get().is_empty() || !skill.get().is_empty();
    view! {
        <section class="notes">
            <div class="list">
                <div class="list-head">
                    <h1>{move || i18n.t("notes.list")}</h1>
                    <button id="note-new" on:click=move |_| pane.set(Pane::Edit(None))>
                        {move || i18n.t("notes.new")}
                    </button>
                </div>
                <select
                    id="note-tag-filter"
                    aria-label=move || i18n.t("notes.filter_tag")
                    on:change=move |ev| {
                        limit.set(PAGE);
                        tag.set(event_target_value(&ev));
                    }
                >
                    <option value="" selected=move || tag.get().is_empty()>
                        {move || i18n.t("notes.all_tags")}
                    </option>
                    {move || {
                        tags()
                            .into_iter()
                            .map(|t| {
                                let (value, this) = (t.clone(), t.clone());
                                view! {
                                    <option value=value selected=move || tag.get() == this>
                                        {format!("#{t}")}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <select
                    id="note-skill-filter"
                    aria-label=move || i18n.t("notes.filter_skill")
                    on:change=move |ev| {
                        limit.set(PAGE);
                        skill.set(event_target_value(&ev));
                    }
                >
                    <option value="" selected=move || skill.get().is_empty()>
                        {move || i18n.t("notes.all_skills")}
                    </option>
                    {move || {
                        skills()
                            .into_iter()
                            .map(|(id, name)| {
                                let (value, this) = (id.clone(), id);
                                view! {
                                    <option value=value selected=move || skill.get() == this>
                                        {name}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                {loaded(notes, move |page| {
                    if page.notes.is_empty() {
                        let key = if filtered() { "notes.none_match" } else { "notes.empty" };
                        return view! { <p class="muted">{move || i18n.t(key)}</p> }.into_any();
                    }
                    view! {
                        <ul class="note-list">
                            {page
                                .notes
                                .into_iter()
                                .map(|n| {
                                    let id = n.id.clone();
                                    let selected = n.id.clone();
                                    view! {
                                        <li>
                                            <button
                                                class="note-item"
                                                aria-current=move || {
                                                    (pane.get() == Pane::Show(selected.clone()))
                                                        .then_some("true")
                                                }
                                                on:click=move |_| pane.set(Pane::Show(id.clone()))
                                            >
                                                <span class="title">{n.title}</span>
                                                <span class="tags">{n.tags.join(" · ")}</span>
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                })}
                <ShowMore id="note-more" limit counts=note_counts(notes)/>
            </div>
            <div class="pane">
                {move || match pane.get() {
                    Pane::Nothing => view! { <p class="muted">{move || i18n.t("notes.pick")}</p> }.into_any(),
                    Pane::Show(id) => view! { <NoteDetail id pane/> }.into_any(),
                    Pane::Edit(id) => view! { <NoteEditor id pane/> }.into_any(),
                }}
            </div>
        </section>
    }
}

#[component]
fn NoteDetail(id: String, pane: RwSignal<Pane>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let doomed = id.clone();
    let note = watched(move || ops::GetNotePage { id: id.clone() });
    let catalogue = watched(|| ops::Skills {});
    // Deleting asks once more, in place.
    let confirming = RwSignal::new(false);
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let delete = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        act(ops::DeleteNote { id: doomed.clone() }, error, move || {
            pane.set(Pane::Nothing)
        });
    };
    view! {
        <article class="note">
            {loaded(note, move |NotePage { note: n, html }| {
                let edit_id = n.id.clone();
                let (author, when) = (n.author_name.clone(), n.updated_at.clone());
                view! {
                    <header class="note-head">
                        <h1 id="note-view-title">{n.title.clone()}</h1>
                        <button
                            id="note-edit"
                            on:click=move |_| pane.set(Pane::Edit(Some(edit_id.clone())))
                        >
                            {move || i18n.t("notes.edit")}
                        </button>
                    </header>
                    <p class="muted">
                        {move || {
                            let when = local_time(i18n.locale.get(), &when);
                            i18n.tf("notes.by", &[("name", &author), ("when", &when)])
                        }}
                    </p>
                    <p class="tags">{n.tags.join(" · ")}</p>
                    <p class="note-skills">
                        {
                            let ids = n.skills.clone();
                            move || {
                                let known = catalogue.get().and_then(Result::ok).unwrap_or_default();
                                let locale = i18n.locale.get();
                                ids.iter()
                                    .map(|id| skill_label(&known, locale, id))
                                    .collect::<Vec<_>>()
                                    .join(" · ")
                            }
                        }
                    </p>
                    // Peer-written Markdown arrives rendered and sanitised by the shell
                    // (`node::markdown`): no script, handler, style or remote URL in it.
                    <div id="note-view-body" class="body markdown" inner_html=html on:click=open_links_outside></div>
                    <Show when={
                        let empty = n.backlinks.is_empty();
                        move || !empty
                    }>
                        <h2>{move || i18n.t("notes.backlinks")}</h2>
                    </Show>
                    <div class="danger">
                        <button id="note-delete" type="button" on:click=delete.clone()>
                            {move || {
                                i18n.t(if confirming.get() { "notes.delete_confirm" } else { "notes.delete" })
                            }}
                        </button>
                        {move || {
                            confirming
                                .get()
                                .then(|| {
                                    view! {
                                        <button type="button" on:click=move |_| confirming.set(false)>
                                            {move || i18n.t("notes.cancel")}
                                        </button>
                                    }
                                })
                        }}
                        {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
                    </div>
                    <ul class="backlinks">
                        {n
                            .backlinks
                            .iter()
                            .map(|b| {
                                let id = b.id.clone();
                                view! {
                                    <li>
                                        <button on:click=move |_| pane.set(Pane::Show(id.clone()))>
                                            {b.title.clone()}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            })}
        </article>
    }
}

/// The `[[` link being typed before the cursor (a UTF-16 offset, as the textarea gives it):
/// the byte offset just after `[[` and what was typed since.
fn open_link(text: &str, cursor: usize) -> Option<(usize, String)> {
    let units: Vec<u16> = text.encode_utf16().take(cursor).collect();
    let before = String::from_utf16(&units).ok()?;
    let start = before.rfind("[[")? + 2;
    let typed = &before[start..];
    if typed.contains(']') || typed.contains('[') || typed.contains('\n') {
        return None;
    }
    Some((start, typed.to_owned()))
}

/// How many note titles `[[` completion offers.
const LINK_CHOICES: u32 = 6;

#[component]
fn NoteEditor(id: Option<String>, pane: RwSignal<Pane>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let textarea: NodeRef<html::Textarea> = NodeRef::new();
    let link: RwSignal<Option<(usize, String)>> = RwSignal::new(None);
    // The titles the store finds for what was typed after `[[` (asked again only when that
    // changes; for none while no link is open), narrowed here to the text typed now, so a
    // reply a keystroke late offers nothing the text no longer matches.
    let typed = Memo::new(move |_| link.get().map(|(_, typed)| typed));
    let found = watched(move || {
        let title = typed.get();
        ops::NoteList {
            tag: None,
            skill: None,
            community: None,
            limit: if title.is_some() { LINK_CHOICES } else { 0 },
            title,
        }
    });
    let highlighted = RwSignal::new(0usize);
    let choices = Memo::new(move |_| {
        let Some(typed) = typed.get() else {
            return Vec::new();
        };
        let typed = ipc::fold(&typed);
        found
            .get()
            .and_then(Result::ok)
            .map(|p| p.notes)
            .unwrap_or_default()
            .into_iter()
            .map(|n| n.title)
            .filter(|t| ipc::fold(t).contains(&typed))
            .collect::<Vec<String>>()
    });
    let on_body = move |ev: ev::Event| {
        let text = event_target_value(&ev);
        let cursor = textarea
            .get_untracked()
            .and_then(|t| t.selection_start().ok().flatten())
            .map_or_else(|| text.encode_utf16().count(), |c| c as usize);
        link.set(open_link(&text, cursor));
        highlighted.set(0);
        body.set(text);
    };
    // Completes the open `[[` link with `title` and puts the cursor after it.
    let pick = move |title: String| {
        let Some((start, typed)) = link.get_untracked() else {
            return;
        };
        let text = body.get_untracked();
        let rest = text.get(start + typed.len()..).unwrap_or_default();
        let rest = rest.strip_prefix("]]").unwrap_or(rest);
        let head = text.get(..start).unwrap_or_default();
        let completed = format!("{head}{title}]]{rest}");
        let cursor = (format!("{head}{title}]]").encode_utf16().count()) as u32;
        link.set(None);
        body.set(completed.clone());
        if let Some(t) = textarea.get_untracked() {
            t.set_value(&completed);
            let _ = t.set_selection_range(cursor, cursor);
            let _ = t.focus();
        }
    };
    let on_key = move |ev: ev::KeyboardEvent| {
        let list = choices.get_untracked();
        if list.is_empty() {
            return;
        }
        let n = list.len();
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                highlighted.update(|h| *h = (*h + 1) % n);
            }
            "ArrowUp" => {
                ev.prevent_default();
                highlighted.update(|h| *h = (*h + n - 1) % n);
            }
            "Enter" | "Tab" => {
                ev.prevent_default();
                pick(list[highlighted.get_untracked().min(n - 1)].clone());
            }
            "Escape" => link.set(None),
            _ => {}
        }
    };
    let previewing = RwSignal::new(false);
    let preview_html = RwSignal::new(String::new());
    Effect::new(move |_| {
        if !previewing.get() {
            return;
        }
        let markdown = body.get();
        spawn_local(async move {
            if let Ok(html) = call(&ops::Preview { markdown }).await {
                preview_html.set(html);
            }
        });
    });
    let tags = RwSignal::new(String::new());
    let skills = RwSignal::new(String::new());
    let scope = RwSignal::new(String::new());
    let communities = watched(|| ops::Communities {});
    let catalogue = watched(|| ops::Skills {});
    // What the note had when opened: edits send the differences.
    let had_tags: StoredValue<Vec<String>> = StoredValue::new(Vec::new());
    let had_skills: StoredValue<Vec<String>> = StoredValue::new(Vec::new());
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    if let Some(existing) = id.clone() {
        spawn_local(async move {
            let known = call(&ops::Skills {}).await.unwrap_or_default();
            match call(&ops::Note { id: existing }).await {
                Ok(n) => {
                    title.set(n.title);
                    body.set(n.body);
                    tags.set(n.tags.join(", "));
                    let labels: Vec<String> = n
                        .skills
                        .iter()
                        .map(|id| skill_label(&known, i18n.locale.get_untracked(), id))
                        .collect();
                    skills.set(labels.join(", "));
                    had_tags.set_value(n.tags);
                    had_skills.set_value(labels);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    }
    let editing = id.clone();
    let save = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let editing = editing.clone();
        spawn_local(async move {
            let (t, b) = (title.get_untracked(), body.get_untracked());
            let (new_tags, new_skills) =
                (list(&tags.get_untracked()), list(&skills.get_untracked()));
            let result = match editing {
                Some(id) => {
                    let (add_tags, remove_tags) = changes(&had_tags.get_value(), &new_tags);
                    let (add_skills, remove_skills) = changes(&had_skills.get_value(), &new_skills);
                    call(&ops::EditNote {
                        id: id.clone(),
                        title: Some(t),
                        body: Some(b),
                        add_tags,
                        remove_tags,
                        add_skills,
                        remove_skills,
                    })
                    .await
                    .map(|()| id)
                }
                None => {
                    call(&ops::AddNote {
                        draft: NoteDraft {
                            title: t,
                            body: b,
                            tags: new_tags,
                            skills: new_skills,
                            scope: Some(scope.get_untracked()).filter(|s| !s.is_empty()),
                        },
                    })
                    .await
                }
            };
            busy.set(false);
            match result {
                Ok(id) => pane.set(Pane::Show(id)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let cancel_to = id.clone();
    let is_new = id.is_none();
    view! {
        <form class="editor" on:submit=save>
            <label for="note-title">{move || i18n.t("notes.field_title")}</label>
            <input
                id="note-title"
                required
                autofocus
                prop:value=move || title.get()
                on:input=move |ev| title.set(event_target_value(&ev))
            />
            <label for="note-body">{move || i18n.t("notes.field_body")}</label>
            <textarea
                id="note-body"
                rows="14"
                node_ref=textarea
                aria-autocomplete="list"
                prop:value=move || body.get()
                on:input=on_body
                on:keydown=on_key
            ></textarea>
            <Show when=move || !choices.get().is_empty()>
                <ul class="link-choices" role="listbox" aria-label=move || i18n.t("notes.link_choices")>
                    {move || {
                        choices
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, t)| {
                                let chosen = t.clone();
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="link-choice"
                                            role="option"
                                            aria-selected=move || (highlighted.get() == i).to_string()
                                            on:click=move |_| pick(chosen.clone())
                                        >
                                            {t}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
            <p class="hint">{move || i18n.t("notes.link_hint")}</p>
            <Show when=move || previewing.get()>
                <h2>{move || i18n.t("notes.preview_title")}</h2>
                // Rendered and sanitised by the shell, as the note view will show it.
                <div
                    id="note-preview-body"
                    class="body markdown preview"
                    inner_html=move || preview_html.get()
                    on:click=open_links_outside
                ></div>
            </Show>
            <label for="note-tags">{move || i18n.t("notes.field_tags")}</label>
            <input
                id="note-tags"
                prop:value=move || tags.get()
                on:input=move |ev| tags.set(event_target_value(&ev))
            />
            <label for="note-skills">{move || i18n.t("notes.field_skills")}</label>
            <input
                id="note-skills"
                list="note-skill-names"
                placeholder=move || i18n.t("session.skills_hint")
                prop:value=move || skills.get()
                on:input=move |ev| skills.set(event_target_value(&ev))
            />
            <datalist id="note-skill-names">
                {move || {
                    let locale = i18n.locale.get();
                    catalogue
                        .get()
                        .and_then(Result::ok)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|k| {
                            let label = skill_label(std::slice::from_ref(&k), locale, &k.id);
                            view! { <option value=label></option> }
                        })
                        .collect_view()
                }}
            </datalist>
            <Show when=move || is_new>
                <label for="note-scope">{move || i18n.t("notes.field_scope")}</label>
                <select id="note-scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t("notes.scope_workspace")}</option>
                    <option value="personal">{move || i18n.t("notes.scope_personal")}</option>
                    <CommunityOptions communities/>
                </select>
            </Show>
            <div class="actions">
                <button id="note-save" type="submit" disabled=move || busy.get()>
                    {move || i18n.t("notes.save")}
                </button>
                <button
                    id="note-preview"
                    type="button"
                    aria-pressed=move || previewing.get().to_string()
                    on:click=move |_| previewing.update(|p| *p = !*p)
                >
                    {move || i18n.t(if previewing.get() { "notes.preview_hide" } else { "notes.preview" })}
                </button>
                <button
                    type="button"
                    on:click=move |_| {
                        pane.set(cancel_to.clone().map_or(Pane::Nothing, Pane::Show))
                    }
                >
                    {move || i18n.t("notes.cancel")}
                </button>
            </div>
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::open_link;

    #[test]
    fn an_open_link_is_found_before_the_cursor() {
        let utf16 = |s: &str| s.encode_utf16().count();
        assert_eq!(open_link("See [[Git", 9), Some((6, "Git".to_owned())));
        assert_eq!(open_link("See [[", 6), Some((6, String::new())));
        // A closed link, another line, or no `[[` at all: nothing to complete.
        assert_eq!(open_link("See [[Git]] and", 15), None);
        assert_eq!(open_link("[[Git\nmore", 10), None);
        assert_eq!(open_link("plain text", 10), None);
        // The cursor counts UTF-16 units; the offset returned is in bytes.
        let text = "Écrire [[Réu";
        let found = open_link(text, utf16(text));
        assert_eq!(found, Some(("Écrire [[".len(), "Réu".to_owned())));
        // Only what is before the cursor counts.
        assert_eq!(open_link("[[Git]]", 4), Some((2, "Gi".to_owned())));
    }
}
