//! Where the window may go and which links leave the app.
//!
//! The window shows the app and nothing else: a navigation to any other origin is refused,
//! whatever the page asks (a link in a colleague's Markdown, a script). A link a member clicks
//! opens in the OS's default browser instead, and only if it is an http, https or mailto URL —
//! never a file, a custom scheme or anything the OS would run.

use ipc::Error;
use tauri::Url;

/// Whether the window may navigate to `url`: the app's own origin (`tauri://localhost` on
/// Linux and macOS, `http(s)://tauri.localhost` on Windows and Android) or, in a dev build
/// only, the dev server's origin (`dev_url`; pass `None` in any other build).
pub(crate) fn may_navigate(url: &Url, dev_url: Option<&Url>) -> bool {
    let host = url.host_str();
    let own = match url.scheme() {
        "tauri" => host == Some("localhost") && url.port().is_none(),
        "http" | "https" => host == Some("tauri.localhost") && url.port().is_none(),
        _ => false,
    };
    own || dev_url.is_some_and(|dev| same_origin(url, dev))
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A link the system may open outside the app: an http or https URL with a host, or a
/// mailto URL. Anything else is refused with an `invalid` error.
pub(crate) fn external(text: &str) -> Result<Url, Error> {
    let refused = || {
        Error::new(
            ipc::ErrorKind::Invalid,
            format!("only http, https and mailto links open outside the app, not '{text}'"),
        )
    };
    let url = Url::parse(text.trim()).map_err(|_| refused())?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(url),
        "mailto" => Ok(url),
        _ => Err(refused()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_navigation(url: &str, dev: Option<&str>, allowed: bool) {
        let url = Url::parse(url).expect("a URL");
        let dev = dev.map(|d| Url::parse(d).expect("a dev URL"));
        assert_eq!(
            may_navigate(&url, dev.as_ref()),
            allowed,
            "{url} (dev {dev:?})"
        );
    }

    #[test]
    fn only_the_apps_own_origin_is_navigable() {
        for own in [
            "tauri://localhost",
            "tauri://localhost/",
            "tauri://localhost/index.html#notes",
            "http://tauri.localhost/",
            "https://tauri.localhost/index.html",
        ] {
            check_navigation(own, None, true);
        }
        for foreign in [
            "https://example.com/",
            "http://localhost:1420/",
            "tauri://evil.example/",
            "tauri://localhost:8080/",
            "http://tauri.localhost:8080/",
            "http://tauri.localhost.example.com/",
            "https://localhost/",
            "file:///etc/passwd",
            "mailto:someone@example.com",
            "about:blank",
            "data:text/html,<p>hi</p>",
            "javascript:alert(1)",
            "ftp://tauri.localhost/",
        ] {
            check_navigation(foreign, None, false);
        }
    }

    #[test]
    fn the_dev_server_is_navigable_only_when_given() {
        let dev = Some("http://localhost:1420");
        check_navigation("http://localhost:1420/", dev, true);
        check_navigation("http://localhost:1420/index.html?x=1", dev, true);
        check_navigation("tauri://localhost/", dev, true);
        check_navigation("http://localhost:1421/", dev, false);
        check_navigation("https://localhost:1420/", dev, false);
        check_navigation("http://127.0.0.1:1420/", dev, false);
        check_navigation("https://example.com/", dev, false);
        check_navigation("http://localhost:1420/", None, false);
    }

    fn check_link(text: &str, opened: Option<&str>) {
        match (external(text), opened) {
            (Ok(url), Some(want)) => assert_eq!(url.as_str(), want, "{text}"),
            (Err(e), None) => assert_eq!(e.kind, ipc::ErrorKind::Invalid, "{text}"),
            (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn only_web_and_mail_links_leave_the_app() {
        check_link("https://example.com/", Some("https://example.com/"));
        check_link(
            " http://example.com/a?b=c#d ",
            Some("http://example.com/a?b=c#d"),
        );
        check_link("HTTPS://Example.COM", Some("https://example.com/"));
        check_link(
            "mailto:alice@example.com?subject=Hi",
            Some("mailto:alice@example.com?subject=Hi"),
        );
        for refused in [
            "",
            "example.com",
            "/etc/passwd",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "tauri://localhost/",
            "ftp://example.com/",
            "smb://server/share",
            "vbscript:msgbox",
            "ms-settings:privacy",
        ] {
            check_link(refused, None);
        }
    }
}
