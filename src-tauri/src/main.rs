//! The Entrepairs desktop app: a thin Tauri v2 shell over `node`.
//!
//! Each command is one typed call on the node, answered with an `ipc` view model or an
//! `ipc::Error`. The shell forwards the node's change events to the window as
//! [`ipc::CHANGED`], so screens refresh when something changed (here, in another process or on a
//! peer) and never poll. While a workspace is open the node also serves: it syncs with every
//! reachable member like `entrepairs serve`.
//!
//! The window never leaves the app: the shell refuses every navigation to another origin and
//! every new window, and opens the links a member clicks in the system's browser (through
//! Tauri's opener plugin, which the window itself has no permission to call).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod links;

use std::path::{Path, PathBuf};

use ipc::ops;
use ipc::{AppState, Changed, Error};
use node::{Node, NodeError};
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_opener::OpenerExt;
use tokio::sync::RwLock;

/// The app's state: where its data lives and the node, once a workspace is open.
struct Shell {
    data_dir: PathBuf,
    node: RwLock<Option<Node>>,
}

fn error(e: NodeError) -> Error {
    Error::new(e.kind(), e.to_string())
}

fn no_workspace() -> Error {
    Error::new(
        ipc::ErrorKind::NoWorkspace,
        "no workspace is open: create or join one first",
    )
}

impl Shell {
    async fn node(&self) -> Result<Node, Error> {
        self.node.read().await.clone().ok_or_else(no_workspace)
    }

    /// Makes a freshly created or joined node the open one: events flow, sync starts.
    async fn adopt(
        &self,
        app: &AppHandle,
        slot: &mut Option<Node>,
        node: Node,
    ) -> Result<AppState, Error> {
        let state = self.ready(&node).await?;
        start(app, &node);
        *slot = Some(node);
        Ok(state)
    }

    async fn ready(&self, node: &Node) -> Result<AppState, Error> {
        let demo = node.call(|c| c.is_demo()).await.map_err(error)?;
        Ok(AppState::Ready {
            me: node.run(ops::Whoami {}).await.map_err(error)?,
            data_dir: node.data_dir().display().to_string(),
            demo,
        })
    }

    /// Where the demo workspace lives: its own folder beside the data folder (`Entrepairs-demo`
    /// next to `Entrepairs`), so the data folder stays free for a real workspace.
    fn demo_dir(&self) -> PathBuf {
        let mut name = self.data_dir.file_name().unwrap_or_default().to_os_string();
        name.push("-demo");
        self.data_dir.with_file_name(name)
    }

    fn data_dir_text(&self) -> String {
        self.data_dir.display().to_string()
    }
}

/// The data folder: `ENTREPAIRS_DATA_DIR`, else the OS's per-user data folder.
fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ENTREPAIRS_DATA_DIR") {
        return PathBuf::from(dir);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("Entrepairs")
}

fn has_workspace(dir: &Path) -> bool {
    dir.join(node::DB_FILE).exists()
}

/// The change event that makes every screen refresh.
fn everything() -> Changed {
    Changed {
        id: String::new(),
        kind: "all".into(),
    }
}

/// Forwards the node's events to the window and starts syncing (not for the demo, whose
/// colleagues are generated: there is no one to sync with).
fn start(app: &AppHandle, node: &Node) {
    let mut events = node.subscribe();
    let emitter = app.clone();
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::{RecvError, TryRecvError};
        loop {
            let mut changed = match events.recv().await {
                Ok(node::Event::DocChanged { id, kind }) => Changed {
                    id,
                    kind: kind.as_str().to_owned(),
                },
                // Fell behind, or membership changed (who is who, roles, invites, communities):
                // tell the screens to refresh everything.
                Ok(node::Event::MembershipChanged) | Err(RecvError::Lagged(_)) => everything(),
                Err(RecvError::Closed) => break,
            };
            // Changes already waiting (a sync stores documents by the hundred) make one
            // event: the screens refresh once for all of them, not once each.
            loop {
                match events.try_recv() {
                    Ok(node::Event::DocChanged { id, .. }) if id == changed.id => {}
                    Ok(_) | Err(TryRecvError::Lagged(_)) => changed = everything(),
                    Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                }
            }
            if let Err(e) = emitter.emit(ipc::CHANGED, changed) {
                tracing::warn!(error = %e, "could not notify the window");
            }
        }
    });
    tauri::async_runtime::spawn(notify(app.clone(), node.clone()));
    let serving = node.clone();
    tauri::async_runtime::spawn(async move {
        match serving.call(|c| c.is_demo()).await {
            Ok(false) => {}
            Ok(true) => return,
            Err(e) => {
                tracing::error!(error = %e, "sync not started");
                return;
            }
        }
        let listen = std::env::var("ENTREPAIRS_LISTEN")
            .map(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>())
            .unwrap_or_else(|_| {
                vec![
                    "/ip4/0.0.0.0/tcp/0".to_owned(),
                    "/ip4/0.0.0.0/udp/0/quic-v1".to_owned(),
                ]
            });
        let listen = listen.iter().filter_map(|a| a.parse().ok()).collect();
        let options = node::serve::ServeOptions {
            listen,
            mdns: std::env::var_os("ENTREPAIRS_NO_MDNS").is_none(),
            dial: Vec::new(),
            stop_when_idle: None,
            timeout: None,
            relay_server: false,
        };
        let result = serving
            .serve(
                options,
                |addr| tracing::info!(%addr, "listening"),
                std::future::pending::<()>(),
            )
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "sync stopped");
        }
    });
}

/// What the shell does for an operation of `ipc::ops`: one implementation per operation.
trait Handle: ops::Op {
    fn handle(
        self,
        app: &AppHandle,
        shell: &Shell,
    ) -> impl Future<Output = Result<Self::Reply, Error>> + Send;
}

/// How an operation is answered: by the running node (`node`; `cli` too, although the window's
/// capability does not let it call those), or by the shell itself (`shell`, through its
/// [`Handle`] implementation).
macro_rules! answer {
    (node, $args:ident, $app:ident, $shell:ident) => {{
        let _window_not_needed = $app;
        $shell.node().await?.run($args).await.map_err(error)
    }};
    (cli, $args:ident, $app:ident, $shell:ident) => {
        answer!(node, $args, $app, $shell)
    };
    (shell, $args:ident, $app:ident, $shell:ident) => {
        $args.handle(&$app, &$shell).await
    };
}

/// One Tauri command per operation of the list in `ipc::with_ops!`, and the handler that
/// dispatches them: the window calls command `NAME` with `{ args }`.
macro_rules! commands {
    ($( $(#[$doc:meta])* $name:ident: $ty:ident { $($field:ident: $fty:ty),* $(,)? } -> $reply:ty [$($reads:ident),*] $runs:ident; )*) => {
        $(
            $(#[$doc])*
            #[tauri::command]
            async fn $name(
                app: AppHandle,
                shell: State<'_, Shell>,
                args: ops::$ty,
            ) -> Result<$reply, Error> {
                answer!($runs, args, app, shell)
            }
        )*

        /// The handler of every command.
        fn handlers() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

ipc::with_ops!(commands);

impl Handle for ops::GetAppState {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        match shell.node.read().await.as_ref() {
            Some(node) => shell.ready(node).await,
            None => Ok(AppState::FirstLaunch {
                data_dir: shell.data_dir_text(),
            }),
        }
    }
}

/// Opens the demo workspace, building it first if this is the first visit. `lang` ("en" or
/// "fr") is the language its content is written in.
impl Handle for ops::OpenDemo {
    async fn handle(self, app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::OpenDemo { name, lang } = self;
        let mut slot = shell.node.write().await;
        if slot.is_some() {
            return Err(Error::new(
                ipc::ErrorKind::Invalid,
                "a workspace is already open",
            ));
        }
        let dir = shell.demo_dir();
        let node = if has_workspace(&dir) {
            Node::open(&dir).await
        } else {
            let lang = if lang == "fr" {
                node::demo::DemoLanguage::Fr
            } else {
                node::demo::DemoLanguage::En
            };
            let name = if name.trim().is_empty() {
                if lang == node::demo::DemoLanguage::Fr {
                    "Vous"
                } else {
                    "You"
                }
                .to_owned()
            } else {
                name
            };
            Node::create_demo(&dir, &name, lang).await
        }
        .map_err(error)?;
        shell.adopt(app, &mut slot, node).await
    }
}

/// Closes the demo and goes back to the first launch (the demo stays for a later visit).
impl Handle for ops::LeaveDemo {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let mut slot = shell.node.write().await;
        let Some(node) = slot.as_ref() else {
            return Err(no_workspace());
        };
        if !node.call(|c| c.is_demo()).await.map_err(error)? {
            return Err(Error::new(
                ipc::ErrorKind::Invalid,
                "the open workspace is not the demo",
            ));
        }
        if let Some(node) = slot.take() {
            node.shutdown().await.map_err(error)?;
        }
        Ok(AppState::FirstLaunch {
            data_dir: shell.data_dir_text(),
        })
    }
}

impl Handle for ops::CreateWorkspace {
    async fn handle(self, app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::CreateWorkspace { name, workspace } = self;
        let mut slot = shell.node.write().await;
        if slot.is_some() {
            return Err(Error::new(
                ipc::ErrorKind::Invalid,
                "a workspace is already open",
            ));
        }
        let node = Node::init(&shell.data_dir, &name, &workspace)
            .await
            .map_err(error)?;
        shell.adopt(app, &mut slot, node).await
    }
}

/// How long joining may take: reaching the inviter, then the first sync.
const JOIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

impl Handle for ops::JoinWorkspace {
    async fn handle(self, app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::JoinWorkspace { ticket, name } = self;
        let mut slot = shell.node.write().await;
        if slot.is_some() {
            return Err(Error::new(
                ipc::ErrorKind::Invalid,
                "a workspace is already open",
            ));
        }
        // The text a colleague gave, or the code an admin reads aloud in the room.
        let text = ticket.trim();
        let (node, _report) = if node::code::Code::parse(text).is_ok() {
            Node::join_with_code(&shell.data_dir, text, &name, JOIN_TIMEOUT).await
        } else {
            Node::join_with_ticket(&shell.data_dir, text, &name, JOIN_TIMEOUT).await
        }
        .map_err(error)?;
        shell.adopt(app, &mut slot, node).await
    }
}

/// Opens a link from a note or a post in the system's default browser (or mail client): only
/// http, https and mailto URLs, never a file or another scheme.
impl Handle for ops::OpenLink {
    async fn handle(self, app: &AppHandle, _shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::OpenLink { url } = self;
        let url = links::external(&url)?;
        app.opener()
            .open_url(url.as_str(), None::<&str>)
            .map_err(|e| Error::new(ipc::ErrorKind::Io, format!("cannot open {url}: {e}")))
    }
}

/// Where exports and reports go unless the user gives another folder: `Entrepairs` in the
/// OS's documents folder.
impl Handle for ops::DefaultExportDir {
    async fn handle(self, _app: &AppHandle, _shell: &Shell) -> Result<Self::Reply, Error> {
        Ok(default_export_folder())
    }
}

fn default_export_folder() -> String {
    dirs::document_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_else(|| PathBuf::from("."))
        .join("Entrepairs")
        .display()
        .to_string()
}

fn folder(dir: &str) -> Result<PathBuf, Error> {
    let dir = dir.trim();
    if dir.is_empty() {
        return Err(Error::new(ipc::ErrorKind::Invalid, "give a folder"));
    }
    Ok(PathBuf::from(dir))
}

/// Writes a session or a mentoring relationship's calendar file, as the node makes it, into
/// `dir` under its own name (letters, digits and dashes only, `.ics`); returns the file's path.
impl Handle for ops::SaveIcs {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::SaveIcs { of, id, dir } = self;
        let dir = folder(&dir)?;
        let node = shell.node().await?;
        let file = match of {
            ipc::sets::CalendarOf::Session => node.run(ops::SessionIcs { id }).await,
            ipc::sets::CalendarOf::Mentoring => node.run(ops::MentoringIcs { id }).await,
        }
        .map_err(error)?;
        let plain = file.name.strip_suffix(".ics").is_some_and(|stem| {
            !stem.is_empty() && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        if !plain {
            return Err(Error::new(
                ipc::ErrorKind::Invalid,
                format!("'{}' is not a calendar file name", file.name),
            ));
        }
        save_beside(&dir, &file.name, file.text.as_bytes())
    }
}

/// Writes `bytes` to `dir/name` (creating `dir`) beside, then renamed: a crash leaves the old
/// file or the new one, never half.
fn save_beside(dir: &Path, name: &str, bytes: &[u8]) -> Result<String, Error> {
    let io = |what: &str, e: std::io::Error| Error::new(ipc::ErrorKind::Io, format!("{what}: {e}"));
    std::fs::create_dir_all(dir).map_err(|e| io(&format!("cannot create {}", dir.display()), e))?;
    let path = dir.join(name);
    let partial = dir.join(format!(".{name}.partial"));
    std::fs::write(&partial, bytes)
        .map_err(|e| io(&format!("cannot write {}", partial.display()), e))?;
    std::fs::rename(&partial, &path)
        .map_err(|e| io(&format!("cannot write {}", path.display()), e))?;
    Ok(path.display().to_string())
}

/// Writes this member's contribution report (Markdown) into `dir`; returns the file's path.
impl Handle for ops::SaveReport {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::SaveReport {
            dir,
            since,
            language,
        } = self;
        let dir = folder(&dir)?;
        let report = shell
            .node()
            .await?
            .run(ops::Report {
                member: None,
                since,
                language: Some(language),
            })
            .await
            .map_err(error)?;
        let day = chrono::Utc::now().format("%Y-%m-%d");
        save_beside(
            &dir,
            &format!("contributions-{day}.md"),
            report.markdown.as_bytes(),
        )
    }
}

/// Writes the programme's figures (CSV or Markdown, as the node makes them) into `dir`; returns
/// the file's path.
impl Handle for ops::SaveProgramme {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::SaveProgramme { since, format, dir } = self;
        let dir = folder(&dir)?;
        let file = shell
            .node()
            .await?
            .run(ops::ProgrammeFile { since, format })
            .await
            .map_err(error)?;
        save_beside(&dir, &file.name, file.text.as_bytes())
    }
}

/// Creates the main window from its configuration (`tauri.conf.json`, where `create` is
/// false), guarded: it may only navigate within the app, and opens no other window.
fn main_window(app: &tauri::App) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .cloned()
        .unwrap_or_default();
    let dev_url = if tauri::is_dev() {
        app.config().build.dev_url.clone()
    } else {
        None
    };
    tauri::WebviewWindowBuilder::from_config(app, &config)?
        .on_navigation(move |url| {
            let allowed = links::may_navigate(url, dev_url.as_ref());
            if !allowed {
                tracing::warn!(%url, "navigation away from the app refused");
            }
            allowed
        })
        .on_new_window(|url, _features| {
            tracing::warn!(%url, "new window refused");
            tauri::webview::NewWindowResponse::Deny
        })
        .build()?;
    Ok(())
}

/// How often the shell looks for notifications due.
const NOTICE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Raises the desktop notifications due, as they fall due: at once, then each minute, until
/// the node closes. Each is raised once (the node keeps which were). With
/// `ENTREPAIRS_NOTICE_LOG` set, each look and each notification raised is also written to that
/// file: what the end-to-end tests observe, where no notification server runs.
async fn notify(app: AppHandle, node: Node) {
    use tauri_plugin_notification::NotificationExt;
    let log = std::env::var_os("ENTREPAIRS_NOTICE_LOG").map(PathBuf::from);
    let mut every = tokio::time::interval(NOTICE_EVERY);
    loop {
        every.tick().await;
        let due = match node.run(ops::Notices {}).await {
            Ok(due) => due,
            // The node closed (the demo was left, another workspace opened).
            Err(node::NodeError::Stopped) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not look for notifications");
                continue;
            }
        };
        let mut lines = String::new();
        for n in &due {
            // A notification the OS cannot show (no notification server) is not retried each
            // minute: it is logged, and counts as raised.
            if let Err(e) = app
                .notification()
                .builder()
                .title(&n.title)
                .body(&n.body)
                .show()
            {
                tracing::warn!(error = %e, key = %n.key, "the notification could not be shown");
            }
            lines += &format!("raised {} {}\n", n.key, n.title);
        }
        lines += &format!("looked {}\n", due.len());
        let keys = due.into_iter().map(|n| n.key).collect();
        if let Err(e) = node.run(ops::NoticesRaised { keys }).await {
            tracing::warn!(error = %e, "could not record the notifications raised");
        }
        if let Some(path) = &log {
            use std::io::Write;
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(lines.as_bytes()));
            if let Err(e) = written {
                tracing::warn!(error = %e, "could not write the notice log");
            }
        }
    }
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ENTREPAIRS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let dir = data_dir();
    let result = tauri::Builder::default()
        .setup(move |app| {
            let node = if has_workspace(&dir) {
                let node = tauri::async_runtime::block_on(Node::open(&dir))?;
                start(app.handle(), &node);
                Some(node)
            } else {
                None
            };
            app.manage(Shell {
                data_dir: dir,
                node: RwLock::new(node),
            });
            main_window(app)?;
            Ok(())
        })
        // The shell opens links itself (`open_link`): no script of the plugin's in the page.
        .plugin(
            tauri_plugin_opener::Builder::new()
                .open_js_links_on_click(false)
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(handlers())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    /// Every `.rs` file's text under `dir`.
    fn sources(dir: &std::path::Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).expect("the UI's sources") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&path).expect("a source file"));
            }
        }
    }

    /// The window is allowed exactly the operations the UI calls: each one its capability
    /// grants is called somewhere in `ui/src`, and none of the CLI's own is (the window would be
    /// refused it).
    #[test]
    fn the_window_may_call_what_the_ui_calls_and_nothing_else() {
        let mut ui = String::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src"),
            &mut ui,
        );
        let called = |ty: &str| {
            ui.match_indices(&format!("ops::{ty}"))
                .any(|(at, m)| !ui[at + m.len()..].starts_with(|c: char| c.is_alphanumeric()))
        };
        for op in ipc::ops::LIST {
            assert_eq!(
                called(op.ty),
                op.for_window(),
                "{} ({}): called by the UI: {}, allowed to the window: {}",
                op.name,
                op.ty,
                called(op.ty),
                op.for_window()
            );
        }
    }

    /// The UI shows a session's format, steps, speakers and roles from its catalogues (by
    /// format id and step number): every one the node knows must be there in both languages,
    /// and the English text must be the node's own.
    #[test]
    fn every_session_format_is_in_both_catalogues() {
        let parse = |text: &str| -> BTreeMap<String, String> {
            serde_json::from_str(text).expect("a catalogue is a JSON object of strings")
        };
        let en = parse(include_str!("../../ui/locales/en.json"));
        let fr = parse(include_str!("../../ui/locales/fr.json"));
        assert_eq!(node::FORMATS.len(), 6);
        for f in node::FORMATS {
            let mut keys = vec![(format!("format.{}", f.id), Some(f.name))];
            for (i, step) in f.steps.iter().enumerate() {
                let n = i + 1;
                keys.push((format!("format.{}.{n}.name", f.id), Some(step.name)));
                keys.push((format!("format.{}.{n}.prompt", f.id), Some(step.prompt)));
                keys.push((format!("speaker.{}", step.speaker), None));
            }
            keys.extend(f.roles.iter().map(|r| (format!("role.{r}"), None)));
            for (key, english) in keys {
                let (Some(in_en), Some(in_fr)) = (en.get(&key), fr.get(&key)) else {
                    panic!("{key} is missing from a catalogue");
                };
                assert!(!in_fr.trim().is_empty(), "{key} is empty in French");
                if let Some(english) = english {
                    assert_eq!(in_en, english, "{key} differs from the node's text");
                }
            }
        }
    }
}
