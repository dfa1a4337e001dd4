//! How screens get and keep their data: replies that follow changes (`watched`, per document
//! kind), their loading and error states (`loaded`), typed drafts that survive a refetch
//! (`Drafts`), and operations run from a button (`act`).

use ipc::ops::{self, Op};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::error::ErrorLine;
use crate::i18n::I18n;
use crate::tauri::call;

/// A counter per document kind (`ipc::ops::DOC_KINDS`), bumped by each change event of that
/// kind (all of them by an `all` event): a resource tracks those of the kinds its operation
/// reads, so it refetches after the changes that can change it and only those.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Revision(StoredValue<Vec<(&'static str, RwSignal<u64>)>>);

impl Revision {
    pub(crate) fn new() -> Revision {
        Revision(StoredValue::new(
            ops::DOC_KINDS
                .iter()
                .map(|kind| (*kind, RwSignal::new(0)))
                .collect(),
        ))
    }

    /// A change arrived: the kind it names moves on (every kind, for `all` or a kind this
    /// build does not know).
    pub(crate) fn bump(self, changed: &ipc::Changed) {
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
                if ops::reads::<O>(kind) {
                    revision.track();
                }
            }
        });
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

/// Awaits a save; on success clears `error` and shows where the file went in `saved`, else
/// shows the error.
pub(crate) fn saving(
    save: impl std::future::Future<Output = Result<String, ipc::Error>> + 'static,
    saved: RwSignal<Option<String>>,
    error: RwSignal<Option<ipc::Error>>,
) {
    spawn_local(async move {
        match save.await {
            Ok(path) => {
                error.set(None);
                saved.set(Some(path));
            }
            Err(e) => error.set(Some(e)),
        }
    });
}

/// Runs the operation `args`; on success clears `error` and calls `done`, else shows the error.
pub(crate) fn act<O: Op>(
    args: O,
    error: RwSignal<Option<ipc::Error>>,
    done: impl FnOnce() + 'static,
) {
    spawn_local(async move {
        match call(&args).await {
            Ok(_) => {
                error.set(None);
                done();
            }
            Err(e) => error.set(Some(e)),
        }
    });
}
