//! The screens. They render view models fetched from the shell and refetch when the shell's
//! change event bumps the [`Revision`] of a document kind their operation reads; they never poll
//! and never hold a CRDT document.

use ipc::forms::NoteDraft;
use ipc::ops::{self, Op};
use ipc::views::{NoteSummary, SearchHitView};
use ipc::{AppState, Invite, NotePage};
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::account::{ExportImport, ProfileForm};
use crate::communities::Communities;
use crate::i18n::{I18n, Locale};
use crate::mentoring::Mentoring;
use crate::mentoring::act;
use crate::people::People;
use crate::recognition::Recognition;
use crate::reviews::Reviews;
use crate::sessions::Sessions;
use crate::tauri::{call, on_change};

/// A counter per document kind (`ipc::ops::DOC_KINDS`), bumped by each change event of that
/// kind (all of them by an `all` event): a resource tracks those of the kinds its operation
/// reads, so it refetches after the changes that can change it and only those.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Revision(StoredValue<Vec<(&'static str, RwSignal<u64>)>>);

impl Revision {
    fn new() -> Revision {
        Revision(StoredValue::new(
            ops::DOC_KINDS
                .iter()
                .map(|kind| (*kind, RwSignal::new(0)))
                .collect(),
        ))
    }

    /// A change arrived: the kind it names moves on (every kind, for `all` or a kind this
    /// build does not know).
    fn bump(self, changed: &ipc::Changed) {
        let every = !ops::DOC_KINDS.contains(&changed.kind.as_str());
        self.0.with_value(|kinds| {
            for (kind, revision) in kinds {
                if every || changed.kind == *kind {
                    revision.update(|r| *r += 1);
                }
            }
        });
    }

    /// Subscribes the running effect or resource to the changes `O`'s reply depends on.
    pub(crate) fn track<O: Op>(self) {
        self.0.with_value(|kinds| {
            for (kind, revision) in kinds {
                let probe = ipc::Changed {
                    id: String::new(),
                    kind: (*kind).to_owned(),
                };
                if ops::touches::<O>(&probe) {
                    revision.track();
                }
            }
        });
    }
}

/// The section shown in the main area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Home,
    Notes,
    People,
    Mentoring,
    Reviews,
    Sessions,
    Communities,
    Recognition,
    Team,
    Settings,
}

/// The colour theme chosen in Settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    fn code(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn from_code(code: &str) -> Theme {
        match code {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }
}

const THEME_KEY: &str = "entrepairs.theme";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Shows `theme` (on `<html data-theme>`) and remembers it.
fn apply_theme(theme: Theme) {
    if let Some(root) = document().document_element() {
        let _ = match theme {
            Theme::System => root.remove_attribute("data-theme"),
            other => root.set_attribute("data-theme", other.code()),
        };
    }
    if let Some(s) = storage() {
        let _ = s.set_item(THEME_KEY, theme.code());
    }
}

/// What the notes screen shows on its right.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pane {
    Nothing,
    Show(String),
    Edit(Option<String>),
}

const LOCALE_KEY: &str = "entrepairs.locale";

fn initial_locale() -> Locale {
    let window = web_sys::window();
    let stored = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(LOCALE_KEY).ok().flatten());
    let tag = stored
        .or_else(|| window.and_then(|w| w.navigator().language()))
        .unwrap_or_default();
    Locale::from_tag(&tag)
}

fn store_locale(locale: Locale) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(LOCALE_KEY, locale.code());
    }
}

/// The translated name of a search hit's kind.
fn kind_label(i18n: I18n, kind: &str) -> String {
    match kind {
        "note" => i18n.t("search.kind_note"),
        "thread" => i18n.t("search.kind_thread"),
        "profile" => i18n.t("search.kind_profile"),
        "session" => i18n.t("search.kind_session"),
        other => other.to_owned(),
    }
}

/// An RFC 3339 time as the locale writes dates and times.
pub(crate) fn local_time(locale: Locale, rfc3339: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    date.to_locale_string(locale.code(), &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}

/// An RFC 3339 time as the locale writes a date and a time of day to the minute (no seconds).
fn local_minute(locale: Locale, rfc3339: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let options = js_sys::Object::new();
    for (name, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        let _ = js_sys::Reflect::set(&options, &name.into(), &value.into());
    }
    date.to_locale_string(locale.code(), &options).into()
}

/// The one click handler of a container of rendered Markdown: a link clicked inside opens in
/// the system's browser through the shell (which accepts only http, https and mailto), never
/// in the app's window. A link within the page (`#…`, a footnote) is left to the page.
pub(crate) fn open_links_outside(ev: ev::MouseEvent) {
    use wasm_bindgen::JsCast as _;
    let Some(link) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("a[href]").ok().flatten())
    else {
        return;
    };
    let href = link.get_attribute("href").unwrap_or_default();
    if href.starts_with('#') {
        return;
    }
    ev.prevent_default();
    spawn_local(async move {
        if let Err(e) = call(&ops::OpenLink { url: href }).await {
            leptos::logging::warn!("link not opened: {}", e.message);
        }
    });
}

/// The whole app.
#[component]
pub(crate) fn App() -> impl IntoView {
    let i18n = I18n {
        locale: RwSignal::new(initial_locale()),
    };
    provide_context(i18n);
    Effect::new(move |_| {
        let locale = i18n.locale.get();
        store_locale(locale);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", locale.code());
        }
    });
    let stored_theme = storage()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .unwrap_or_default();
    apply_theme(Theme::from_code(&stored_theme));
    let revision = Revision::new();
    provide_context(revision);
    on_change(move |changed| revision.bump(&changed));

    let state: RwSignal<Option<Result<AppState, ipc::Error>>> = RwSignal::new(None);
    spawn_local(async move {
        state.set(Some(call(&ops::GetAppState {}).await));
    });
    view! {
        {move || match state.get() {
            None => view! { <p class="loading">{move || i18n.t("common.loading")}</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorLine error=e/> }.into_any(),
            Some(Ok(AppState::FirstLaunch { data_dir })) => {
                view! { <FirstLaunch data_dir state/> }.into_any()
            }
            Some(Ok(AppState::Ready { me, data_dir, demo })) => {
                view! {
                    <Shell
                        name=me.name
                        member_id=me.member_id
                        workspace=me.workspace_name
                        data_dir
                        demo
                        state
                    />
                }
                    .into_any()
            }
        }}
    }
}

/// The reply of the operation `args()`, asked again after every change event: how a screen
/// shows a view model that stays current without polling.
pub(crate) fn watched<O: Op>(
    args: impl Fn() -> O + 'static,
) -> LocalResource<Result<O::Reply, ipc::Error>> {
    let revision = expect_context::<Revision>();
    LocalResource::new(move || {
        revision.track::<O>();
        let args = args();
        async move { call(&args).await }
    })
}

/// What was typed into forms that a refetch renders again: kept by key, so that a change
/// arriving from a peer while someone types (which renders the list again) loses nothing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Drafts(StoredValue<std::collections::HashMap<String, String>>);

impl Drafts {
    pub(crate) fn new() -> Drafts {
        Drafts(StoredValue::new(std::collections::HashMap::new()))
    }

    /// A field's text: what was typed under `key` before, else `initial`; kept as it changes.
    pub(crate) fn field(self, key: String, initial: impl FnOnce() -> String) -> RwSignal<String> {
        let text = self
            .0
            .with_value(|all| all.get(&key).cloned())
            .unwrap_or_else(initial);
        let field = RwSignal::new(text);
        Effect::new(move |_| {
            let text = field.get();
            self.0.update_value(|all| {
                all.insert(key.clone(), text);
            });
        });
        field
    }

    /// Forgets the fields whose key starts with `prefix` (their form was sent).
    pub(crate) fn forget(self, prefix: &str) {
        self.0
            .update_value(|all| all.retain(|k, _| !k.starts_with(prefix)));
    }
}

/// What a screen shows of a watched view model: "loading", its error, or `show` of it.
pub(crate) fn loaded<T: Clone + 'static>(
    resource: LocalResource<Result<T, ipc::Error>>,
    show: impl Fn(T) -> AnyView + 'static,
) -> impl Fn() -> AnyView {
    let i18n = expect_context::<I18n>();
    move || match resource.get() {
        None => view! { <p>{move || i18n.t("common.loading")}</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorLine error=e/> }.into_any(),
        Some(Ok(value)) => show(value),
    }
}

/// An error as the reader's language names its kind, with the node's words after it.
#[component]
pub(crate) fn ErrorLine(error: ipc::Error) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let key = crate::i18n::error_key(error.kind);
    view! {
        <p class="error" role="alert" data-kind=error.kind.as_str()>
            {move || i18n.tf(&key, &[("message", &error.message)])}
        </p>
    }
}

#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let button = move |locale: Locale, id: &'static str, key: &'static str| {
        view! {
            <button
                id=id
                class="lang"
                aria-pressed=move || (i18n.locale.get() == locale).to_string()
                lang=locale.code()
                on:click=move |_| i18n.locale.set(locale)
            >
                {move || i18n.t(key)}
            </button>
        }
    };
    view! {
        <div class="language" role="group" aria-label=move || i18n.t("lang.label")>
            {button(Locale::En, "lang-en", "lang.en")}
            {button(Locale::Fr, "lang-fr", "lang.fr")}
        </div>
    }
}

#[component]
fn FirstLaunch(
    data_dir: String,
    state: RwSignal<Option<Result<AppState, ipc::Error>>>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let name = RwSignal::new(String::new());
    let workspace = RwSignal::new(String::new());
    let ticket = RwSignal::new(String::new());
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let busy: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let finish = move |result: Result<AppState, ipc::Error>| {
        busy.set(None);
        match result {
            Ok(next) => state.set(Some(Ok(next))),
            Err(e) => error.set(Some(e)),
        }
    };
    let create = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(Some("first.creating"));
        error.set(None);
        let args = ops::CreateWorkspace {
            name: name.get_untracked(),
            workspace: workspace.get_untracked(),
        };
        spawn_local(async move { finish(call(&args).await) });
    };
    let demo = move |_| {
        busy.set(Some("first.demo_building"));
        error.set(None);
        let args = ops::OpenDemo {
            name: name.get_untracked(),
            lang: i18n.locale.get_untracked().code().to_owned(),
        };
        spawn_local(async move { finish(call(&args).await) });
    };
    let join = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(Some("first.joining"));
        error.set(None);
        let args = ops::JoinWorkspace {
            ticket: ticket.get_untracked(),
            name: name.get_untracked(),
        };
        spawn_local(async move { finish(call(&args).await) });
    };
    view! {
        <main class="first-launch">
            <header class="first-head">
                <h1>{move || i18n.t("first.title")}</h1>
                <LanguageSwitch/>
            </header>
            <p class="lead">{move || i18n.t("first.lead")}</p>
            <label for="first-name">{move || i18n.t("first.your_name")}</label>
            <input
                id="first-name"
                autofocus
                required
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <form class="card" on:submit=create>
                <h2>{move || i18n.t("first.create")}</h2>
                <label for="first-workspace">{move || i18n.t("first.workspace_name")}</label>
                <input
                    id="first-workspace"
                    required
                    prop:value=move || workspace.get()
                    on:input=move |ev| workspace.set(event_target_value(&ev))
                />
                <button id="first-create" type="submit" disabled=move || busy.get().is_some()>
                    {move || i18n.t("first.create_button")}
                </button>
            </form>
            <form class="card" on:submit=join>
                <h2>{move || i18n.t("first.join")}</h2>
                <label for="first-ticket">{move || i18n.t("first.ticket")}</label>
                <textarea
                    id="first-ticket"
                    rows="3"
                    required
                    prop:value=move || ticket.get()
                    on:input=move |ev| ticket.set(event_target_value(&ev))
                ></textarea>
                <button id="first-join" type="submit" disabled=move || busy.get().is_some()>
                    {move || i18n.t("first.join_button")}
                </button>
            </form>
            <section class="card">
                <h2>{move || i18n.t("first.demo")}</h2>
                <p class="muted">{move || i18n.t("first.demo_help")}</p>
                <button id="first-demo" on:click=demo disabled=move || busy.get().is_some()>
                    {move || i18n.t("first.demo_button")}
                </button>
            </section>
            {move || busy.get().map(|key| view! { <p class="progress" role="status">{move || i18n.t(key)}</p> })}
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
            <p class="hint">{move || i18n.tf("first.data_dir", &[("dir", &data_dir)])}</p>
        </main>
    }
}

#[component]
fn Shell(
    name: String,
    member_id: String,
    workspace: String,
    data_dir: String,
    demo: bool,
    state: RwSignal<Option<Result<AppState, ipc::Error>>>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let leave_error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let leave_demo = move |_| {
        spawn_local(async move {
            match call(&ops::LeaveDemo {}).await {
                Ok(next) => state.set(Some(Ok(next))),
                Err(e) => leave_error.set(Some(e)),
            }
        });
    };
    let screen = RwSignal::new(Screen::Home);
    let pane = RwSignal::new(Pane::Nothing);
    let search_input: NodeRef<html::Input> = NodeRef::new();
    let query = RwSignal::new(String::new());
    let hits: RwSignal<Vec<SearchHitView>> = RwSignal::new(Vec::new());
    let searched = RwSignal::new(false);

    // Ctrl+K / Cmd+K focuses the search box from anywhere; Escape clears it.
    let handle = window_event_listener(ev::keydown, move |ev| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("k") {
            ev.prevent_default();
            if let Some(input) = search_input.get() {
                let _ = input.focus();
                input.select();
            }
        }
    });
    on_cleanup(move || handle.remove());

    let run_search = move |text: String| {
        query.set(text.clone());
        if text.trim().is_empty() {
            hits.set(Vec::new());
            searched.set(false);
            return;
        }
        spawn_local(async move {
            let found = call(&ops::Search {
                query: text.clone(),
            })
            .await
            .unwrap_or_default();
            // Only the answer to the latest query counts.
            if query.get_untracked() == text {
                hits.set(found);
                searched.set(true);
            }
        });
    };
    // A thread to open when the Communities screen shows (from a search hit).
    let open_thread: RwSignal<Option<String>> = RwSignal::new(None);
    // A colleague to show in the directory (from a search hit).
    let find_person: RwSignal<Option<String>> = RwSignal::new(None);
    let open_hit = move |hit: SearchHitView| {
        match hit.kind.as_str() {
            "note" => {
                pane.set(Pane::Show(hit.id));
                screen.set(Screen::Notes);
            }
            "thread" => {
                open_thread.set(Some(hit.id));
                screen.set(Screen::Communities);
            }
            "profile" => {
                find_person.set(Some(hit.title));
                screen.set(Screen::People);
            }
            _ => {}
        }
        query.set(String::new());
        hits.set(Vec::new());
        searched.set(false);
    };
    let nav = move |target: Screen, id: &'static str, key: &'static str| {
        view! {
            <button
                id=id
                class="nav-item"
                aria-current=move || (screen.get() == target).then_some("page")
                on:click=move |_| screen.set(target)
            >
                {move || i18n.t(key)}
            </button>
        }
    };
    let workspace_label = workspace.clone();
    view! {
        <div class="shell" class:with-banner=demo>
            <Show when=move || demo>
                <div class="demo-banner" role="note">
                    <strong>{move || i18n.t("demo.badge")}</strong>
                    <span>{move || i18n.t("demo.explain")}</span>
                    <button id="demo-leave" on:click=leave_demo>{move || i18n.t("demo.leave")}</button>
                    {move || leave_error.get().map(|e| view! { <ErrorLine error=e/> })}
                </div>
            </Show>
            <header class="top">
                <strong class="brand">{move || i18n.t("app.name")}</strong>
                <span class="workspace">{workspace_label}</span>
                <div class="search" role="search">
                    <input
                        id="search"
                        type="search"
                        node_ref=search_input
                        aria-label=move || i18n.t("search.label")
                        placeholder=move || i18n.t("search.placeholder")
                        prop:value=move || query.get()
                        on:input=move |ev| run_search(event_target_value(&ev))
                        on:keydown=move |ev: ev::KeyboardEvent| {
                            if ev.key() == "Escape" {
                                run_search(String::new());
                            }
                        }
                    />
                    <Show when=move || searched.get()>
                        <ul class="hits" role="listbox">
                            {move || {
                                let found = hits.get();
                                if found.is_empty() {
                                    view! { <li class="none">{move || i18n.t("search.none")}</li> }
                                        .into_any()
                                } else {
                                    found
                                        .into_iter()
                                        .map(|hit| {
                                            let open = hit.clone();
                                            view! {
                                                <li>
                                                    <button
                                                        class="search-hit"
                                                        on:click=move |_| open_hit(open.clone())
                                                    >
                                                        <span class="kind">
                                                            {
                                                                let kind = hit.kind.clone();
                                                                move || kind_label(i18n, &kind)
                                                            }
                                                        </span>
                                                        <span class="title">{hit.title.clone()}</span>
                                                    </button>
                                                </li>
                                            }
                                        })
                                        .collect_view()
                                        .into_any()
                                }
                            }}
                        </ul>
                    </Show>
                </div>
                <LanguageSwitch/>
            </header>
            <nav class="side" aria-label=move || i18n.t("nav.label")>
                {nav(Screen::Home, "nav-home", "nav.home")}
                {nav(Screen::Notes, "nav-notes", "nav.notes")}
                {nav(Screen::People, "nav-people", "nav.people")}
                {nav(Screen::Mentoring, "nav-mentoring", "nav.mentoring")}
                {nav(Screen::Reviews, "nav-reviews", "nav.reviews")}
                {nav(Screen::Sessions, "nav-sessions", "nav.sessions")}
                {nav(Screen::Communities, "nav-communities", "nav.communities")}
                {nav(Screen::Recognition, "nav-recognition", "nav.recognition")}
                {nav(Screen::Team, "nav-team", "nav.team")}
                {nav(Screen::Settings, "nav-settings", "nav.settings")}
            </nav>
            <main class="content">
                {move || match screen.get() {
                    Screen::Home => {
                        view! { <Home name=name.clone() workspace=workspace.clone() pane screen/> }
                            .into_any()
                    }
                    Screen::Notes => view! { <Notes pane/> }.into_any(),
                    Screen::People => {
                        view! { <People member_id=member_id.clone() person=find_person/> }.into_any()
                    }
                    Screen::Mentoring => {
                        view! { <Mentoring member_id=member_id.clone()/> }.into_any()
                    }
                    Screen::Reviews => {
                        view! { <Reviews member_id=member_id.clone()/> }.into_any()
                    }
                    Screen::Sessions => view! { <Sessions/> }.into_any(),
                    Screen::Communities => {
                        view! { <Communities member_id=member_id.clone() open=open_thread/> }
                            .into_any()
                    }
                    Screen::Recognition => {
                        view! { <Recognition member_id=member_id.clone()/> }.into_any()
                    }
                    Screen::Team => view! { <Team/> }.into_any(),
                    Screen::Settings => {
                        view! { <Settings data_dir=data_dir.clone()/> }.into_any()
                    }
                }}
            </main>
        </div>
    }
}

fn all_notes() -> LocalResource<Result<Vec<NoteSummary>, ipc::Error>> {
    watched(|| ops::Notes {
        tag: None,
        skill: None,
    })
}

/// A reminder in the reader's language.
fn reminder_text(i18n: I18n, kind: &str, subject: &str, when: Option<&str>) -> String {
    let when = when.unwrap_or_default();
    match kind {
        "mentoring-due" if when.is_empty() => {
            i18n.tf("home.mentoring_due_first", &[("name", subject)])
        }
        "mentoring-due" => i18n.tf("home.mentoring_due", &[("name", subject), ("last", when)]),
        "action-overdue" => i18n.tf("home.action_overdue", &[("text", subject), ("due", when)]),
        _ => i18n.tf("home.session_today", &[("title", subject), ("time", when)]),
    }
}

#[component]
fn Home(
    name: String,
    workspace: String,
    pane: RwSignal<Pane>,
    screen: RwSignal<Screen>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let notes = all_notes();
    let reminders = watched(|| ops::Reminders {});
    let peers = watched(|| ops::Peers {});
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
                                let target = if r.kind == "session-today" {
                                    Screen::Sessions
                                } else {
                                    Screen::Mentoring
                                };
                                let kind = r.kind.clone();
                                view! {
                                    <li>
                                        <button
                                            class="reminder"
                                            data-kind=r.kind.clone()
                                            on:click=move |_| screen.set(target)
                                        >
                                            {move || reminder_text(i18n, &kind, &r.subject, r.when.as_deref())}
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
            {loaded(notes, move |mut list| {
                if list.is_empty() {
                    return view! { <p class="muted">{move || i18n.t("home.no_recent")}</p> }
                        .into_any();
                }
                list.sort_by(|a, b| b.updated_at.cmp(&a.updated_at));
                list.truncate(5);
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

#[component]
fn Notes(pane: RwSignal<Pane>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let notes = all_notes();
    // The tag to show notes of (empty: all), picked from the tags the notes carry.
    let tag = RwSignal::new(String::new());
    let tags = move || {
        let mut all: Vec<String> = notes
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|n| n.tags)
            .collect();
        all.sort();
        all.dedup();
        all
    };
    // Likewise a skill the notes are linked to, shown by its label.
    let skill = RwSignal::new(String::new());
    let catalogue = watched(|| ops::Skills {});
    let skills = move || {
        let mut ids: Vec<String> = notes
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|n| n.skills)
            .collect();
        ids.sort();
        ids.dedup();
        let locale = i18n.locale.get();
        let known = catalogue.get().and_then(Result::ok).unwrap_or_default();
        ids.into_iter()
            .map(|id| {
                let name = crate::people::skill_label(&known, locale, &id);
                (id, name)
            })
            .collect::<Vec<_>>()
    };
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
                    on:change=move |ev| tag.set(event_target_value(&ev))
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
                    on:change=move |ev| skill.set(event_target_value(&ev))
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
                {loaded(notes, move |value| match value {
                    list if list.is_empty() => {
                        view! { <p class="muted">{move || i18n.t("notes.empty")}</p> }.into_any()
                    }
                    list => {
                        view! {
                            <ul class="note-list">
                                {move || {
                                    let (wanted, linked) = (tag.get(), skill.get());
                                    list.iter()
                                    .filter(|n| wanted.is_empty() || n.tags.contains(&wanted))
                                    .filter(|n| linked.is_empty() || n.skills.contains(&linked))
                                    .cloned()
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
                                    .collect_view()
                                }}
                            </ul>
                        }
                            .into_any()
                    }
                })}
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
    let note = watched(move || ops::GetNotePage { id: id.clone() });
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
                    // Peer-written Markdown arrives rendered and sanitised by the shell
                    // (`node::markdown`): no script, handler, style or remote URL in it.
                    <div id="note-view-body" class="body markdown" inner_html=html on:click=open_links_outside></div>
                    <Show when={
                        let empty = n.backlinks.is_empty();
                        move || !empty
                    }>
                        <h2>{move || i18n.t("notes.backlinks")}</h2>
                    </Show>
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
const LINK_CHOICES: usize = 6;

#[component]
fn NoteEditor(id: Option<String>, pane: RwSignal<Pane>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let textarea: NodeRef<html::Textarea> = NodeRef::new();
    let notes = all_notes();
    let link: RwSignal<Option<(usize, String)>> = RwSignal::new(None);
    let highlighted = RwSignal::new(0usize);
    let choices = Memo::new(move |_| {
        let Some((_, typed)) = link.get() else {
            return Vec::new();
        };
        let typed = typed.to_lowercase();
        notes
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|n| n.title)
            .filter(|t| t.to_lowercase().contains(&typed))
            .take(LINK_CHOICES)
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
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    if let Some(existing) = id.clone() {
        spawn_local(async move {
            match call(&ops::Note { id: existing }).await {
                Ok(n) => {
                    title.set(n.title);
                    body.set(n.body);
                    tags.set(n.tags.join(", "));
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
            let result = match editing {
                Some(id) => call(&ops::EditNote {
                    id: id.clone(),
                    title: t,
                    body: b,
                })
                .await
                .map(|()| id),
                None => {
                    let tags = tags
                        .get_untracked()
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned)
                        .collect();
                    call(&ops::AddNote {
                        draft: NoteDraft {
                            title: t,
                            body: b,
                            tags,
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
            <Show when=move || is_new>
                <label for="note-tags">{move || i18n.t("notes.field_tags")}</label>
                <input
                    id="note-tags"
                    prop:value=move || tags.get()
                    on:input=move |ev| tags.set(event_target_value(&ev))
                />
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

/// The warning on a device that sent changes the write rules refused.
fn refusal_text(i18n: I18n, count: usize, reason: Option<&str>) -> String {
    let reason = match reason {
        Some(r) if !r.trim().is_empty() => r.to_owned(),
        _ => i18n.t("team.refused_unknown"),
    };
    if count == 1 {
        i18n.tf("team.refused_one", &[("reason", &reason)])
    } else {
        let count = count.to_string();
        i18n.tf(
            "team.refused_many",
            &[("count", &count), ("reason", &reason)],
        )
    }
}

fn invite_status(i18n: I18n, status: &str) -> String {
    match status {
        "open" => i18n.t("team.invite_open"),
        "redeemed" => i18n.t("team.invite_redeemed"),
        "revoked" => i18n.t("team.invite_revoked"),
        "expired" => i18n.t("team.invite_expired"),
        other => other.to_owned(),
    }
}

fn role_label(i18n: I18n, role: &str) -> String {
    if role == "admin" {
        i18n.t("team.role_admin")
    } else {
        i18n.t("team.role_member")
    }
}

/// Team & sync: members (admins remove, promote or demote), a single-use invite with its QR
/// code, the invites made so far (admins revoke the open ones), and the member devices this
/// one knows, with a warning on those that sent refused changes.
#[component]
fn Team() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let members = watched(|| ops::Members {});
    let peers = watched(|| ops::Peers {});
    let invites = watched(|| ops::Invites {});
    let i_am_admin = Memo::new(move |_| {
        members
            .get()
            .and_then(Result::ok)
            .is_some_and(|list| list.iter().any(|m| m.me && m.role == "admin"))
    });
    let progress = watched(|| ops::SyncProgress {});
    let invite: RwSignal<Option<Invite>> = RwSignal::new(None);
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let as_admin = RwSignal::new(false);
    let make_invite = move |_| {
        let admin = as_admin.get_untracked();
        spawn_local(async move {
            match call(&ops::CreateInvite { admin }).await {
                Ok(i) => {
                    invite.set(Some(i));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let revoke = move |id: String| {
        spawn_local(async move {
            match call(&ops::RevokeInvite { id }).await {
                Ok(()) => error.set(None),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="team">
            <h1>{move || i18n.t("team.members")}</h1>
            {loaded(members, move |list| {
                let admin = list.iter().any(|m| m.me && m.role == "admin");
                view! {
                    <ul class="members">
                        {list
                            .into_iter()
                            .map(|m| {
                                let role = m.role.clone();
                                let id = m.member_id.clone();
                                let (remove, promote, demote) = (id.clone(), id.clone(), id);
                                let can_act = admin && !m.me;
                                let can_promote = can_act && m.role != "admin";
                                let can_demote = can_act && m.role == "admin";
                                view! {
                                    <li class="member" data-name=m.name.clone()>
                                        <span class="name">{m.name.clone()}</span>
                                        <span class="role">{move || role_label(i18n, &role)}</span>
                                        <Show when=move || m.me>
                                            <span class="you">{move || i18n.t("team.you")}</span>
                                        </Show>
                                        <Show when=move || can_promote>
                                            <button class="member-promote" on:click={
                                                let member = promote.clone();
                                                move |_| act(ops::PromoteMember { member: member.clone() }, error, || {})
                                            }>{move || i18n.t("team.promote")}</button>
                                        </Show>
                                        <Show when=move || can_demote>
                                            <button class="member-demote" on:click={
                                                let member = demote.clone();
                                                move |_| act(ops::DemoteMember { member: member.clone() }, error, || {})
                                            }>{move || i18n.t("team.demote")}</button>
                                        </Show>
                                        <Show when=move || can_act>
                                            <button class="danger member-remove" on:click={
                                                let member = remove.clone();
                                                move |_| act(ops::RemoveMember { member: member.clone() }, error, || {})
                                            }>{move || i18n.t("team.remove")}</button>
                                        </Show>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            })}
            <h2>{move || i18n.t("team.invite")}</h2>
            <p class="muted">{move || i18n.t("team.invite_help")}</p>
            <label class="inline">
                <input
                    id="invite-admin"
                    type="checkbox"
                    prop:checked=move || as_admin.get()
                    on:change=move |ev| as_admin.set(event_target_checked(&ev))
                />
                {move || i18n.t("team.invite_admin")}
            </label>
            <button id="invite-create" on:click=make_invite>
                {move || i18n.t("team.invite_button")}
            </button>
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
            {move || {
                invite
                    .get()
                    .map(|i| {
                        let hours = i.hours.to_string();
                        view! {
                            <div class="invite">
                                <img id="invite-qr" src=i.qr alt=move || i18n.t("team.invite_qr")/>
                                <div>
                                    <textarea id="invite-ticket" readonly rows="4">{i.ticket}</textarea>
                                    <p class="muted">
                                        {move || i18n.tf("team.invite_expires", &[("hours", &hours)])}
                                    </p>
                                </div>
                            </div>
                        }
                    })
            }}
            <Show when=move || i_am_admin.get()>
                <h2>{move || i18n.t("team.invites")}</h2>
                {loaded(invites, move |list| {
                    if list.is_empty() {
                        return view! { <p class="muted">{move || i18n.t("team.invites_none")}</p> }
                            .into_any();
                    }
                    view! {
                        <ul class="invites">
                            {list
                                .into_iter()
                                .map(|inv| {
                                    let status = inv.status.clone();
                                    let role = inv.role.clone();
                                    let expires = inv.expires_at.clone();
                                    let open = inv.status == "open";
                                    let id = inv.id.clone();
                                    view! {
                                        <li class="invite-item" data-status=inv.status.clone()>
                                            <span class="invite-status">
                                                {move || invite_status(i18n, &status)}
                                            </span>
                                            <span class="invite-role">
                                                {move || role_label(i18n, &role)}
                                            </span>
                                            <span class="invite-expiry muted">
                                                {move || {
                                                    let when = local_minute(i18n.locale.get(), &expires);
                                                    i18n.tf("team.invite_expiry", &[("when", &when)])
                                                }}
                                            </span>
                                            {open
                                                .then(|| {
                                                    view! {
                                                        <button
                                                            class="danger invite-revoke"
                                                            on:click=move |_| revoke(id.clone())
                                                        >
                                                            {move || i18n.t("team.invite_revoke")}
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
            </Show>
            <h2>{move || i18n.t("team.peers")}</h2>
            // A large sync under way: how many of the documents a peer announced have arrived
            // (refreshed by the change events their arrival sends).
            {move || {
                progress
                    .get()
                    .and_then(Result::ok)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| p.arrived < p.expected)
                    .map(|p| {
                        let who = p.name.clone().unwrap_or_else(|| p.peer.clone());
                        let (arrived, expected) = (p.arrived.to_string(), p.expected.to_string());
                        view! {
                            <div class="sync-progress" role="status">
                                <span>
                                    {move || {
                                        i18n.tf(
                                            "team.receiving",
                                            &[("name", &who), ("arrived", &arrived), ("expected", &expected)],
                                        )
                                    }}
                                </span>
                                <progress max=p.expected.to_string() value=p.arrived.to_string()></progress>
                            </div>
                        }
                    })
                    .collect_view()
            }}
            {loaded(peers, move |value| match value {
                list if list.is_empty() => {
                    view! { <p class="muted">{move || i18n.t("team.peers_none")}</p> }.into_any()
                }
                list => {
                    view! {
                        <ul class="peers">
                            {list
                                .into_iter()
                                .map(|p| {
                                    let name = p.name.clone().unwrap_or_else(|| p.peer.clone());
                                    let synced = p.last_synced.clone();
                                    let refused = p.refused_changes;
                                    let reason = p.last_refusal.clone();
                                    view! {
                                        <li class="peer" class:refusing={refused > 0}>
                                            <span class="name">{name}</span>
                                            <span class="muted">
                                                {move || match &synced {
                                                    Some(when) => {
                                                        let when = local_time(i18n.locale.get(), when);
                                                        i18n.tf("team.synced", &[("when", &when)])
                                                    }
                                                    None => i18n.t("team.never_synced"),
                                                }}
                                            </span>
                                            {(refused > 0)
                                                .then(|| {
                                                    view! {
                                                        <p class="warning refused" role="alert">
                                                            {move || refusal_text(i18n, refused, reason.as_deref())}
                                                        </p>
                                                    }
                                                })}
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
    }
}

/// Settings: language, theme, where the data lives.
#[component]
fn Settings(data_dir: String) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let stored = storage()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .unwrap_or_default();
    let theme = RwSignal::new(Theme::from_code(&stored));
    let choice = move |value: Theme, id: &'static str, key: &'static str| {
        view! {
            <button
                id=id
                aria-pressed=move || (theme.get() == value).to_string()
                on:click=move |_| {
                    theme.set(value);
                    apply_theme(value);
                }
            >
                {move || i18n.t(key)}
            </button>
        }
    };
    view! {
        <section class="settings">
            <h1>{move || i18n.t("settings.title")}</h1>
            <section>
                <h2>{move || i18n.t("lang.label")}</h2>
                <LanguageSwitch/>
            </section>
            <section>
                <h2>{move || i18n.t("settings.theme")}</h2>
                <div class="choices" role="group" aria-label=move || i18n.t("settings.theme")>
                    {choice(Theme::System, "theme-system", "settings.theme_system")}
                    {choice(Theme::Light, "theme-light", "settings.theme_light")}
                    {choice(Theme::Dark, "theme-dark", "settings.theme_dark")}
                </div>
            </section>
            <section>
                <h2>{move || i18n.t("settings.profile")}</h2>
                <ProfileForm/>
            </section>
            <section>
                <h2>{move || i18n.t("settings.transfer")}</h2>
                <p class="muted">{move || i18n.t("settings.transfer_help")}</p>
                <ExportImport/>
            </section>
            <section>
                <h2>{move || i18n.t("settings.data")}</h2>
                <p>
                    <code id="data-dir" class="path">{data_dir}</code>
                </p>
                <p class="muted">{move || i18n.t("settings.data_help")}</p>
            </section>
        </section>
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
