//! Communities of practice: the workspace's communities (create one, join one), a community's
//! threads (open one), and a thread with its replies (reply, and its author accepts the answer).
//! A community's threads reach only its members.

use ipc::ThreadPage;
use ipc::ops;
use ipc::sets::Scope;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::open_links_outside;
use crate::components::data::{act, loaded, watched};
use crate::components::error::ErrorLine;
use crate::components::more::{ShowMore, counts, shown};
use crate::components::time::local_time;
use crate::i18n::I18n;
use crate::screens::notes::{asked, note_counts};
use crate::tauri::call;

/// Where the screen is: the list of communities, one community's threads, or one thread.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    All,
    Community(String, String),
    Thread(String),
}

#[component]
pub(crate) fn Communities(member_id: String, open: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let place = RwSignal::new(Place::All);
    // A thread asked for from elsewhere (a search hit) opens here.
    Effect::new(move |_| {
        if let Some(id) = open.get() {
            place.set(Place::Thread(id));
            open.set(None);
        }
    });
    let me = StoredValue::new(member_id);
    view! {
        <section class="communities">
            <h1>{move || i18n.t("community.title")}</h1>
            {move || match place.get() {
                Place::All => view! { <All place/> }.into_any(),
                Place::Community(id, name) => view! { <Threads id name place/> }.into_any(),
                Place::Thread(id) => view! { <Thread id place me=me.get_value()/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn All(place: RwSignal<Place>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let list = watched(|| ops::Communities {});
    let name = RwSignal::new(String::new());
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let create = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::CreateCommunity {
            name: name.get_untracked(),
        };
        act(args, error, move || name.set(String::new()));
    };
    view! {
        <form class="card" on:submit=create>
            <h2>{move || i18n.t("community.create_title")}</h2>
            <label for="community-name">{move || i18n.t("community.name")}</label>
            <input
                id="community-name"
                required
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <button id="community-create" type="submit">{move || i18n.t("community.create")}</button>
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </form>
        {loaded(list, move |list| {
            if list.is_empty() {
                return view! { <p class="muted">{move || i18n.t("community.none")}</p> }.into_any();
            }
            view! {
                <ul class="community-list">
                    {list
                        .into_iter()
                        .map(|c| {
                            let (id, name) = (c.id.clone(), c.name.clone());
                            let join_id = c.id.clone();
                            let (members, threads) = (c.members.len(), c.threads);
                            view! {
                                <li class="community" data-name=c.name.clone()>
                                    <span class="name">{c.name.clone()}</span>
                                    <span class="muted">
                                        {move || {
                                            let members = i18n.tn("community.members", members);
                                            let threads = i18n.tn("community.threads", threads);
                                            i18n.tf(
                                                "community.counts",
                                                &[("members", &members), ("threads", &threads)],
                                            )
                                        }}
                                    </span>
                                    {if c.joined {
                                        view! {
                                            <button
                                                class="community-open"
                                                on:click=move |_| place.set(Place::Community(id.clone(), name.clone()))
                                            >
                                                {move || i18n.t("community.open")}
                                            </button>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <button
                                                class="community-join"
                                                on:click=move |_| {
                                                    act(ops::JoinCommunity { community: join_id.clone() }, error, || {})
                                                }
                                            >
                                                {move || i18n.t("community.join")}
                                            </button>
                                        }
                                            .into_any()
                                    }}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        })}
    }
}

#[component]
fn Threads(id: String, name: String, place: RwSignal<Place>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let community = StoredValue::new(id);
    let list = watched(move || ops::Threads {
        community: community.get_value(),
    });
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let post = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::PostThread {
            community: community.get_value(),
            title: title.get_untracked(),
            body: body.get_untracked(),
        };
        spawn_local(async move {
            match call(&args).await {
                Ok(thread) => {
                    error.set(None);
                    title.set(String::new());
                    body.set(String::new());
                    place.set(Place::Thread(thread));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // The community's notes, a page at a time from the store; its sessions (from the list of
    // all, which carry their scope) and threads, a page at a time on screen.
    let note_limit = shown();
    let notes = watched(move || ops::NoteList {
        tag: None,
        skill: None,
        community: Some(community.get_value()),
        title: None,
        limit: asked(note_limit.get()),
    });
    let session_limit = shown();
    let thread_limit = shown();
    let sessions = watched(|| ops::Sessions { upcoming: false });
    let here = move || Scope::Community(community.get_value());
    let ours = move || -> Vec<_> {
        sessions
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.scope == here())
            .collect()
    };
    let session_counts = Signal::derive(move || {
        let all = ours().len();
        Some(counts(all, session_limit.get()))
    });
    let leave = move |_| {
        let args = ops::LeaveCommunity {
            community: community.get_value(),
            member: None,
        };
        act(args, error, move || place.set(Place::All));
    };
    view! {
        <button id="community-back" class="link" on:click=move |_| place.set(Place::All)>
            {move || i18n.t("community.back")}
        </button>
        <h2 id="community-title">{name}</h2>
        <button id="community-leave" type="button" on:click=leave>
            {move || i18n.t("community.leave")}
        </button>
        <h3>{move || i18n.t("community.notes")}</h3>
        <ul class="community-notes">
            {move || {
                let mine = notes
                    .get()
                    .and_then(Result::ok)
                    .map(|p| p.notes)
                    .unwrap_or_default();
                if mine.is_empty() {
                    return view! { <li class="muted">{move || i18n.t("community.no_notes")}</li> }
                        .into_any();
                }
                mine.into_iter()
                    .map(|n| view! { <li class="community-note">{n.title}</li> })
                    .collect_view()
                    .into_any()
            }}
        </ul>
        <ShowMore id="community-notes-more" limit=note_limit counts=note_counts(notes)/>
        <h3>{move || i18n.t("community.sessions")}</h3>
        <ul class="community-sessions">
            {move || {
                let ours: Vec<_> = ours().into_iter().take(session_limit.get()).collect();
                if ours.is_empty() {
                    return view! { <li class="muted">{move || i18n.t("community.no_sessions")}</li> }
                        .into_any();
                }
                ours.into_iter()
                    .map(|s| {
                        let at = s.at.clone();
                        view! {
                            <li class="community-session">
                                {s.title}
                                " · "
                                <span class="muted">{move || local_time(i18n.locale.get(), &at)}</span>
                            </li>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </ul>
        <ShowMore id="community-sessions-more" limit=session_limit counts=session_counts/>
        <p class="muted">{move || i18n.t("community.notes_help")}</p>
        {loaded(list, move |list| {
            if list.is_empty() {
                return view! { <p class="muted">{move || i18n.t("community.no_threads")}</p> }
                    .into_any();
            }
            view! {
                <ul class="thread-list">
                    {list
                        .into_iter()
                        .take(thread_limit.get())
                        .map(|t| {
                            let id = t.id.clone();
                            let replies = t.replies.to_string();
                            let (author, when) = (t.author_name.clone(), t.updated_at.clone());
                            view! {
                                <li>
                                    <button
                                        class="thread-item"
                                        on:click=move |_| {
                                            place.set(Place::Thread(id.clone()))
                                        }
                                    >
                                        <span class="title">{t.title.clone()}</span>
                                        {t.accepted.is_some().then(|| view! { <span class="badge">{move || i18n.t("community.answered")}</span> })}
                                        <span class="muted">
                                            {move || {
                                                i18n.tf(
                                                    "community.thread_line",
                                                    &[
                                                        ("name", &author),
                                                        ("replies", &replies),
                                                        ("when", &local_time(i18n.locale.get(), &when)),
                                                    ],
                                                )
                                            }}
                                        </span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        })}
        <ShowMore
            id="threads-more"
            limit=thread_limit
            counts=Signal::derive(move || {
                list.get()
                    .and_then(Result::ok)
                    .map(|l| counts(l.len(), thread_limit.get()))
            })
        />
        <form class="card" on:submit=post>
            <h3>{move || i18n.t("community.new_thread")}</h3>
            <label for="thread-title">{move || i18n.t("community.thread_title")}</label>
            <input
                id="thread-title"
                required
                prop:value=move || title.get()
                on:input=move |ev| title.set(event_target_value(&ev))
            />
            <label for="thread-body">{move || i18n.t("community.thread_body")}</label>
            <textarea
                id="thread-body"
                rows="4"
                required
                prop:value=move || body.get()
                on:input=move |ev| body.set(event_target_value(&ev))
            ></textarea>
            <button id="thread-post" type="submit">{move || i18n.t("community.post")}</button>
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </form>
    }
}

#[component]
fn Thread(id: String, place: RwSignal<Place>, me: String) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let thread = StoredValue::new(id);
    let page = watched(move || ops::GetThreadPage {
        id: thread.get_value(),
    });
    let body = RwSignal::new(String::new());
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let send = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let args = ops::Reply {
            thread: thread.get_value(),
            body: body.get_untracked(),
        };
        act(args, error, move || body.set(String::new()));
    };
    view! {
        {loaded(page, move |ThreadPage { thread: t, html, posts_html }| {
            let mine = t.author == me;
            let (author, when) = (t.author_name.clone(), t.created_at.clone());
            let back = (t.community.clone(), t.community_name.clone());
            let name = t.community_name.clone();
            view! {
                <button
                    id="thread-back"
                    class="link"
                    on:click=move |_| place.set(Place::Community(back.0.clone(), back.1.clone()))
                >
                    {move || i18n.tf("community.back_to", &[("name", &name)])}
                </button>
                <article class="thread">
                    <h2 id="thread-view-title">{t.title.clone()}</h2>
                    <p class="muted">
                        {move || {
                            i18n.tf(
                                "community.asked_by",
                                &[("name", &author), ("when", &local_time(i18n.locale.get(), &when))],
                            )
                        }}
                    </p>
                    // Peer-written Markdown arrives rendered and sanitised by the shell.
                    <div class="body markdown" inner_html=html on:click=open_links_outside></div>
                    <h3>{move || i18n.t("community.replies")}</h3>
                    <ul class="posts">
                        {t
                            .posts
                            .into_iter()
                            .zip(posts_html)
                            .map(|(p, html)| {
                                let (author, when) = (p.author_name.clone(), p.created_at.clone());
                                let accept = ops::Accept { thread: t.id.clone(), post: p.id.clone() };
                                let accept = StoredValue::new((accept.thread, accept.post));
                                view! {
                                    <li class="post" class:accepted=p.accepted>
                                        <p class="muted">
                                            {move || {
                                                i18n.tf(
                                                    "community.replied_by",
                                                    &[("name", &author), ("when", &local_time(i18n.locale.get(), &when))],
                                                )
                                            }}
                                            {p.accepted.then(|| view! { <span class="badge accepted-badge">{move || i18n.t("community.accepted")}</span> })}
                                        </p>
                                        <div class="body markdown" inner_html=html on:click=open_links_outside></div>
                                        {(mine && !p.accepted)
                                            .then(|| {
                                                view! {
                                                    <button
                                                        class="accept"
                                                        on:click=move |_| {
                                                            let (thread, post) = accept.get_value();
                                                            act(ops::Accept { thread, post }, error, || {})
                                                        }
                                                    >
                                                        {move || i18n.t("community.accept")}
                                                    </button>
                                                }
                                            })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </article>
            }
                .into_any()
        })}
        <form class="card" on:submit=send>
            <label for="reply-body">{move || i18n.t("community.reply")}</label>
            <textarea
                id="reply-body"
                rows="3"
                required
                prop:value=move || body.get()
                on:input=move |ev| body.set(event_target_value(&ev))
            ></textarea>
            <button id="reply-post" type="submit">{move || i18n.t("community.send")}</button>
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </form>
    }
}
