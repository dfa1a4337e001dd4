//! Calls into the Tauri shell through `window.__TAURI__` (the app sets `withGlobalTauri`):
//! typed commands answered with `ipc` types, and the change event.

use ipc::ops::Op;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
    async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], catch)]
    async fn listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>)
    -> Result<JsValue, JsValue>;
}

/// Runs the operation `args` (an `ipc::ops` type, which names the command) and returns its
/// typed reply.
pub(crate) async fn call<O: Op>(args: &O) -> Result<O::Reply, ipc::Error> {
    #[derive(Serialize)]
    struct Payload<'a, O> {
        args: &'a O,
    }
    let payload = Payload { args }
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| ipc::Error::new(ipc::ErrorKind::Internal, e.to_string()))?;
    match invoke(O::NAME, payload).await {
        Ok(value) => serde_wasm_bindgen::from_value(value).map_err(|e| {
            ipc::Error::new(ipc::ErrorKind::Internal, format!("unexpected answer: {e}"))
        }),
        Err(value) => Err(serde_wasm_bindgen::from_value::<ipc::Error>(value.clone())
            .unwrap_or_else(|_| {
                ipc::Error::new(
                    ipc::ErrorKind::Internal,
                    value
                        .as_string()
                        .unwrap_or_else(|| "the app did not answer".into()),
                )
            })),
    }
}

/// Calls `on_change` with each change event the shell sends (which document kind changed, and
/// which document). The listener lives as long as the page.
pub(crate) fn on_change(on_change: impl FnMut(ipc::Changed) + 'static) {
    let mut on_change = on_change;
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        // An event the page cannot read still refreshes everything.
        let changed = js_sys::Reflect::get(&event, &JsValue::from_str("payload"))
            .ok()
            .and_then(|payload| serde_wasm_bindgen::from_value::<ipc::Changed>(payload).ok())
            .unwrap_or_else(|| ipc::Changed {
                id: String::new(),
                kind: "all".into(),
            });
        on_change(changed);
    });
    wasm_bindgen_futures::spawn_local(async move {
        if listen(ipc::CHANGED, &handler).await.is_ok() {
            // The page keeps the listener until it unloads.
            handler.forget();
        }
    });
}
