//! End to end, in the real app: the built `entrepairs-app` binary in WebKitGTK under Xvfb,
//! driven through tauri-driver and WebKitWebDriver, through the UI only. A CLI peer joins with
//! an invite and its note appears in the open window by itself.
//!
//! Needs `Xvfb`, `tauri-driver`, `WebKitWebDriver` and `xdg-open` on PATH (`scripts/setup.sh`
//! installs them) and the UI built into `ui/dist` before the app is compiled (`scripts/test.sh`
//! does). Links the app hands to the system go through `xdg-open`, which (with no desktop
//! environment detected) runs `$BROWSER`: the app is launched with `BROWSER` set to a script
//! of the test's that writes the URL into a file instead of opening a browser.
//! Screenshots of the screens it visits are written to `docs/screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)] // test code

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};

/// How long a screen may take to show what the test waits for.
const PATIENCE: Duration = Duration::from_secs(30);

/// A child process stopped with SIGTERM (tauri-driver must not be SIGKILLed: it would leave
/// WebKitWebDriver holding its port).
struct Background(Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// An X display: the current one, or a fresh Xvfb.
fn display() -> (String, Option<Background>) {
    if let Ok(d) = std::env::var("DISPLAY")
        && !d.is_empty()
    {
        return (d, None);
    }
    let n = 90 + std::process::id() % 100;
    let child = Command::new("Xvfb")
        .args([
            &format!(":{n}"),
            "-screen",
            "0",
            "1200x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb on PATH (scripts/setup.sh installs it)");
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
    let start = Instant::now();
    while !socket.exists() {
        assert!(start.elapsed() < PATIENCE, "Xvfb :{n} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (format!(":{n}"), Some(Background(child)))
}

/// The `entrepairs` CLI next to this test's binary.
fn cli() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let cli = dir.join("entrepairs");
    assert!(
        cli.exists(),
        "{} is built by `cargo test --workspace`",
        cli.display()
    );
    cli
}

fn run(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(cli())
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("ENTREPAIRS_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "entrepairs {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

struct Ui {
    client: Client,
    shots: PathBuf,
    display: String,
}

impl Ui {
    async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Waits until the text of `css` satisfies `check`; returns it.
    async fn text_until(&self, css: &str, what: &str, check: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = e.text().await
                && check(&text)
            {
                return text;
            }
            if start.elapsed() > PATIENCE {
                self.dump().await;
                panic!("{what} ({css})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the value of the field `css` satisfies `check`.
    async fn value_until(&self, css: &str, what: &str, check: impl Fn(&str) -> bool) {
        let start = Instant::now();
        let mut last = None;
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                last = e.prop("value").await.ok().flatten();
                if last.as_deref().is_some_and(&check) {
                    return;
                }
            }
            if start.elapsed() > PATIENCE {
                self.dump().await;
                panic!("{what} ({css}): {last:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What the window shows, for a failure's report.
    async fn dump(&self) {
        let bound = Duration::from_secs(10);
        if let Ok(Ok(html)) = tokio::time::timeout(bound, self.client.source()).await {
            eprintln!("--- page source ---\n{html}");
        }
        let _ = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(self.shots.join("failure.png"))
            .status();
    }

    /// Waits until one of the elements matching `css` has text containing `needle`.
    async fn any_text(&self, css: &str, needle: &str) {
        let start = Instant::now();
        loop {
            let found = self
                .client
                .find_all(Locator::Css(css))
                .await
                .unwrap_or_default();
            for e in found {
                if e.text().await.is_ok_and(|t| t.contains(needle)) {
                    return;
                }
            }
            assert!(start.elapsed() < PATIENCE, "no {css} with '{needle}'");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the first element matching `css` whose text contains `needle` (an option of a
    /// list, say), waiting for it to appear.
    async fn click_text(&self, css: &str, needle: &str) {
        let start = Instant::now();
        loop {
            let found = self
                .client
                .find_all(Locator::Css(css))
                .await
                .unwrap_or_default();
            for e in found {
                if e.text().await.is_ok_and(|t| t.contains(needle)) {
                    e.click().await.unwrap();
                    return;
                }
            }
            assert!(
                start.elapsed() < PATIENCE,
                "no {css} with '{needle}' to click"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Scrolls the element `css` into view (before a screenshot of it).
    async fn scroll_to(&self, css: &str) {
        let element = self.find(css).await;
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'start'});",
                vec![serde_json::to_value(&element).unwrap()],
            )
            .await
            .unwrap();
    }

    /// A screenshot of the window once the newest DOM change is painted.
    async fn shot(&self, name: &str) {
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
        let path = self.shots.join(format!("{name}.png"));
        let status = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(&path)
            .status()
            .expect("ImageMagick's import on PATH (scripts/setup.sh installs it)");
        assert!(status.success(), "import {name}");
        let png = std::fs::read(&path).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    }
}

/// The app under test: the one cargo built, or `ENTREPAIRS_E2E_APP` (a release or installed
/// build, to measure it).
fn app_binary() -> PathBuf {
    std::env::var_os("ENTREPAIRS_E2E_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_entrepairs-app")))
}

/// The file where the `BROWSER` script of [`launch`] writes each URL the app opened, one a
/// line, for the app launched with `profile`.
fn opened_links(profile: &Path) -> PathBuf {
    profile.join("opened-links")
}

/// A stand-in for the system's browser: a script that appends its argument to
/// [`opened_links`].
fn fake_browser(profile: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::create_dir_all(profile).unwrap();
    let script = profile.join("browser");
    let log = opened_links(profile);
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// Waits until the file `path` holds a line equal to `line`.
async fn wait_line(path: &Path, line: &str, what: &str) {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().any(|l| l == line) {
            return;
        }
        assert!(start.elapsed() < PATIENCE, "{what}: {text:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Starts tauri-driver with the app on data folder `data` (a fresh webview profile under
/// `profile`) and opens a WebDriver session on it, which launches the app.
async fn launch(display: &str, data: &Path, profile: &Path) -> (Background, Client) {
    let (port, native_port) = (free_port(), free_port());
    let browser = fake_browser(profile);
    let driver = Background(
        Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", display)
            .env("ENTREPAIRS_DATA_DIR", data)
            .env("ENTREPAIRS_LISTEN", "/ip4/127.0.0.1/tcp/0")
            .env("ENTREPAIRS_NO_MDNS", "1")
            // A fresh profile: the webview's storage (the remembered language) lives there.
            .env("XDG_DATA_HOME", profile.join("xdg-data"))
            .env("XDG_CONFIG_HOME", profile.join("xdg-config"))
            .env("XDG_CACHE_HOME", profile.join("xdg-cache"))
            .env("LANG", "C.UTF-8")
            // Links the app opens reach the test's script: xdg-open uses `BROWSER` when it
            // detects no desktop environment.
            .env("BROWSER", &browser)
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
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let start = Instant::now();
    let client = loop {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => break c,
            Err(e) => {
                assert!(start.elapsed() < PATIENCE, "tauri-driver: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    (driver, client)
}

/// Runs `entrepairs --json ARGS` on `dir` until its answer satisfies `check`; returns it.
async fn wait_for(
    dir: &Path,
    args: &[&str],
    what: &str,
    check: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let start = Instant::now();
    let mut json_args = vec!["--json"];
    json_args.extend_from_slice(args);
    loop {
        let out = run(dir, &json_args);
        let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if check(&answer) {
            return answer;
        }
        assert!(start.elapsed() < PATIENCE, "{what}: {answer}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the texts of the elements matching `css` are exactly `want`, in order.
async fn wait_list(ui: &Ui, css: &str, want: &[&str]) {
    let start = Instant::now();
    loop {
        let mut texts = Vec::new();
        for e in ui
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            texts.push(e.text().await.unwrap_or_default());
        }
        if texts == want {
            return;
        }
        assert!(start.elapsed() < PATIENCE, "{css}: {texts:?}, not {want:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Resident memory, in KiB, of the running processes whose executable name is `name`.
fn rss_kib(name: &str) -> u64 {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleague_uses_the_app_through_its_screens() {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("app");
    let (display, _xvfb) = display();
    let (driver, client) = launch(&display, &data, tmp.path()).await;
    eprintln!("e2e: connected to the app");
    let ui = Ui {
        client,
        shots,
        display: display.clone(),
    };

    // First launch, in the language of the OS, switchable at once.
    ui.text_until(".first-launch h1", "English first", |t| {
        t == "Welcome to Entrepairs"
    })
    .await;
    ui.click("#lang-fr").await;
    ui.text_until(".first-launch h1", "French title", |t| {
        t == "Bienvenue dans Entrepairs"
    })
    .await;
    ui.shot("first-launch-fr").await;
    ui.click("#lang-en").await;
    ui.text_until(".first-launch h1", "back to English", |t| {
        t == "Welcome to Entrepairs"
    })
    .await;
    // The demo: a generated team to look around in, clearly marked, left in one click.
    let demo_started = Instant::now();
    ui.click("#first-demo").await;
    ui.text_until(".demo-banner strong", "the demo is marked", |t| t == "Demo")
        .await;
    eprintln!(
        "e2e: demo built and opened in {} ms",
        demo_started.elapsed().as_millis()
    );
    ui.text_until("#home-title", "the demo greets its visitor", |t| {
        t == "Hello You"
    })
    .await;
    ui.any_text(".recent-note", "On-call handbook").await;
    ui.click("#nav-notes").await;
    ui.click("#note-skill-filter option[value='sql']").await;
    wait_list(&ui, ".note-item .title", &["Monthly closing in SQL"]).await;
    ui.click("#nav-home").await;
    // Home reminds of what is due: Claire's mentoring (every 14 days, last met 17 days ago)
    // and today's flash session.
    ui.any_text(
        ".reminder",
        "Mentoring with Claire Dubois is due (last session 20",
    )
    .await;
    ui.any_text(
        ".reminder",
        "Today at 16:00 UTC: Window functions in 20 minutes",
    )
    .await;
    ui.shot("demo-home").await;
    ui.click("#nav-people").await;
    ui.type_into("#help-skill", "SQL").await;
    ui.click("#help-find").await;
    ui.text_until(".helper .name", "the demo's SQL referent first", |t| {
        t == "Thomas Moreau"
    })
    .await;
    // The directory (filtered), the skills map (skills × teams) and the skills at risk.
    ui.type_into("#directory-filter", "finance").await;
    ui.text_until(".profile .name", "the filtered directory", |t| {
        t == "Thomas Moreau"
    })
    .await;
    assert_eq!(
        ui.client
            .find_all(Locator::Css(".profile"))
            .await
            .unwrap()
            .len(),
        1,
        "only Finance is left"
    );
    ui.any_text(".profile .teaches", "SQL (Referent)").await;
    ui.text_until(
        "td[data-skill='rust'][data-team='Engineering']",
        "three engineers hold Rust",
        |t| t == "3",
    )
    .await;
    let cell = ui
        .find("td[data-skill='rust'][data-team='Engineering']")
        .await;
    assert_eq!(
        cell.attr("class").await.unwrap().as_deref(),
        Some("heat heat-4"),
        "shaded by the referent's level"
    );
    ui.any_text(
        ".risk[data-skill='security']",
        "only Julien Roux holds it at expert level or above",
    )
    .await;
    ui.scroll_to(".skills-map").await;
    ui.shot("skills-map").await;
    // Suggested mentoring pairs, reciprocal first, each with why; one is started from there.
    ui.click("#nav-mentoring").await;
    ui.text_until(
        ".suggestion.reciprocal strong",
        "the reciprocal pair first",
        |t| t == "Claire Dubois → Léa Fontaine · Rust",
    )
    .await;
    ui.any_text(
        ".suggestion.reciprocal .why",
        "reciprocal: Léa Fontaine can teach Design in return",
    )
    .await;
    // Claire already mentors the visitor: that pair is not suggested again.
    let pairs = ui
        .client
        .find_all(Locator::Css(
            ".suggestion[data-mentor='Claire Dubois'][data-mentee='You']",
        ))
        .await
        .unwrap();
    assert!(pairs.is_empty(), "an existing relationship is suggested");
    ui.click(".suggestion[data-mentor='You'][data-mentee='Sophie Laurent'] .suggest-start")
        .await;
    ui.any_text(".mentoring h3", "Sophie Laurent").await;
    ui.click("#nav-recognition").await;
    ui.any_text(".kudos .who", "Thomas Moreau → You").await;
    // A codéveloppement session planned and run through its six steps, in the demo's team.
    ui.click("#nav-sessions").await;
    ui.type_into("#session-title", "Taking over the billing service")
        .await;
    for (name, role) in [
        ("Karim Benali", "client"),
        ("Sophie Laurent", "consultant"),
        ("Thomas Moreau", "consultant"),
        ("Léa Fontaine", "consultant"),
        ("You", "facilitator"),
    ] {
        ui.click(&format!(
            "select.participant-role[data-name='{name}'] option[value='{role}']"
        ))
        .await;
    }
    ui.click("#session-plan").await;
    ui.text_until("#session-status", "the session is planned", |t| {
        t == "planned"
    })
    .await;
    ui.click("#session-start").await;
    let steps = [
        ("Exposé", "The client"),
        ("Clarifying questions", "The consultants"),
        ("Contract", "The client"),
        ("Consultation", "The consultants"),
        ("Synthesis and action plan", "The client"),
        ("Learnings", "Everyone"),
    ];
    for (i, (name, speaker)) in steps.iter().enumerate() {
        let n = i + 1;
        let count = format!("Step {n} of 6");
        ui.text_until("#step-count", "the running step", |t| t == count)
            .await;
        ui.text_until("#step-name", "the step's name", |t| t == *name)
            .await;
        ui.text_until("#step-speaker", "who speaks", |t| t == *speaker)
            .await;
        if n == 2 {
            // The timer runs while the step does.
            ui.text_until("#step-timer", "the timer ticks", |t| {
                t != "0:00" && t.contains(':')
            })
            .await;
            ui.shot("session-run").await;
            ui.click("#lang-fr").await;
            ui.text_until("#step-name", "the step in French", |t| {
                t == "Questions de clarification"
            })
            .await;
            ui.text_until("#step-speaker", "who speaks, in French", |t| {
                t == "Les consultants"
            })
            .await;
            ui.click("#lang-en").await;
        }
        ui.type_into("#step-notes", &format!("notes of step {n}"))
            .await;
        ui.click("#step-next").await;
    }
    ui.type_into("#close-takeaways", "Ask for help before the deadline")
        .await;
    ui.click("#close-rating option[value='5']").await;
    ui.type_into("#close-actions", "Write the billing runbook")
        .await;
    ui.click("#session-close").await;
    ui.text_until("#session-status", "the session is closed", |t| {
        t == "closed"
    })
    .await;
    ui.any_text(".takeaways li", "Ask for help before the deadline")
        .await;
    ui.any_text(".action .text", "Write the billing runbook")
        .await;
    ui.any_text(".steps .notes", "notes of step 6").await;
    ui.text_until(".rating", "the rating", |t| t == "Rated 5/5")
        .await;
    ui.shot("session-closed").await;
    ui.click("#demo-leave").await;
    ui.text_until(".first-launch h1", "back to the first launch", |t| {
        t == "Welcome to Entrepairs"
    })
    .await;
    assert!(
        !data.join("entrepairs.db").exists(),
        "the demo lives in its own folder"
    );
    assert!(tmp.path().join("app-demo").join("entrepairs.db").exists());

    ui.type_into("#first-name", "Alice Martin").await;
    // A bad invite is refused with a clear message, and nothing is created.
    ui.type_into("#first-ticket", "hello").await;
    ui.click("#first-join").await;
    ui.text_until(
        ".error[data-kind='invalid']",
        "the bad invite is refused",
        |t| t.starts_with("Refused: ") && t.contains("not a valid Entrepairs invite"),
    )
    .await;
    assert!(!data.join("entrepairs.db").exists());
    ui.type_into("#first-workspace", "Acme").await;
    ui.click("#first-create").await;
    ui.text_until("#home-title", "home greets Alice", |t| {
        t == "Hello Alice Martin"
    })
    .await;
    ui.shot("home").await;

    // Add a note, then edit it.
    ui.click("#nav-notes").await;
    ui.click("#note-new").await;
    ui.type_into("#note-title", "Onboarding checklist").await;
    ui.type_into(
        "#note-body",
        "Read the [[Style guide]].\nAsk for a **mentor**.<script>document.title='x'</script>",
    )
    .await;
    ui.type_into("#note-tags", "onboarding, rust").await;
    ui.click("#note-save").await;
    ui.text_until("#note-view-title", "the saved note", |t| {
        t == "Onboarding checklist"
    })
    .await;
    ui.text_until("#note-view-body", "its body", |t| {
        t.contains("Ask for a mentor.")
    })
    .await;
    // Markdown is rendered; what a sanitiser must drop is gone.
    ui.text_until("#note-view-body strong", "bold text", |t| t == "mentor")
        .await;
    let scripts = ui
        .client
        .find_all(Locator::Css("#note-view-body script"))
        .await
        .unwrap();
    assert!(scripts.is_empty(), "a script survived");
    assert_eq!(ui.client.title().await.unwrap(), "Entrepairs");
    ui.click("#note-edit").await;
    ui.value_until("#note-title", "the editor shows the title", |v| {
        v == "Onboarding checklist"
    })
    .await;
    ui.value_until("#note-body", "the editor shows the Markdown", |v| {
        v.contains("Ask for a **mentor**.")
    })
    .await;
    ui.type_into(
        "#note-body",
        "Ask Bob for a mentor; pair on the first ticket. See [Example](https://example.com/).",
    )
    .await;
    ui.click("#note-save").await;
    ui.text_until("#note-view-body", "the edited body", |t| {
        t.contains("Ask Bob for a mentor")
    })
    .await;
    // A link in a note opens in the system's browser (here the test's `BROWSER` script); the
    // window stays on the app, the note still shown.
    let app_url = ui.client.current_url().await.unwrap();
    assert_eq!(app_url.scheme(), "tauri", "{app_url}");
    ui.text_until("#note-view-body a", "the rendered link", |t| t == "Example")
        .await;
    ui.click("#note-view-body a").await;
    wait_line(
        &opened_links(tmp.path()),
        "https://example.com/",
        "the link reaches the system's browser",
    )
    .await;
    assert_eq!(ui.client.current_url().await.unwrap(), app_url);
    ui.text_until("#note-view-title", "the note is still shown", |t| {
        t == "Onboarding checklist"
    })
    .await;
    // Whatever the page does, the shell keeps the window on the app and opens no other window.
    let opened = ui
        .client
        .execute(
            "const w = window.open('https://example.org/'); \
             window.location.href = 'https://example.org/'; return w === null;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(opened, serde_json::json!(true), "a new window was opened");
    ui.text_until("#note-view-title", "the app survives a navigation", |t| {
        t == "Onboarding checklist"
    })
    .await;
    assert_eq!(ui.client.current_url().await.unwrap(), app_url);
    // A link asking for a new window, clicked (a user's gesture, which a popup blocker lets
    // through), opens none either.
    ui.client
        .execute(
            "const a = document.createElement('a'); a.id = 'blank-link'; a.target = '_blank'; \
             a.href = 'https://example.org/blank'; a.textContent = 'elsewhere'; \
             Object.assign(a.style, {position: 'fixed', top: '0', left: '0', zIndex: '99'}); \
             document.body.append(a);",
            vec![],
        )
        .await
        .unwrap();
    ui.click("#blank-link").await;
    ui.client
        .execute("document.getElementById('blank-link').remove();", vec![])
        .await
        .unwrap();
    ui.shot("notes").await;

    // Quick search with Ctrl+K.
    ui.find("#nav-notes")
        .await
        .send_keys(&format!("{}k", char::from(Key::Control)))
        .await
        .unwrap();
    let focused = ui.client.active_element().await.unwrap();
    assert_eq!(focused.attr("id").await.unwrap().as_deref(), Some("search"));
    focused.send_keys("pair").await.unwrap();
    ui.any_text(".search-hit", "Onboarding checklist").await;
    ui.shot("search").await;
    ui.click(".search-hit").await;
    ui.text_until("#note-view-title", "the hit opens", |t| {
        t == "Onboarding checklist"
    })
    .await;
    assert_eq!(
        ui.client.current_url().await.unwrap(),
        app_url,
        "the window left the app"
    );
    assert_eq!(ui.client.windows().await.unwrap().len(), 1, "a new window");
    assert_eq!(
        std::fs::read_to_string(opened_links(tmp.path())).unwrap(),
        "https://example.com/\n",
        "only the note's link went to the browser"
    );

    // The whole screen changes language.
    ui.click("#lang-fr").await;
    ui.text_until("#nav-home", "French navigation", |t| t == "Accueil")
        .await;
    ui.text_until("#note-edit", "French button", |t| t == "Modifier")
        .await;
    ui.shot("notes-fr").await;
    ui.click("#lang-en").await;
    ui.text_until("#nav-home", "English navigation", |t| t == "Home")
        .await;

    // Settings: the theme follows the system until one is chosen.
    ui.click("#nav-settings").await;
    ui.text_until("#data-dir", "the data folder", |t| {
        t == data.display().to_string()
    })
    .await;
    for (button, want) in [
        ("#theme-dark", serde_json::json!("dark")),
        ("#theme-light", serde_json::json!("light")),
        ("#theme-system", serde_json::Value::Null),
    ] {
        ui.click(button).await;
        let theme = ui
            .client
            .execute(
                "return document.documentElement.getAttribute('data-theme');",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(theme, want, "{button}");
        if button == "#theme-dark" {
            ui.shot("settings-dark").await;
        }
    }
    // The profile colleagues see, then an export of the workspace and its import.
    ui.value_until("#profile-name", "the profile is filled in", |v| {
        v == "Alice Martin"
    })
    .await;
    ui.type_into("#profile-title", "Platform engineer").await;
    ui.type_into("#profile-team", "Engineering").await;
    ui.type_into("#profile-hours", "3").await;
    ui.click("#profile-open").await;
    ui.click("#profile-save").await;
    ui.text_until(".profile-form .saved", "the profile is saved", |t| {
        t == "Profile saved."
    })
    .await;
    let export = tmp.path().join("export");
    ui.type_into("#transfer-dir", &export.display().to_string())
        .await;
    ui.click("#export").await;
    ui.text_until("#export-done", "the export", |t| {
        t.starts_with("Exported to") && t.contains("notes: 1")
    })
    .await;
    assert!(export.join("entrepairs-export.json").exists());
    ui.click("#import").await;
    ui.text_until("#import-done", "the import of the same folder", |t| {
        t.starts_with("Imported: nothing.") && t.contains("notes: 1")
    })
    .await;

    // An invite made in the app (text and QR code); a colleague on the command line joins
    // with it and writes a note: it appears in the open app by itself.
    ui.click("#nav-team").await;
    ui.any_text(".member", "Alice Martin").await;
    let start = Instant::now();
    let ticket = loop {
        ui.click("#invite-create").await;
        if let Ok(field) = ui.client.find(Locator::Css("#invite-ticket")).await
            && let Ok(Some(text)) = field.prop("value").await
            && text.starts_with("ep1")
        {
            break text;
        }
        // Until the app has bound its address there is none to put in a ticket.
        assert!(start.elapsed() < PATIENCE, "no invite from the app");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    ui.find("#invite-qr").await;
    // The invite is listed as open, its expiry to the minute.
    ui.any_text(".invite-item[data-status='open'] .invite-status", "open")
        .await;
    let expiry = ui
        .text_until(
            ".invite-item[data-status='open'] .invite-expiry",
            "the invite's expiry",
            |t| t.starts_with("expires "),
        )
        .await;
    assert_eq!(expiry.matches(':').count(), 1, "no seconds: {expiry}");
    ui.shot("team").await;
    let bob = tmp.path().join("bob");
    run(
        &bob,
        &["join", &ticket, "--name", "Bob", "--timeout", "30s"],
    );
    run(
        &bob,
        &[
            "note",
            "add",
            "--title",
            "Written by Bob",
            "--body",
            "from the command line",
        ],
    );
    run(
        &bob,
        &["skill", "claim", "Rust", "--level", "3", "--can-teach"],
    );
    // Bob's device dials the addresses its ticket gave it, i.e. the app.
    let _bob_serves = Background(
        Command::new(cli())
            .arg("--data-dir")
            .arg(&bob)
            .args(["serve", "--listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns"])
            .env_remove("ENTREPAIRS_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    ui.click("#nav-notes").await;
    ui.any_text(".note-item", "Written by Bob").await;
    // A note linking Bob's with `[[` completion (chosen with the keyboard), previewed, saved:
    // Bob's note lists it among its backlinks.
    ui.click("#note-new").await;
    ui.type_into("#note-title", "Reading list").await;
    ui.type_into("#note-body", "Start with [[writ").await;
    ui.any_text(".link-choice", "Written by Bob").await;
    ui.find("#note-body")
        .await
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    ui.value_until("#note-body", "the link is completed", |v| {
        v == "Start with [[Written by Bob]]"
    })
    .await;
    ui.find("#note-body")
        .await
        .send_keys(" today.")
        .await
        .unwrap();
    ui.type_into("#note-tags", "reading").await;
    ui.click("#note-preview").await;
    ui.text_until("#note-preview-body", "the preview", |t| {
        t.contains("Start with [[Written by Bob]] today.")
    })
    .await;
    ui.click("#note-save").await;
    ui.text_until("#note-view-title", "the saved note", |t| {
        t == "Reading list"
    })
    .await;
    ui.click_text(".note-item", "Written by Bob").await;
    ui.any_text(".backlinks button", "Reading list").await;
    // The list filtered by a tag.
    ui.click("#note-tag-filter option[value='onboarding']")
        .await;
    wait_list(&ui, ".note-item .title", &["Onboarding checklist"]).await;
    ui.click("#note-tag-filter option[value='']").await;
    ui.click("#nav-home").await;
    ui.any_text(".recent-note", "Written by Bob").await;
    ui.text_until("#home-sync", "Home says when it last synced", |t| {
        t.starts_with("Last synced") && t.ends_with("1 colleague's device seen")
    })
    .await;
    ui.click("#nav-team").await;
    ui.any_text(".member", "Bob").await;
    ui.any_text(".peer", "Bob").await;
    let refusals = ui
        .client
        .find_all(Locator::Css(".peer .refused"))
        .await
        .unwrap();
    assert!(refusals.is_empty(), "an honest device is flagged");
    // Bob's invite is used; a new one is open until Alice revokes it.
    ui.any_text(".invite-item[data-status='redeemed']", "used")
        .await;
    let count = |css: &'static str| {
        let client = ui.client.clone();
        async move { client.find_all(Locator::Css(css)).await.unwrap().len() }
    };
    let open = count(".invite-item[data-status='open']").await;
    ui.click("#invite-create").await;
    let start = Instant::now();
    while count(".invite-item[data-status='open']").await != open + 1 {
        assert!(start.elapsed() < PATIENCE, "the new invite is not listed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The newest first.
    ui.click(".invite-item[data-status='open'] .invite-revoke")
        .await;
    ui.any_text(".invite-item[data-status='revoked']", "revoked")
        .await;
    assert_eq!(count(".invite-item[data-status='open']").await, open);
    // Admins make an admin and demote one.
    ui.click(".member[data-name='Bob'] .member-promote").await;
    ui.text_until(".member[data-name='Bob'] .role", "Bob is an admin", |t| {
        t == "admin"
    })
    .await;
    ui.click(".member[data-name='Bob'] .member-demote").await;
    ui.text_until(
        ".member[data-name='Bob'] .role",
        "Bob is a member again",
        |t| t == "member",
    )
    .await;

    // People & skills: Alice lists a skill of hers, then finds who can help her with Rust
    // (Bob, whose claim came with the sync) and endorses him.
    ui.click("#nav-people").await;
    ui.type_into("#skill-name", "Kubernetes").await;
    ui.click("#skill-level option[value='3']").await;
    ui.click("#skill-teach").await;
    ui.click("#skill-claim").await;
    ui.text_until(".people .saved", "the claim is saved", |t| {
        t == "Added to your skills."
    })
    .await;
    ui.any_text(".skill", "Kubernetes").await;
    ui.any_text(".holder.mine", "Alice Martin").await;
    ui.any_text(".skill", "Rust").await;
    ui.type_into("#help-skill", "rust").await;
    ui.click("#help-find").await;
    ui.any_text(".helper .name", "Bob").await;
    ui.text_until(".helper .why", "why Bob is suggested", |t| {
        t == "Expert · can teach"
    })
    .await;
    ui.click(".helper .endorse").await;
    ui.text_until(".helper .why", "the endorsement counts", |t| {
        t == "Expert · can teach · endorsements: 1"
    })
    .await;
    ui.text_until(".helper .endorse", "the button says it is done", |t| {
        t == "Endorsed"
    })
    .await;
    ui.click("#lang-fr").await;
    ui.text_until(".helper .why", "the reason in French", |t| {
        t == "Expert·e · peut enseigner · recommandations : 1"
    })
    .await;
    ui.click("#lang-en").await;
    ui.shot("people").await;

    // Recognition: kudos to Bob; they reach Bob's device.
    ui.click("#nav-recognition").await;
    ui.click_text("#kudos-to option", "Bob").await;
    ui.type_into("#kudos-message", "Thanks for the Rust pairing!")
        .await;
    ui.click("#kudos-give").await;
    ui.any_text(".kudos .who", "Alice Martin → Bob").await;
    ui.any_text(".kudos .message", "Thanks for the Rust pairing!")
        .await;
    ui.text_until("#balance", "the time balance", |t| {
        t.starts_with("Given: 0 min")
    })
    .await;
    ui.shot("recognition").await;
    // The contribution report, saved as Markdown into a folder.
    let reports = tmp.path().join("reports");
    ui.type_into("#report-dir", &reports.display().to_string())
        .await;
    ui.click("#report-save").await;
    ui.text_until("#report-done", "the report is saved", |t| {
        t.starts_with("Saved to")
    })
    .await;
    let report = std::fs::read_dir(&reports)
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("contributions-")
        })
        .expect("a contributions-DATE.md file");
    let text = std::fs::read_to_string(report.path()).unwrap();
    assert!(text.contains("Alice Martin"), "{text}");
    wait_for(&bob, &["kudos", "list"], "the kudos reach Bob", |list| {
        list.as_array().is_some_and(|l| {
            l.iter()
                .any(|k| k["message"] == "Thanks for the Rust pairing!")
        })
    })
    .await;

    // Mentoring: Bob mentors Alice. Home reminds her of the first session until she logs it;
    // the relationship and its log reach Bob (and only Bob: it is private to the two).
    ui.click("#nav-mentoring").await;
    ui.click_text("#mentoring-with option", "Bob").await;
    ui.click("#mentoring-role option[value='mentee']").await;
    ui.type_into("#mentoring-goals", "Write async Rust with confidence")
        .await;
    ui.click("#mentoring-start").await;
    ui.any_text(".mentoring h3", "Bob mentors Alice Martin")
        .await;
    ui.any_text(".goal", "Write async Rust with confidence")
        .await;
    // A relationship just started is not due yet: Home has nothing to remind.
    ui.click("#nav-home").await;
    ui.any_text(".home p", "Nothing due").await;
    ui.click("#nav-mentoring").await;
    ui.type_into(".log-minutes", "45").await;
    ui.type_into(".log-notes", "Walked through tokio tasks and channels")
        .await;
    ui.type_into(".log-topics", "tokio, async").await;
    ui.type_into(".log-actions", "Read the tokio tutorial @2020-01-15")
        .await;
    ui.click(".log-submit").await;
    ui.any_text(".logged", "45 min · logged by Alice Martin")
        .await;
    ui.any_text(".logged .notes", "Walked through tokio tasks")
        .await;
    ui.any_text(".action .text", "Read the tokio tutorial")
        .await;
    ui.any_text(".action .muted", "Alice Martin, due 2020-01-15")
        .await;
    ui.shot("mentoring").await;
    // The action is past its due day: Home says so until it is done.
    ui.click("#nav-home").await;
    ui.any_text(
        ".reminder",
        "Overdue since 2020-01-15: Read the tokio tutorial",
    )
    .await;
    ui.click(".reminder").await;
    ui.click(".action .action-done").await;
    ui.click("#nav-home").await;
    ui.any_text(".home p", "Nothing due").await;
    wait_for(
        &bob,
        &["mentoring", "list"],
        "the mentoring log reaches Bob",
        |list| list[0]["sessions"][0]["minutes"] == 45,
    )
    .await;

    // Reviews, both ways with Bob on the command line: Alice asks Bob; Bob writes and submits;
    // Alice reads and acknowledges. Then Bob asks Alice; she writes, saves, submits.
    ui.click("#nav-reviews").await;
    ui.click_text("#review-reviewer option", "Bob").await;
    ui.type_into("#review-about", "My first pull request").await;
    ui.click("#review-template option[value='sbi']").await;
    ui.click("#review-request").await;
    ui.any_text("#review-asked .review h3", "My first pull request")
        .await;
    ui.any_text("#review-asked .status", "being written").await;
    let asked = wait_for(
        &bob,
        &["review", "list"],
        "the request reaches Bob",
        |list| {
            list.as_array()
                .is_some_and(|l| l.iter().any(|r| r["about"] == "My first pull request"))
        },
    )
    .await;
    let asked = asked
        .as_array()
        .and_then(|l| l.iter().find(|r| r["about"] == "My first pull request"))
        .and_then(|r| r["id"].as_str())
        .unwrap()
        .to_owned();
    run(
        &bob,
        &[
            "review",
            "write",
            &asked,
            "--answer",
            "situation=Your pull request on the sync cache",
            "--answer",
            "behaviour=You split it into small commits",
            "--answer",
            "impact=I could review it in ten minutes",
        ],
    );
    run(&bob, &["review", "submit", &asked, "--minutes", "20"]);
    ui.any_text(
        "#review-asked .answer-shown",
        "I could review it in ten minutes",
    )
    .await;
    ui.type_into(
        "#review-asked .review-reply",
        "Thanks, noted for the next one!",
    )
    .await;
    ui.click("#review-asked .review-ack").await;
    ui.any_text("#review-asked .status", "acknowledged").await;
    ui.any_text("#review-asked .reply", "Thanks, noted for the next one!")
        .await;
    run(
        &bob,
        &[
            "review",
            "request",
            "--reviewer",
            "Alice Martin",
            "--about",
            "The deploy script",
            "--template",
            "start-stop-continue",
        ],
    );
    ui.any_text("#review-inbox .review h3", "The deploy script")
        .await;
    for (key, text) in [
        ("start", "Logging each step"),
        ("stop", "Deploying on Fridays"),
        ("continue", "Dry runs first"),
    ] {
        ui.type_into(
            &format!("#review-inbox .answer[data-key='{key}'] .answer-text"),
            text,
        )
        .await;
    }
    ui.click("#review-inbox .review-save").await;
    ui.text_until("#review-inbox .saved", "the draft is saved", |t| {
        t == "Draft saved."
    })
    .await;
    ui.click("#review-inbox .review-submit").await;
    ui.any_text("#review-given .status", "submitted").await;
    ui.any_text("#review-given .answer-shown", "Deploying on Fridays")
        .await;
    ui.shot("reviews").await;
    // Bob's review took him 20 minutes: Alice confirms the time he gave her.
    ui.click("#nav-recognition").await;
    ui.any_text(".credit[data-kind='review'] .who", "Bob").await;
    ui.click(".credit[data-kind='review'] .credit-confirm")
        .await;
    ui.text_until("#balance", "the confirmed time counts", |t| {
        t.contains("received: 20 min")
    })
    .await;
    wait_for(
        &bob,
        &["review", "list"],
        "the review reaches Bob",
        |list| {
            list.as_array().is_some_and(|l| {
                l.iter().any(|r| {
                    r["about"] == "The deploy script"
                        && r["status"] == "submitted"
                        && r["answers"][1]["text"] == "Deploying on Fridays"
                })
            })
        },
    )
    .await;
    wait_for(
        &bob,
        &["review", "list"],
        "the acknowledgement reaches Bob",
        |list| {
            list.as_array().is_some_and(|l| {
                l.iter()
                    .any(|r| r["about"] == "My first pull request" && r["status"] == "acknowledged")
            })
        },
    )
    .await;
    // Communities: Alice starts one and asks a question; Bob joins it on the command line and
    // answers; Alice accepts his answer. Quick search finds the thread.
    ui.click("#nav-communities").await;
    ui.type_into("#community-name", "Rust guild").await;
    ui.click("#community-create").await;
    ui.click(".community[data-name='Rust guild'] .community-open")
        .await;
    ui.type_into("#thread-title", "How do you structure error types?")
        .await;
    ui.type_into("#thread-body", "One enum per crate, or **one per module**?")
        .await;
    ui.click("#thread-post").await;
    ui.text_until("#thread-view-title", "the new thread", |t| {
        t == "How do you structure error types?"
    })
    .await;
    ui.text_until(".thread .markdown strong", "its Markdown", |t| {
        t == "one per module"
    })
    .await;
    run(&bob, &["community", "join", "Rust guild"]);
    let threads = wait_for(
        &bob,
        &["thread", "list", "Rust guild"],
        "the thread reaches Bob once he joined",
        |list| list.as_array().is_some_and(|l| !l.is_empty()),
    )
    .await;
    let thread = threads[0]["id"].as_str().unwrap().to_owned();
    run(
        &bob,
        &[
            "thread",
            "reply",
            &thread,
            "--body",
            "One enum per crate, with `thiserror`.",
        ],
    );
    ui.any_text(".post .markdown", "One enum per crate, with thiserror.")
        .await;
    ui.click(".post .accept").await;
    ui.any_text(".post .accepted-badge", "accepted answer")
        .await;
    ui.shot("communities").await;
    wait_for(
        &bob,
        &["thread", "show", &thread],
        "the accepted answer reaches Bob",
        |t| t["accepted"].is_string(),
    )
    .await;
    ui.click("#nav-home").await;
    ui.type_into("#search", "error types").await;
    ui.click_text(".search-hit", "How do you structure error types?")
        .await;
    ui.text_until("#thread-view-title", "the hit opens the thread", |t| {
        t == "How do you structure error types?"
    })
    .await;
    // A person found by quick search opens in the directory.
    ui.type_into("#search", "Platform engineer").await;
    ui.click_text(".search-hit", "Alice Martin").await;
    ui.value_until("#directory-filter", "the directory shows the person", |v| {
        v == "Alice Martin"
    })
    .await;
    ui.any_text(".profile .name", "Alice Martin").await;

    ui.client.close().await.unwrap();
    drop(driver);

    // A cold start on the demo's folder: it opens as the demo, straight to the home screen.
    let demo = tmp.path().join("app-demo");
    let started = Instant::now();
    let (_driver, client) = launch(&display, &demo, &tmp.path().join("again")).await;
    let ui = Ui {
        client,
        shots: ui.shots,
        display: display.clone(),
    };
    ui.text_until("#home-title", "the demo opens at start", |t| {
        t == "Hello You"
    })
    .await;
    ui.any_text(".recent-note", "On-call handbook").await;
    let interactive = started.elapsed();
    ui.find(".demo-banner").await;
    let exe = app_binary();
    let exe = exe.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    eprintln!(
        "e2e: cold start to interactive on the demo: {} ms; resident memory: app {} MiB, WebKit web process {} MiB",
        interactive.as_millis(),
        rss_kib(exe) / 1024,
        rss_kib("WebKitWebProcess") / 1024,
    );
    ui.client.close().await.unwrap();
}
