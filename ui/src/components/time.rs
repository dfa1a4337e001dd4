//! Times shown in the reader's language and time zone, to the minute.

use crate::i18n::Locale;

/// An RFC 3339 time as the locale writes a date and a time of day in the reader's time zone, to
/// the minute (no seconds): `30 Nov 2026, 14:05`, `30 nov. 2026, 14:05`.
pub(crate) fn local_time(locale: Locale, rfc3339: &str) -> String {
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
