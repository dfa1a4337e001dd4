//! The Entrepairs desktop app: a thin Tauri v2 shell over `node`.
//!
//! Each command is one typed call on the node, answered with an `ipc` view model or an
//! `ipc::Error`. The shell forwards the node's change events to the window as
//! [`ipc::CHANGED`], so screens refresh when something changed (here, in another process or on a
//! peer) and never poll. While a workspace is open the node also serves: it syncs with every
//! reachable member like `entrepairs serve`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::{Path, PathBuf};

use ipc::views::{MemberView, NoteSummary, NoteView, PeerView, SearchHitView};
use ipc::{AppState, Changed, Error, Invite, NotePage};
use node::{NewNote, Node, NodeError, NoteEdit};
use serde::Deserialize;
use tauri::{AppHandle, Emitter, Manager, State};
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
        "no_workspace",
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
        start(app, &node);
        let me = node.whoami().await.map_err(error)?;
        *slot = Some(node);
        Ok(AppState::Ready {
            me,
            data_dir: self.data_dir_text(),
        })
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

/// Forwards the node's events to the window and starts syncing.
fn start(app: &AppHandle, node: &Node) {
    let mut events = node.subscribe();
    let emitter = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let changed = match events.recv().await {
                Ok(node::Event::DocChanged { id, kind }) => Changed {
                    id,
                    kind: kind.as_str().to_owned(),
                },
                // Fell behind: tell the screens to refresh everything.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Changed {
                    id: String::new(),
                    kind: "all".into(),
                },
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            };
            if let Err(e) = emitter.emit(ipc::CHANGED, changed) {
                tracing::warn!(error = %e, "could not notify the window");
            }
        }
    });
    let serving = node.clone();
    tauri::async_runtime::spawn(async move {
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

#[tauri::command]
async fn app_state(shell: State<'_, Shell>) -> Result<AppState, Error> {
    match shell.node.read().await.as_ref() {
        Some(node) => Ok(AppState::Ready {
            me: node.whoami().await.map_err(error)?,
            data_dir: shell.data_dir_text(),
        }),
        None => Ok(AppState::FirstLaunch {
            data_dir: shell.data_dir_text(),
        }),
    }
}

#[tauri::command]
async fn create_workspace(
    app: AppHandle,
    shell: State<'_, Shell>,
    name: String,
    workspace: String,
) -> Result<AppState, Error> {
    let mut slot = shell.node.write().await;
    if slot.is_some() {
        return Err(Error::new("invalid", "a workspace is already open"));
    }
    let node = Node::init(&shell.data_dir, &name, &workspace)
        .await
        .map_err(error)?;
    shell.adopt(&app, &mut slot, node).await
}

/// How long joining may take: reaching the inviter, then the first sync.
const JOIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

#[tauri::command]
async fn join_workspace(
    app: AppHandle,
    shell: State<'_, Shell>,
    ticket: String,
    name: String,
) -> Result<AppState, Error> {
    let mut slot = shell.node.write().await;
    if slot.is_some() {
        return Err(Error::new("invalid", "a workspace is already open"));
    }
    let (node, _report) =
        Node::join_with_ticket(&shell.data_dir, ticket.trim(), &name, JOIN_TIMEOUT)
            .await
            .map_err(error)?;
    shell.adopt(&app, &mut slot, node).await
}

#[tauri::command]
async fn notes(
    shell: State<'_, Shell>,
    tag: Option<String>,
    skill: Option<String>,
) -> Result<Vec<NoteSummary>, Error> {
    shell.node().await?.notes(tag, skill).await.map_err(error)
}

#[tauri::command]
async fn note(shell: State<'_, Shell>, id: String) -> Result<NoteView, Error> {
    shell.node().await?.note(id).await.map_err(error)
}

#[tauri::command]
async fn note_page(shell: State<'_, Shell>, id: String) -> Result<NotePage, Error> {
    let note = shell.node().await?.note(id).await.map_err(error)?;
    let html = node::markdown::to_safe_html(&note.body);
    Ok(NotePage { note, html })
}

/// A new note from the editor.
#[derive(Debug, Deserialize)]
struct NoteDraft {
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[tauri::command]
async fn add_note(shell: State<'_, Shell>, draft: NoteDraft) -> Result<String, Error> {
    let new = NewNote {
        title: draft.title,
        body: draft.body,
        tags: draft.tags,
        skills: Vec::new(),
        scope: "workspace".into(),
    };
    shell.node().await?.add_note(new).await.map_err(error)
}

#[tauri::command]
async fn edit_note(
    shell: State<'_, Shell>,
    id: String,
    title: String,
    body: String,
) -> Result<(), Error> {
    let edit = NoteEdit {
        title: Some(title),
        body: Some(body),
        ..NoteEdit::default()
    };
    shell.node().await?.edit_note(id, edit).await.map_err(error)
}

#[tauri::command]
async fn search(shell: State<'_, Shell>, query: String) -> Result<Vec<SearchHitView>, Error> {
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    shell.node().await?.search(query).await.map_err(error)
}

#[tauri::command]
async fn members(shell: State<'_, Shell>) -> Result<Vec<MemberView>, Error> {
    shell.node().await?.member_list().await.map_err(error)
}

#[tauri::command]
async fn peers(shell: State<'_, Shell>) -> Result<Vec<PeerView>, Error> {
    shell.node().await?.peer_list().await.map_err(error)
}

/// How long an invite made in the app stays valid.
const INVITE_HOURS: u32 = 72;

#[tauri::command]
async fn create_invite(shell: State<'_, Shell>, admin: bool) -> Result<Invite, Error> {
    let ticket = shell
        .node()
        .await?
        .create_invite(
            std::time::Duration::from_secs(u64::from(INVITE_HOURS) * 3600),
            admin,
            Vec::new(),
        )
        .await
        .map_err(error)?;
    let code = qrcode::QrCode::new(ticket.as_bytes()).map_err(|e| {
        Error::new(
            "internal",
            format!("the invite does not fit a QR code: {e}"),
        )
    })?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .build();
    use base64::Engine as _;
    let qr = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    );
    Ok(Invite {
        ticket,
        qr,
        hours: INVITE_HOURS,
    })
}

#[tauri::command]
async fn remove_member(shell: State<'_, Shell>, member: String) -> Result<String, Error> {
    shell
        .node()
        .await?
        .remove_member(member)
        .await
        .map_err(error)
}

#[tauri::command]
async fn promote_member(shell: State<'_, Shell>, member: String) -> Result<String, Error> {
    shell
        .node()
        .await?
        .promote_member(member)
        .await
        .map_err(error)
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
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_state,
            create_workspace,
            join_workspace,
            notes,
            note,
            note_page,
            add_note,
            edit_note,
            search,
            members,
            peers,
            create_invite,
            remove_member,
            promote_member
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped");
        std::process::exit(1);
    }
}
