//! Peer reviews: asking a colleague for one (from a template), the inbox of reviews to write
//! (answers saved as a draft, then submitted with the time spent), and the reviews asked for,
//! read and acknowledged with a reply. A review reaches only its two participants.

use ipc::forms::ReviewDraft;
use ipc::ops;
use ipc::sets::{ReviewStatus, Template};
use ipc::views::ReviewView;
use leptos::ev;
use leptos::prelude::*;

use crate::components::colleagues::ColleagueSelect;
use crate::components::data::{Drafts, act, loaded, watched};
use crate::components::error::ErrorLine;
use crate::components::forms::whole_number;
use crate::components::labels::Labelled;
use crate::components::time::local_time;
use crate::i18n::I18n;
use crate::tauri::call;

/// The heading of an answer: a template key in the reader's language, or a rubric criterion.
fn key_label(i18n: I18n, key: &str) -> String {
    match key {
        "start" | "stop" | "continue" | "situation" | "behaviour" | "impact" => {
            i18n.t(&format!("review.key.{key}"))
        }
        criterion => criterion.to_owned(),
    }
}

#[component]
pub(crate) fn Reviews(member_id: String) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let list = watched(|| ops::Reviews {});
    let members = watched(|| ops::Members {});

    let reviewer = RwSignal::new(String::new());
    let about = RwSignal::new(String::new());
    let template = RwSignal::new(Template::StartStopContinue);
    let criteria = RwSignal::new(String::new());
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let request = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::ReviewRequest {
            reviewer: reviewer.get_untracked(),
            about: about.get_untracked(),
            template: template.get_untracked(),
            criteria: criteria
                .get_untracked()
                .split(',')
                .map(|c| c.trim().to_owned())
                .collect(),
        };
        act(args, error, move || {
            about.set(String::new());
            criteria.set(String::new());
        });
    };
    let template_option = move |value: Template| {
        view! {
            <option value=value.as_str() selected=move || template.get() == value>
                {move || value.label(i18n)}
            </option>
        }
    };
    let me = StoredValue::new(member_id);
    let drafts = Drafts::new();
    // The review whose draft was saved last: the save renders the list again, so the card
    // cannot hold it.
    let saved: RwSignal<Option<String>> = RwSignal::new(None);
    let section = move |title: &'static str,
                        empty: &'static str,
                        id: &'static str,
                        keep: fn(&ReviewView, &str) -> bool| {
        view! {
            <section id=id>
                <h2>{move || i18n.t(title)}</h2>
                {loaded(list, move |list| {
                    let me = me.get_value();
                    let mine: Vec<ReviewView> = list.into_iter().filter(|r| keep(r, &me)).collect();
                    if mine.is_empty() {
                        return view! { <p class="muted">{move || i18n.t(empty)}</p> }.into_any();
                    }
                    mine.into_iter()
                        .map(|r| view! { <ReviewCard r me=me.clone() drafts saved/> })
                        .collect_view()
                        .into_any()
                })}
            </section>
        }
    };

    view! {
        <section class="reviews">
            <h1>{move || i18n.t("review.title")}</h1>
            <form class="card" on:submit=request>
                <h2>{move || i18n.t("review.request_title")}</h2>
                <label for="review-reviewer">{move || i18n.t("review.reviewer")}</label>
                <ColleagueSelect id="review-reviewer" members chosen=reviewer/>
                <label for="review-about">{move || i18n.t("review.about")}</label>
                <input
                    id="review-about"
                    required
                    prop:value=move || about.get()
                    on:input=move |ev| about.set(event_target_value(&ev))
                />
                <label for="review-template">{move || i18n.t("review.template")}</label>
                <select
                    id="review-template"
                    on:change=move |ev| {
                        if let Ok(chosen) = event_target_value(&ev).parse() {
                            template.set(chosen);
                        }
                    }
                >
                    {Template::ALL.iter().map(|t| template_option(*t)).collect_view()}
                </select>
                <Show when=move || template.get() == Template::Rubric>
                    <label for="review-criteria">{move || i18n.t("review.criteria")}</label>
                    <input
                        id="review-criteria"
                        prop:value=move || criteria.get()
                        on:input=move |ev| criteria.set(event_target_value(&ev))
                    />
                </Show>
                <button id="review-request" type="submit">{move || i18n.t("review.request")}</button>
                {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
            </form>
            {section(
                "review.inbox_title",
                "review.inbox_none",
                "review-inbox",
                |r, me| r.reviewer.member_id == me && r.status == ReviewStatus::Requested,
            )}
            {section(
                "review.asked_title",
                "review.asked_none",
                "review-asked",
                |r, me| r.requester.member_id == me,
            )}
            {section(
                "review.given_title",
                "review.given_none",
                "review-given",
                |r, me| r.reviewer.member_id == me && r.status != ReviewStatus::Requested,
            )}
        </section>
    }
}

/// One review: the form to write it (its reviewer, while requested), its answers (once
/// submitted) and the acknowledgement (its requester, once submitted).
#[component]
fn ReviewCard(
    r: ReviewView,
    me: String,
    drafts: Drafts,
    saved: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let writing = r.reviewer.member_id == me && r.status == ReviewStatus::Requested;
    let acknowledging = r.requester.member_id == me && r.status == ReviewStatus::Submitted;
    let rubric = r.template == Template::Rubric;
    let (requester, reviewer) = (r.requester.name.clone(), r.reviewer.name.clone());
    let (template, status) = (r.template, r.status);
    let answers: Vec<(String, RwSignal<String>, RwSignal<String>)> = r
        .answers
        .iter()
        .map(|a| {
            let key = |field: &str| format!("{}/{field}/{}", r.id, a.key);
            (
                a.key.clone(),
                drafts.field(key("text"), || a.text.clone()),
                drafts.field(key("rating"), || {
                    a.rating.map(|n| n.to_string()).unwrap_or_default()
                }),
            )
        })
        .collect();
    let answers = StoredValue::new(answers);
    let draft = {
        let id = r.id.clone();
        move || ReviewDraft {
            id: id.clone(),
            answers: answers.with_value(|list| {
                list.iter()
                    .map(|(k, text, _)| (k.clone(), text.get_untracked()))
                    .collect()
            }),
            ratings: answers.with_value(|list| {
                list.iter()
                    .filter_map(|(k, _, rating)| {
                        rating.get_untracked().parse().ok().map(|n| (k.clone(), n))
                    })
                    .collect()
            }),
        }
    };
    let minutes = drafts.field(format!("{}/minutes", r.id), || "30".to_owned());
    let save = {
        let (draft, id) = (draft.clone(), r.id.clone());
        move |_| {
            saved.set(None);
            let id = id.clone();
            act(ops::ReviewWrite { draft: draft() }, error, move || {
                saved.set(Some(id))
            });
        }
    };
    let this = r.id.clone();
    let is_saved = move || saved.get().as_deref() == Some(this.as_str());
    let submit = {
        let id = r.id.clone();
        move |ev: ev::SubmitEvent| {
            ev.prevent_default();
            let Some(minutes) = whole_number(
                i18n,
                &minutes.get_untracked(),
                "mentoring.minutes_invalid",
                error,
            ) else {
                return;
            };
            let (draft, id) = (draft(), id.clone());
            leptos::task::spawn_local(async move {
                let written = call(&ops::ReviewWrite { draft }).await;
                let result = match written {
                    Ok(_) => call(&ops::ReviewSubmit { id, minutes }).await,
                    Err(e) => Err(e),
                };
                error.set(result.err());
            });
        }
    };
    let reply = drafts.field(format!("{}/reply", r.id), String::new);
    let acknowledge = {
        let id = r.id.clone();
        move |ev: ev::SubmitEvent| {
            ev.prevent_default();
            act(
                ops::ReviewAck {
                    id: id.clone(),
                    reply: reply.get_untracked(),
                },
                error,
                || {},
            );
        }
    };
    let created = r.created_at.clone();
    view! {
        <article class="card review" data-id=r.id.clone() data-status=r.status.as_str()>
            <h3>{r.about.clone()}</h3>
            <p class="muted">
                {move || {
                    i18n.tf(
                        "review.line",
                        &[
                            ("requester", &requester),
                            ("reviewer", &reviewer),
                            ("template", &template.label(i18n)),
                            ("when", &local_time(i18n.locale.get(), &created)),
                        ],
                    )
                }}
                " · "
                <span class="status">{move || status.label(i18n)}</span>
            </p>
            {if writing {
                view! {
                    <form class="review-write" on:submit=submit>
                        {answers
                            .get_value()
                            .into_iter()
                            .map(|(key, text, rating)| {
                                let label = key.clone();
                                view! {
                                    <label class="answer" data-key=key.clone()>
                                        {move || key_label(i18n, &label)}
                                        {rubric
                                            .then(|| {
                                                view! {
                                                    <select
                                                        class="answer-rating"
                                                        on:change=move |ev| rating.set(event_target_value(&ev))
                                                    >
                                                        <option value="">"–"</option>
                                                        {(1..=5)
                                                            .map(|n| {
                                                                let n = n.to_string();
                                                                let value = n.clone();
                                                                view! {
                                                                    <option value=n.clone() selected=move || rating.get() == value>
                                                                        {n.clone()}
                                                                    </option>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </select>
                                                }
                                            })}
                                        <textarea
                                            class="answer-text"
                                            rows="3"
                                            prop:value=move || text.get()
                                            on:input=move |ev| text.set(event_target_value(&ev))
                                        ></textarea>
                                    </label>
                                }
                            })
                            .collect_view()}
                        <label>
                            {move || i18n.t("review.minutes")}
                            <input
                                class="review-minutes"
                                type="number"
                                min="0"
                                prop:value=move || minutes.get()
                                on:input=move |ev| minutes.set(event_target_value(&ev))
                            />
                        </label>
                        <div class="buttons">
                            <button type="button" class="review-save" on:click=save>
                                {move || i18n.t("review.save")}
                            </button>
                            <button type="submit" class="review-submit">{move || i18n.t("review.submit")}</button>
                        </div>
                        <Show when=is_saved.clone()>
                            <p class="saved" role="status">{move || i18n.t("review.saved")}</p>
                        </Show>
                    </form>
                }
                    .into_any()
            } else if r.status == ReviewStatus::Requested {
                view! { <p class="muted">{move || i18n.t("review.waiting")}</p> }.into_any()
            } else {
                view! {
                    <dl class="review-answers">
                        {r
                            .answers
                            .into_iter()
                            .map(|a| {
                                let key = a.key.clone();
                                let rating = a.rating.map(|n| format!(" ({n}/5)")).unwrap_or_default();
                                view! {
                                    <dt>{move || key_label(i18n, &key)} {rating}</dt>
                                    <dd class="answer-shown">{a.text}</dd>
                                }
                            })
                            .collect_view()}
                    </dl>
                }
                    .into_any()
            }}
            {(!r.reply.is_empty())
                .then(|| {
                    view! {
                        <p class="reply">
                            <strong>{move || i18n.t("review.reply_shown")}</strong>
                            " "
                            {r.reply.clone()}
                        </p>
                    }
                })}
            {acknowledging
                .then(|| {
                    view! {
                        <form class="review-ack-form" on:submit=acknowledge>
                            <label>
                                {move || i18n.t("review.reply")}
                                <textarea
                                    class="review-reply"
                                    rows="2"
                                    prop:value=move || reply.get()
                                    on:input=move |ev| reply.set(event_target_value(&ev))
                                ></textarea>
                            </label>
                            <button type="submit" class="review-ack">{move || i18n.t("review.ack")}</button>
                        </form>
                    }
                })}
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </article>
    }
}
