//! The app's shell: the first launch or the open workspace with its navigation, quick search,
//! theme and language. The screens (`screens/`) render view models fetched from the shell and
//! refetch when the shell's change event bumps the revision of a document kind their operation
//! reads (`components::data`); they never poll and never hold a CRDT document.

use ipc::AppState;
use ipc::ops;
use ipc::sets::HitKind;
use ipc::views::SearchHitView;
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::data::Revision;
use crate::components::error::ErrorLine;
use crate::components::labels::Labelled;
use crate::components::language::LanguageSwitch;
use crate::i18n::{I18n, Locale};
use crate::screens::communities::Communities;
use crate::screens::first_launch::FirstLaunch;
use crate::screens::home::Home;
use crate::screens::mentoring::Mentoring;
use crate::screens::notes::Notes;
use crate::screens::people::People;
use crate::screens::programme::Programme;
use crate::screens::recognition::Recognition;
use crate::screens::reviews::Reviews;
use crate::screens::sessions::Sessions;
use crate::screens::settings::Settings;
use crate::screens::team::Team;
use crate::tauri::{call, on_change};

/// The section shown in the main area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Screen {
    Home,
    Notes,
    People,
    Mentoring,
    Reviews,
    Sessions,
    Communities,
    Recognition,
    Programme,
    Team,
    Settings,
}

/// The colour theme chosen in Settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Theme {
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

    pub(crate) fn from_code(code: &str) -> Theme {
        match code {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }
}

pub(crate) const THEME_KEY: &str = "entrepairs.theme";

pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Shows `theme` (on `<html data-theme>`) and remembers it.
pub(crate) fn apply_theme(theme: Theme) {
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
pub(crate) enum Pane {
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
    // The device writes notifications in the reader's language: it is told each time it changes.
    Effect::new(move |_| {
        let language = i18n.locale.get().code().to_owned();
        spawn_local(async move {
            if let Err(e) = call(&ops::SetLanguage { language }).await {
                leptos::logging::warn!("language not passed on: {}", e.message);
            }
        });
    });
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
    // A session to open when the Sessions screen shows (from a search hit).
    let open_session: RwSignal<Option<String>> = RwSignal::new(None);
    // A colleague to show in the directory (from a search hit).
    let find_person: RwSignal<Option<String>> = RwSignal::new(None);
    let open_hit = move |hit: SearchHitView| {
        match hit.kind {
            HitKind::Note => {
                pane.set(Pane::Show(hit.id));
                screen.set(Screen::Notes);
            }
            HitKind::Thread => {
                open_thread.set(Some(hit.id));
                screen.set(Screen::Communities);
            }
            HitKind::Profile => {
                find_person.set(Some(hit.title));
                screen.set(Screen::People);
            }
            HitKind::Session => {
                open_session.set(Some(hit.id));
                screen.set(Screen::Sessions);
            }
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
                                                        data-kind=hit.kind.as_str()
                                                        on:click=move |_| open_hit(open.clone())
                                                    >
                                                        <span class="kind">
                                                            {
                                                                let kind = hit.kind;
                                                                move || kind.label(i18n)
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
                {nav(Screen::Programme, "nav-programme", "nav.programme")}
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
                    Screen::Sessions => {
                        view! { <Sessions open=open_session pane screen/> }.into_any()
                    }
                    Screen::Communities => {
                        view! { <Communities member_id=member_id.clone() open=open_thread/> }
                            .into_any()
                    }
                    Screen::Recognition => {
                        view! { <Recognition member_id=member_id.clone()/> }.into_any()
                    }
                    Screen::Programme => view! { <Programme/> }.into_any(),
                    Screen::Team => view! { <Team/> }.into_any(),
                    Screen::Settings => {
                        view! { <Settings data_dir=data_dir.clone()/> }.into_any()
                    }
                }}
            </main>
        </div>
    }
}
