//! The desktop app measured beside the empty Tauri + Leptos app (`crates/empty-app`), both built
//! in the same Cargo profile, with the same window and WebKit settings, under the same Xvfb:
//! - cold start: from the app's process start (its `starttime` in `/proc`) to its first screen
//!   painted, as the page itself records it (`window.entrepairsPainted`, its clock at the frame
//!   after the one that showed the content); WebDriver's own start is not counted;
//! - the CPU time of the app and of every process it started (WebKit's web and network
//!   processes) over the window after that (a minute by default), with the screen left open;
//! - resident memory of the app's process and of its WebKit web process at the end of it.
//!
//! Then the desktop alone on a workspace ([`browse`]): from a click on Notes to its first notes
//! painted, from a quick search's query to its hits, from a click on People to its skills map,
//! each timed by the page's clock to the frame after the result showed, and its web process's
//! resident memory after those.
//!
//! Each launch goes through tauri-driver and WebKitWebDriver with a fresh webview profile, as
//! the end-to-end tests run the desktop; one launch of each app first warms the OS's caches and
//! is not counted, so the figures are those of a warm machine and a cold app.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder};

use crate::procs::{Family, descendants, stat_fields};

/// How long tauri-driver may take to open a session, and an app to paint its first screen.
const PATIENCE: Duration = Duration::from_secs(60);

/// How long ending a WebDriver session may take.
const CLOSING: Duration = Duration::from_secs(10);

/// How long to let pass before asking again.
const POLL: Duration = Duration::from_millis(20);

/// The two apps to measure, built in the same Cargo profile.
#[derive(Debug, Clone)]
pub struct Apps {
    /// The desktop app's binary.
    pub desktop: PathBuf,
    /// The empty app's binary.
    pub empty: PathBuf,
    /// The Cargo profile both were built in, for the report.
    pub profile: String,
    /// How long each app is left idle with its first screen open.
    pub idle: Duration,
}

/// What one app measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// From its process's start to its first screen painted, one per launch (seconds).
    pub cold_start: Vec<f64>,
    /// From its process's start to the page's load starting (`performance.timeOrigin`), one per
    /// launch (seconds): what the app's own start (for the desktop, opening its data folder),
    /// Tauri and WebKit take before the page is asked for.
    pub to_page: Vec<f64>,
    /// From its process's start to the UI's code running (`window.entrepairsStarted`), one per
    /// launch (seconds): the page, the wasm fetched, compiled and started on top.
    pub to_code: Vec<f64>,
    /// Resident memory of its process at the end of the idle window (MB).
    pub app_rss: f64,
    /// Resident memory of its WebKit web processes then (MB; there is one per window).
    pub web_rss: f64,
    /// CPU time (user + system) of the app and every process it started over the idle window
    /// (seconds, to the kernel's tick: 10 ms).
    pub idle_cpu: f64,
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`; 100 where it cannot be asked).
fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|t| *t > 0.0)
        .unwrap_or(100.0)
}

/// The wall clock now, in milliseconds since the Unix epoch, and the seconds since boot
/// (`/proc/uptime`, the clock process start times count on), read together.
fn clocks() -> Result<(f64, f64)> {
    let uptime = std::fs::read_to_string("/proc/uptime").context("cannot read /proc/uptime")?;
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the clock is before 1970")?
        .as_secs_f64()
        * 1000.0;
    let up: f64 = uptime
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .context("unreadable /proc/uptime")?;
    Ok((wall, up))
}

/// When `pid` started, in milliseconds since the Unix epoch (to the kernel's tick, 10 ms).
fn started_at(pid: u32, ticks: f64) -> Result<f64> {
    let fields = stat_fields(pid).with_context(|| format!("process {pid} is gone"))?;
    // proc(5) field 22, starttime: clock ticks after boot.
    let start: f64 = fields
        .get(19)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("no start time for process {pid}"))?;
    let (wall, up) = clocks()?;
    Ok(wall - (up - start / ticks) * 1000.0)
}

/// CPU time `pid` has used (user + system), in clock ticks.
fn cpu_ticks(pid: u32) -> f64 {
    stat_fields(pid).map_or(0.0, |f| {
        // proc(5) fields 14 and 15, utime and stime.
        let field = |k: usize| f.get(k).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
        field(11) + field(12)
    })
}

/// The one process of `binary` among `pids`.
fn process_of(binary: &Path, pids: &[u32]) -> Result<u32> {
    let found: Vec<u32> = pids
        .iter()
        .copied()
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary))
        .collect();
    match found.as_slice() {
        [pid] => Ok(*pid),
        [] => bail!("no process of {} under tauri-driver", binary.display()),
        many => bail!(
            "{} processes of {} under tauri-driver",
            many.len(),
            binary.display()
        ),
    }
}

/// The WebKit web processes among `pids`.
fn web_processes(pids: &[u32]) -> Vec<u32> {
    pids.iter()
        .copied()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.starts_with("WebKitWebProces"))
        })
        .collect()
}

/// Resident memory of the WebKit web processes `app` started (MB; there is one per window).
fn web_rss(app: &Running, binary: &Path) -> Result<f64> {
    let web = web_processes(&descendants(app.pid));
    if web.is_empty() {
        bail!("{} has no WebKit web process", binary.display());
    }
    web.iter()
        .map(|pid| crate::proc_mb(*pid, "VmRSS:"))
        .sum::<Result<f64>>()
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The app started through tauri-driver, with its WebDriver session.
struct Running {
    client: Client,
    /// The app's process.
    pid: u32,
    /// When the page's load started, the UI's code started and its first screen was painted,
    /// in milliseconds since the Unix epoch (the page's clock).
    page: f64,
    code: f64,
    painted: f64,
    _driver: Family,
    _profile: tempfile::TempDir,
}

/// Asks `probe` until it answers `Some`: each answer, and the whole wait, bounded by `deadline`;
/// an error or `None` is asked again after [`POLL`]. Fails naming `what` and the last thing the
/// probe observed.
async fn until<T>(
    deadline: Instant,
    what: &str,
    mut probe: impl AsyncFnMut() -> std::result::Result<Option<T>, String>,
) -> Result<T> {
    let mut last = "nothing observed".to_owned();
    loop {
        let asked = tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), probe());
        match asked.await {
            Ok(Ok(Some(answer))) => return Ok(answer),
            Ok(Ok(None)) => "not yet".clone_into(&mut last),
            Ok(Err(observed)) => last = observed,
            Err(_) => {}
        }
        if Instant::now() >= deadline {
            bail!("no {what} within {PATIENCE:?}; last observed: {last}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Ends the WebDriver session (which closes the app), for at most [`CLOSING`].
async fn close(client: Client) {
    let _ = tokio::time::timeout(CLOSING, client.close()).await;
}

/// Starts `binary` on `display` (on data folder `data`, if given) and waits until its first
/// screen is painted.
async fn launch(binary: &Path, data: Option<&Path>, display: &str) -> Result<Running> {
    let profile = tempfile::tempdir().context("cannot make a webview profile")?;
    let (port, native_port) = (free_port()?, free_port()?);
    let mut driver = Command::new("tauri-driver");
    driver
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("DISPLAY", display)
        .env("ENTREPAIRS_LISTEN", "/ip4/127.0.0.1/tcp/0")
        .env("ENTREPAIRS_NO_MDNS", "1")
        .env("XDG_DATA_HOME", profile.path().join("xdg-data"))
        .env("XDG_CONFIG_HOME", profile.path().join("xdg-config"))
        .env("XDG_CACHE_HOME", profile.path().join("xdg-cache"))
        .env("LANG", "C.UTF-8")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match data {
        Some(dir) => driver.env("ENTREPAIRS_DATA_DIR", dir),
        None => driver.env_remove("ENTREPAIRS_DATA_DIR"),
    };
    let driver = Family(
        driver
            .spawn()
            .context("cannot start tauri-driver (scripts/setup.sh installs it)")?,
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": binary }),
    );
    let mut session = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    session.capabilities(caps);
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + PATIENCE;
    let name = binary.display();
    // Refused until tauri-driver listens.
    let client = until(
        deadline,
        &format!("a WebDriver session on {name}"),
        async || {
            session
                .connect(&url)
                .await
                .map(Some)
                .map_err(|e| e.to_string())
        },
    )
    .await?;
    let ask = async |script: &str| {
        client
            .execute(script, Vec::new())
            .await
            .map_err(|e| e.to_string())
    };
    let painted = until(
        deadline,
        &format!("{name} painting its first screen"),
        async || {
            ask("return window.entrepairsPainted ?? null")
                .await
                .map(|v| v.as_f64())
        },
    )
    .await?;
    let (page, code) = until(
        deadline,
        &format!("the times of {name}'s page"),
        async || {
            let times =
                ask("return [performance.timeOrigin ?? null, window.entrepairsStarted ?? null]")
                    .await?;
            let time = |k: usize| times.get(k).and_then(serde_json::Value::as_f64);
            Ok(time(0).zip(time(1)))
        },
    )
    .await?;
    let pid = process_of(binary, &descendants(driver.0.id()))?;
    Ok(Running {
        client,
        pid,
        page,
        code,
        painted,
        _driver: driver,
        _profile: profile,
    })
}

/// Launches `binary` once to warm up, then `launches` times on `display` (on data folder `data`,
/// if given), and times each cold start; the last launch is then left open for `idle`.
pub async fn measure(
    binary: &Path,
    data: Option<&Path>,
    launches: usize,
    idle: Duration,
    display: &str,
) -> Result<Measured> {
    let binary = binary
        .canonicalize()
        .with_context(|| format!("no app at {}", binary.display()))?;
    let ticks = ticks_per_second();
    let (mut cold_start, mut to_page, mut to_code) = (Vec::new(), Vec::new(), Vec::new());
    let mut timed = |app: &Running| -> Result<()> {
        let start = started_at(app.pid, ticks)?;
        cold_start.push((app.painted - start) / 1000.0);
        to_page.push((app.page - start) / 1000.0);
        to_code.push((app.code - start) / 1000.0);
        Ok(())
    };
    // The warm-up launch: the OS's caches (WebKit's libraries, fonts) filled, not counted.
    close(launch(&binary, data, display).await?.client).await;
    for _ in 1..launches.max(1) {
        let app = launch(&binary, data, display).await?;
        timed(&app)?;
        close(app.client).await;
    }
    let app = launch(&binary, data, display).await?;
    timed(&app)?;
    // The app and everything it started: WebKit's web and network processes.
    let family = |pid: u32| {
        let mut all = descendants(pid);
        all.push(pid);
        all
    };
    let before: f64 = family(app.pid).into_iter().map(cpu_ticks).sum();
    tokio::time::sleep(idle).await;
    let after: f64 = family(app.pid).into_iter().map(cpu_ticks).sum();
    let app_rss = crate::proc_mb(app.pid, "VmRSS:")?;
    let web_rss = web_rss(&app, &binary)?;
    close(app.client).await;
    Ok(Measured {
        cold_start,
        to_page,
        to_code,
        app_rss,
        web_rss,
        idle_cpu: (after - before) / ticks,
    })
}

/// What the desktop showed on one workspace: each time one per launch, in milliseconds on the
/// page's clock.
#[derive(Debug, Clone, Default)]
pub struct Browsed {
    /// From a click on Notes to its first notes painted.
    pub notes: Vec<f64>,
    /// The notes the list held then (the last launch's).
    pub listed: usize,
    /// From a query put in the search box to its hits painted.
    pub search: Vec<f64>,
    /// From a click on People to its skills map painted.
    pub skills_map: Vec<f64>,
    /// Resident memory of the WebKit web processes after those three (MB, the last launch's).
    pub web_rss: f64,
}

/// Does something in the page and times it to the frame after `shown` appeared. Arguments:
/// `"click"` or `"search"`, the element to click or the query, and the selector to wait for.
/// Answers `false` without doing anything if `shown` is already in the page. The time lands in
/// `window.entrepairsTook` (milliseconds): a MutationObserver sees the element inserted, then
/// two animation frames pass, the frame showing it being painted.
const TIMED: &str = r"
const [act, arg, shown] = arguments;
if (document.querySelector(shown)) { return false; }
window.entrepairsTook = null;
const t0 = performance.now();
const seen = new MutationObserver(() => {
  if (!document.querySelector(shown)) { return; }
  seen.disconnect();
  requestAnimationFrame(() => requestAnimationFrame(() => {
    window.entrepairsTook = performance.now() - t0;
  }));
});
seen.observe(document.body, { childList: true, subtree: true });
if (act === 'click') {
  document.querySelector(arg).click();
} else {
  const box = document.querySelector('#search');
  box.value = arg;
  box.dispatchEvent(new Event('input', { bubbles: true }));
}
return true;
";

/// Runs [`TIMED`] and waits for its time.
async fn took(client: &Client, act: &str, arg: &str, shown: &str) -> Result<f64> {
    let started = client
        .execute(TIMED, vec![act.into(), arg.into(), shown.into()])
        .await
        .with_context(|| format!("cannot {act} {arg}"))?;
    if started != serde_json::Value::Bool(true) {
        bail!("{shown} was in the page before the {act} on {arg}");
    }
    until(
        Instant::now() + PATIENCE,
        &format!("{shown} painted after the {act} on {arg}"),
        async || {
            client
                .execute("return window.entrepairsTook ?? null", Vec::new())
                .await
                .map(|v| v.as_f64())
                .map_err(|e| e.to_string())
        },
    )
    .await
}

/// Opens the desktop on data folder `data` `launches` times (after one launch not counted) and
/// in each: Notes (its first notes), a quick search for `word` (its hits), then People (its
/// skills map). The last launch's web process is measured after those.
pub async fn browse(
    binary: &Path,
    data: &Path,
    launches: usize,
    word: &str,
    display: &str,
) -> Result<Browsed> {
    let binary = binary
        .canonicalize()
        .with_context(|| format!("no app at {}", binary.display()))?;
    close(launch(&binary, Some(data), display).await?.client).await;
    let mut out = Browsed::default();
    for n in 0..launches.max(1) {
        let app = launch(&binary, Some(data), display).await?;
        let client = &app.client;
        let measured = async {
            out.notes
                .push(took(client, "click", "#nav-notes", ".note-item").await?);
            out.listed = client
                .execute(
                    "return document.querySelectorAll('.note-item').length",
                    Vec::new(),
                )
                .await?
                .as_u64()
                .context("no count of the notes listed")? as usize;
            out.search
                .push(took(client, "search", word, ".search-hit").await?);
            // The hits closed, as Escape would, before the next screen.
            client
                .execute(
                    "const box = document.querySelector('#search'); box.value = ''; \
                     box.dispatchEvent(new Event('input', { bubbles: true }));",
                    Vec::new(),
                )
                .await?;
            out.skills_map
                .push(took(client, "click", "#nav-people", ".skills-map").await?);
            if n + 1 == launches.max(1) {
                out.web_rss = web_rss(&app, &binary)?;
            }
            anyhow::Ok(())
        };
        let measured = measured.await;
        close(app.client).await;
        measured?;
    }
    Ok(out)
}

/// Builds both apps as the installer is built: the UIs in the `wasm-release` profile
/// (`scripts/ui.sh --release`), then both shells in Cargo's `dist` profile. Returns their
/// binaries in `target` (the workspace's target directory). The build's own output goes to
/// stderr.
pub fn build_dist(root: &Path, target: &Path) -> Result<(PathBuf, PathBuf)> {
    let ui = Command::new("bash")
        .arg(root.join("scripts/ui.sh"))
        .arg("--release")
        .current_dir(root)
        .stdout(std::io::stderr())
        .status()
        .context("cannot run scripts/ui.sh")?;
    if !ui.success() {
        bail!("scripts/ui.sh --release failed ({ui})");
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let shells = Command::new(cargo)
        .args([
            "build",
            "--profile",
            "dist",
            "--locked",
            "-p",
            "entrepairs-app",
            "-p",
            "empty-app",
        ])
        .current_dir(root)
        .status()
        .context("cannot run cargo build")?;
    if !shells.success() {
        bail!("cargo build --profile dist failed ({shells})");
    }
    Ok((
        target.join("dist/entrepairs-app"),
        target.join("dist/empty-app"),
    ))
}
