//! The list of actions (from mentoring sessions, sessions), with their due day and done box.

use ipc::ops;
use leptos::prelude::*;

use crate::components::data::act;
use crate::i18n::I18n;

/// Action items with their owner and due day, and a button to mark one's own done.
#[component]
pub(crate) fn ActionList(
    actions: Vec<ipc::views::ActionView>,
    error: RwSignal<Option<ipc::Error>>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    if actions.is_empty() {
        return ().into_any();
    }
    view! {
        <h4>{move || i18n.t("actions.title")}</h4>
        <ul class="actions">
            {actions
                .into_iter()
                .map(|a| {
                    let id = a.id.clone();
                    let (owner, due) = (a.owner.name, a.due.unwrap_or_default());
                    view! {
                        <li class="action" class:done=a.done class:overdue=a.overdue>
                            <span class="text">{a.text}</span>
                            <span class="muted">
                                {move || {
                                    if due.is_empty() {
                                        owner.clone()
                                    } else {
                                        i18n.tf("actions.owner_due", &[("name", &owner), ("due", &due)])
                                    }
                                }}
                            </span>
                            {(!a.done)
                                .then(|| {
                                    view! {
                                        <button
                                            class="action-done"
                                            on:click=move |_| {
                                                act(ops::ActionDone { id: id.clone() }, error, || {})
                                            }
                                        >
                                            {move || i18n.t("actions.done")}
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
}
