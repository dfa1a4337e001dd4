//! First launch: create a workspace, join one with an invite, or explore the demo.

use ipc::AppState;
use ipc::ops;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::error::ErrorLine;
use crate::components::language::LanguageSwitch;
use crate::i18n::I18n;
use crate::tauri::call;

#[component]
pub(crate) fn FirstLaunch(
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
