//! The desktop app under test, for the end-to-end scenarios: the built `entrepairs-app` in
//! WebKitGTK under Xvfb, driven through tauri-driver and WebKitWebDriver (WebDriver, with the
//! `fantoccini` client), and the one way every scenario waits for something: [`eventually`].
//!
//! Scenarios take turns ([`take_turn`]): on two cores, two apps at once (each with a WebKit
//! web process rendering in software) would slow each other down until one times out, so
//! however many threads cargo runs the tests on, one app runs at a time.
//!
//! Needs `tauri-driver`, `WebKitWebDriver`, `xdg-open`, ImageMagick's `import` and, unless
//! `DISPLAY` is set, `Xvfb` on PATH (`scripts/setup.sh` installs them). Links the app hands to
//! the system go through `xdg-open`, which (with no desktop environment detected) runs
//! `$BROWSER`: the app is launched with `BROWSER` set to a script that writes the URL into a
//! file ([`App::opened_links`]) instead of opening a browser.

use std::fmt::Debug;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::procs::Family;

/// How long the app, or a peer, may take to show what a scenario waits for.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// How long [`eventually`] lets pass before it looks again.
const POLL: Duration = Duration::from_millis(100);

/// Asks `probe` until it answers `Ok`, for at most [`PATIENCE`], and returns that answer.
/// An `Err` carries what the probe observed instead: if time runs out, the panic names what
/// was awaited (`what`) and the last thing observed. A probe that hangs (a WebDriver command
/// never answered) is cut short by the same deadline.
pub async fn eventually<T, O: Debug>(
    what: &str,
    mut probe: impl AsyncFnMut() -> Result<T, O>,
) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut last = None;
    loop {
        match tokio::time::timeout_at(deadline, probe()).await {
            Ok(Ok(answer)) => return answer,
            Ok(Err(observed)) => last = Some(observed),
            Err(_) => {}
        }
        if tokio::time::Instant::now() >= deadline {
            match last {
                Some(observed) => panic!(
                    "timed out after {PATIENCE:?} waiting until {what}; last observed: {observed:?}"
                ),
                None => {
                    panic!("timed out after {PATIENCE:?} waiting until {what}; nothing observed")
                }
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The app's turn, shared by every scenario of the test binary (each on its own runtime).
static ONE_APP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A scenario's turn to run the app. Taken before the scenario prepares its data folders (with
/// the command line, peers that serve), so that its preparation does not compete with another
/// scenario's app either; given back when dropped. Turns are given in the order they were asked
/// for, and each scenario's waits are bounded, so the wait for a turn is bounded too.
pub struct Turn {
    _guard: tokio::sync::MutexGuard<'static, ()>,
}

/// Waits for this scenario's turn to run the app.
pub async fn take_turn() -> Turn {
    Turn {
        _guard: ONE_APP.lock().await,
    }
}

/// The app under test: the one cargo built, or `ENTREPAIRS_E2E_APP` (a release or installed
/// build, to measure it).
pub fn app_binary() -> PathBuf {
    std::env::var_os("ENTREPAIRS_E2E_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_entrepairs-app")))
}

/// Where the scenarios' screenshots go: `docs/screenshots/`.
fn shots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// An X display for one app: the current one, or a fresh Xvfb.
fn display() -> (String, Option<Family>) {
    if let Ok(d) = std::env::var("DISPLAY")
        && !d.is_empty()
    {
        return (d, None);
    }
    let (display, xvfb) = crate::procs::xvfb(PATIENCE).unwrap_or_else(|e| panic!("{e}"));
    (display, Some(xvfb))
}

/// A stand-in for the system's browser in `profile`: a script that appends the URL it is
/// given to [`App::opened_links`].
fn fake_browser(profile: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let script = profile.join("browser");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            opened_links(profile).display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

fn opened_links(profile: &Path) -> PathBuf {
    profile.join("opened-links")
}

/// Starts the app on data folder `data`, with a fresh webview profile, on its own display:
/// tauri-driver, then a WebDriver session on it, which launches the app. Returns once the
/// session is open. Dropping the [`App`] stops the app, the driver and the display; a
/// scenario that ends well calls [`App::close`] first.
pub async fn launch(_turn: &Turn, data: &Path) -> App {
    let (display, xvfb) = display();
    let profile = tempfile::tempdir().expect("a webview profile");
    let browser = fake_browser(profile.path());
    // The documents folder (where exports, reports and calendar files go unless another is
    // given) inside the profile, not the home folder of whoever runs the tests.
    let config = profile.path().join("xdg-config");
    std::fs::create_dir_all(&config).expect("the profile's config folder");
    let documents = profile.path().join("Documents");
    std::fs::write(
        config.join("user-dirs.dirs"),
        format!("XDG_DOCUMENTS_DIR=\"{}\"\n", documents.display()),
    )
    .expect("the profile's user dirs");
    let (port, native_port) = (free_port(), free_port());
    // Stopped with SIGTERM, with what it started (WebKitWebDriver, the app), when dropped.
    let driver = Family(
        Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display)
            .env("ENTREPAIRS_DATA_DIR", data)
            .env("ENTREPAIRS_LISTEN", "/ip4/127.0.0.1/tcp/0")
            .env("ENTREPAIRS_NO_MDNS", "1")
            .env("ENTREPAIRS_NOTICE_LOG", notice_log(profile.path()))
            // A fresh profile: the webview's storage (the remembered language) lives there.
            .env("XDG_DATA_HOME", profile.path().join("xdg-data"))
            .env("XDG_CONFIG_HOME", &config)
            .env("XDG_CACHE_HOME", profile.path().join("xdg-cache"))
            .env("LANG", "C.UTF-8")
            // Links the app opens reach the fake browser: xdg-open uses `BROWSER` when it
            // detects no desktop environment.
            .env("BROWSER", browser)
            .env_remove("XDG_CURRENT_DESKTOP")
            .env_remove("DESKTOP_SESSION")
            .env_remove("KDE_FULL_SESSION")
            .env_remove("GNOME_DESKTOP_SESSION_ID")
            .env_remove("MATE_DESKTOP_SESSION_ID")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver on PATH (scripts/setup.sh installs it)"),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app_binary() }),
    );
    let mut session = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    session.capabilities(caps);
    let url = format!("http://127.0.0.1:{port}");
    // Refused until tauri-driver listens.
    let client = eventually("tauri-driver opens a session on the app", async || {
        session.connect(&url).await.map_err(|e| e.to_string())
    })
    .await;
    eprintln!("e2e: connected to the app on {}", data.display());
    App {
        client,
        display,
        _driver: driver,
        profile,
        _xvfb: xvfb,
    }
}

/// The running app, seen through its window. Its fields drop in order: the driver and the
/// app first, then the profile, then the display.
pub struct App {
    /// The WebDriver session, for what the helpers below do not cover.
    pub client: Client,
    display: String,
    _driver: Family,
    profile: tempfile::TempDir,
    _xvfb: Option<Family>,
}

/// Where the app writes each look for notifications and each one raised.
fn notice_log(profile: &Path) -> PathBuf {
    profile.join("notices.log")
}

impl App {
    /// The lines the app wrote of its looks for notifications (`looked N`) and of each one
    /// raised (`raised KEY TITLE`), so far.
    pub fn notices(&self) -> Vec<String> {
        std::fs::read_to_string(notice_log(self.profile.path()))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The file where each URL the app handed to the system's browser is written, one a line.
    pub fn opened_links(&self) -> PathBuf {
        opened_links(self.profile.path())
    }

    /// The first element matching `css`, once there is one.
    pub async fn find(&self, css: &str) -> Element {
        eventually(&format!("there is a {css}"), async || {
            self.client
                .find(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())
        })
        .await
    }

    /// Clicks the first element matching `css`, once there is one. An element the page
    /// re-rendered between finding and clicking it (a refresh after a change) is found again;
    /// any other failure of the click fails the scenario (the click may have acted).
    pub async fn click(&self, css: &str) {
        eventually(&format!("{css} is clicked"), async || {
            let element = self
                .client
                .find(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())?;
            match element.click().await {
                Ok(_) => Ok(()),
                Err(e) if e.is_stale_element_reference() => Err(e.to_string()),
                Err(e) => panic!("clicking {css} failed: {e}"),
            }
        })
        .await
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// The text of the first element matching `css`, or what there is instead.
    async fn text_of(&self, css: &str) -> Result<String, String> {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.map_err(|e| e.to_string()),
            Err(_) => Err(format!("no {css}")),
        }
    }

    /// Waits until the text of `css` satisfies `check`; returns it.
    pub async fn text_until(&self, css: &str, what: &str, check: impl Fn(&str) -> bool) -> String {
        eventually(&format!("{what} ({css})"), async || {
            match self.text_of(css).await {
                Ok(text) if check(&text) => Ok(text),
                Ok(text) | Err(text) => Err(text),
            }
        })
        .await
    }

    /// Waits until the value of the field `css` satisfies `check`; returns it.
    pub async fn value_until(&self, css: &str, what: &str, check: impl Fn(&str) -> bool) -> String {
        eventually(&format!("{what} ({css})"), async || {
            let value = match self.client.find(Locator::Css(css)).await {
                Ok(field) => field.prop("value").await.map_err(|e| e.to_string()),
                Err(_) => Err(format!("no {css}")),
            };
            match value {
                Ok(Some(value)) if check(&value) => Ok(value),
                Ok(Some(value)) => Err(value),
                Ok(None) => Err(format!("no value in {css}")),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// The texts of the elements matching `css` now, in order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for e in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            texts.push(e.text().await.unwrap_or_default());
        }
        texts
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.unwrap().len()
    }

    /// Waits until one of the elements matching `css` has text containing `needle`.
    pub async fn any_text(&self, css: &str, needle: &str) {
        eventually(&format!("there is a {css} with '{needle}'"), async || {
            let texts = self.texts(css).await;
            if texts.iter().any(|t| t.contains(needle)) {
                Ok(())
            } else {
                Err(texts)
            }
        })
        .await;
    }

    /// Waits until the texts of the elements matching `css` are exactly `want`, in order.
    pub async fn list_until(&self, css: &str, want: &[&str]) {
        eventually(&format!("the {css} are {want:?}"), async || {
            let texts = self.texts(css).await;
            if texts == want { Ok(()) } else { Err(texts) }
        })
        .await;
    }

    /// Clicks the first element matching `css` whose text contains `needle` (an option of a
    /// list, say), waiting for it to appear.
    pub async fn click_text(&self, css: &str, needle: &str) {
        let target = eventually(
            &format!("there is a {css} with '{needle}' to click"),
            async || {
                let mut texts = Vec::new();
                for e in self
                    .client
                    .find_all(Locator::Css(css))
                    .await
                    .unwrap_or_default()
                {
                    let text = e.text().await.unwrap_or_default();
                    if text.contains(needle) {
                        return Ok(e);
                    }
                    texts.push(text);
                }
                Err(texts)
            },
        )
        .await;
        target.click().await.unwrap();
    }

    /// Waits until an error line of `kind` (its `data-kind`, whatever the words in the
    /// reader's language) shows a text satisfying `check`; returns the text. Should it not,
    /// the report lists the error lines shown, each with its kind.
    pub async fn error_until(
        &self,
        kind: ipc::ErrorKind,
        what: &str,
        check: impl Fn(&str) -> bool,
    ) -> String {
        let kind = kind.as_str();
        eventually(&format!("{what} (an error of kind {kind})"), async || {
            let mut shown = Vec::new();
            for e in self
                .client
                .find_all(Locator::Css(".error"))
                .await
                .unwrap_or_default()
            {
                let kind_shown = e.attr("data-kind").await.ok().flatten().unwrap_or_default();
                let text = e.text().await.unwrap_or_default();
                if kind_shown == kind && check(&text) {
                    return Ok(text);
                }
                shown.push(format!("{kind_shown}: {text}"));
            }
            Err(shown)
        })
        .await
    }

    /// Scrolls the element `css` into view (before a screenshot of it).
    pub async fn scroll_to(&self, css: &str) {
        let element = self.find(css).await;
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'start'});",
                vec![serde_json::to_value(&element).unwrap()],
            )
            .await
            .unwrap();
    }

    /// A screenshot of the window, once the newest DOM change is painted, into
    /// `docs/screenshots/NAME.png`.
    pub async fn shot(&self, name: &str) {
        eprintln!("e2e: screenshot {name}");
        let painted = self.client.execute_async(
            "const done = arguments[arguments.length - 1];\
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        );
        tokio::time::timeout(PATIENCE, painted)
            .await
            .expect("two animation frames")
            .unwrap();
        // WebKitWebDriver's own screenshot command does not answer under Xvfb here; the X
        // display is captured instead (ImageMagick's `import`).
        let dir = shots();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        let status = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(&path)
            .status()
            .expect("ImageMagick's import on PATH (scripts/setup.sh installs it)");
        assert!(status.success(), "import {name}");
        let png = std::fs::read(path).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    }

    /// Ends the WebDriver session, which closes the app; dropping `self` then stops the
    /// driver and the display.
    pub async fn close(self) {
        tokio::time::timeout(PATIENCE, self.client.clone().close())
            .await
            .expect("the session ends in time")
            .unwrap();
    }

    /// What the window shows when a scenario failed: a capture of the display in
    /// `docs/screenshots/failure.png`, the page's source on stderr.
    fn report_failure(&self) {
        let _ = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(shots().join("failure.png"))
            .status();
        // The scenario's runtime is unwinding on this thread, its workers still run the
        // session: the page is asked for from another thread, on that runtime.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if runtime.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
            return;
        }
        let client = self.client.clone();
        let source = std::thread::spawn(move || {
            runtime
                .block_on(tokio::time::timeout(
                    Duration::from_secs(10),
                    client.source(),
                ))
                .ok()
                .and_then(Result::ok)
        })
        .join();
        if let Ok(Some(html)) = source {
            eprintln!("--- page source ---\n{html}");
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.report_failure();
        }
    }
}

/// Resident memory, in KiB, of the running processes whose executable name is `name`.
pub fn rss_kib(name: &str) -> u64 {
    // `comm` holds at most 15 bytes of the name.
    let short = name.get(..15).unwrap_or(name);
    let mut total = 0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let dir = entry.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim_end() != short {
            continue;
        }
        let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
        total += status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
    }
    total
}
