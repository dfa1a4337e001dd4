//! "Add to my calendar": a session or a mentoring relationship saved as a calendar file in the
//! export folder, for the reader to open in their calendar app.

use ipc::ops;
use leptos::prelude::*;

use crate::components::data::saving;
use crate::components::error::ErrorLine;
use crate::i18n::I18n;
use crate::tauri::call;

pub(crate) use ipc::sets::CalendarOf;

async fn save(of: CalendarOf, id: String) -> Result<String, ipc::Error> {
    let dir = call(&ops::DefaultExportDir {}).await?;
    call(&ops::SaveIcs { of, id, dir }).await
}

/// The button, then where the file went (or why it did not).
#[component]
pub(crate) fn CalendarButton(of: CalendarOf, id: String) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let saved: RwSignal<Option<String>> = RwSignal::new(None);
    let error: RwSignal<Option<ipc::Error>> = RwSignal::new(None);
    let id = StoredValue::new(id);
    let click = move |_| saving(save(of, id.get_value()), saved, error);
    view! {
        <div class="calendar">
            <button type="button" class="calendar-save" on:click=click>
                {move || i18n.t("calendar.save")}
            </button>
            {move || {
                saved
                    .get()
                    .map(|path| {
                        view! {
                            <p class="calendar-saved muted">
                                {move || i18n.tf("calendar.saved", &[("path", &path)])}
                            </p>
                        }
                    })
            }}
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </div>
    }
}
