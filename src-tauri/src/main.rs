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
use ipc::views::{FormatView, SkillAtRiskView, SuggestionView, Who};
use ipc::{AppState, Changed, Error, Invite, NotePage, ThreadPage};
use node::formats::{GoalChange, MentoringRole};
use node::{NewNote, Node, NodeError, NoteEdit};
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

/// The entries of a list typed one per line or comma: trimmed, empty ones dropped.
fn non_empty(list: Vec<String>) -> Vec<String> {
    list.into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
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
        let demo = node.is_demo().await.map_err(error)?;
        Ok(AppState::Ready {
            me: node.whoami().await.map_err(error)?,
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
    let serving = node.clone();
    tauri::async_runtime::spawn(async move {
        match serving.is_demo().await {
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

/// One Tauri command per operation of the list in `ipc::with_ops!`, and the handler that
/// dispatches them: the window calls command `NAME` with `{ args }`.
macro_rules! commands {
    ($( $(#[$doc:meta])* $name:ident: $ty:ident { $($field:ident: $fty:ty),* $(,)? } -> $reply:ty [$($reads:ident),*]; )*) => {
        $(
            $(#[$doc])*
            #[tauri::command]
            async fn $name(
                app: AppHandle,
                shell: State<'_, Shell>,
                args: ops::$ty,
            ) -> Result<$reply, Error> {
                args.handle(&app, &shell).await
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
        if !node.is_demo().await.map_err(error)? {
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
        let (node, _report) =
            Node::join_with_ticket(&shell.data_dir, ticket.trim(), &name, JOIN_TIMEOUT)
                .await
                .map_err(error)?;
        shell.adopt(app, &mut slot, node).await
    }
}

impl Handle for ops::Notes {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::Notes { tag, skill } = self;
        shell.node().await?.notes(tag, skill).await.map_err(error)
    }
}

impl Handle for ops::Note {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::Note { id } = self;
        shell.node().await?.note(id).await.map_err(error)
    }
}

impl Handle for ops::GetNotePage {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::GetNotePage { id } = self;
        let note = shell.node().await?.note(id).await.map_err(error)?;
        let html = node::markdown::to_safe_html(&note.body);
        Ok(NotePage { note, html })
    }
}

impl Handle for ops::AddNote {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::AddNote { draft } = self;
        let new = NewNote {
            title: draft.title,
            body: draft.body,
            tags: draft.tags,
            skills: Vec::new(),
            scope: "workspace".into(),
        };
        shell.node().await?.add_note(new).await.map_err(error)
    }
}

impl Handle for ops::EditNote {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::EditNote { id, title, body } = self;
        let edit = NoteEdit {
            title: Some(title),
            body: Some(body),
            ..NoteEdit::default()
        };
        shell.node().await?.edit_note(id, edit).await.map_err(error)
    }
}

impl Handle for ops::Search {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::Search { query } = self;
        if query.trim().is_empty() {
            return Ok(Vec::new());
        }
        shell.node().await?.search(query).await.map_err(error)
    }
}

impl Handle for ops::Members {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.member_list().await.map_err(error)
    }
}

impl Handle for ops::Peers {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.peer_list().await.map_err(error)
    }
}

/// How long an invite made in the app stays valid.
const INVITE_HOURS: u32 = 72;

impl Handle for ops::CreateInvite {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::CreateInvite { admin } = self;
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
                ipc::ErrorKind::Internal,
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
}

impl Handle for ops::RemoveMember {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::RemoveMember { member } = self;
        shell
            .node()
            .await?
            .remove_member(member)
            .await
            .map_err(error)
    }
}

impl Handle for ops::PromoteMember {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::PromoteMember { member } = self;
        shell
            .node()
            .await?
            .promote_member(member)
            .await
            .map_err(error)
    }
}

impl Handle for ops::DemoteMember {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::DemoteMember { member } = self;
        shell
            .node()
            .await?
            .demote_member(member)
            .await
            .map_err(error)
    }
}

/// Every invite of the membership log with its state (open, redeemed, revoked, expired).
impl Handle for ops::Invites {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.invite_list().await.map_err(error)
    }
}

impl Handle for ops::RevokeInvite {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::RevokeInvite { id } = self;
        shell.node().await?.revoke_invite(id).await.map_err(error)
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

impl Handle for ops::Skills {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.skills().await.map_err(error)
    }
}

impl Handle for ops::ClaimSkill {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::ClaimSkill {
            name,
            level,
            wants,
            teach,
        } = self;
        let level = node::Level::from_number(u64::from(level)).map_err(|e| error(e.into()))?;
        shell
            .node()
            .await?
            .claim_skill(name, level, wants, teach)
            .await
            .map_err(error)
    }
}

impl Handle for ops::WhoCanHelp {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell
            .node()
            .await?
            .who_can_help(self.skill)
            .await
            .map_err(error)
    }
}

impl Handle for ops::Endorse {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::Endorse { member, skill } = self;
        shell
            .node()
            .await?
            .endorse(member, skill, String::new())
            .await
            .map_err(error)
    }
}

impl Handle for ops::Kudos {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.kudos().await.map_err(error)
    }
}

impl Handle for ops::GiveKudos {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::GiveKudos { member, message } = self;
        shell
            .node()
            .await?
            .kudos_give(member, message, None)
            .await
            .map_err(error)
    }
}

impl Handle for ops::Balance {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.balance(None).await.map_err(error)
    }
}

impl Handle for ops::Reminders {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.remind().await.map_err(error)
    }
}

impl Handle for ops::SkillsAtRisk {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let list = shell.node().await?.skills_at_risk().await.map_err(error)?;
        let people = |list: Vec<node::Person>| {
            list.into_iter()
                .map(|p| Who {
                    member_id: p.member,
                    name: p.name,
                })
                .collect()
        };
        Ok(list
            .into_iter()
            .map(|s| SkillAtRiskView {
                skill: s.skill,
                label_en: s.label_en,
                label_fr: s.label_fr,
                holders: people(s.holders),
                learners: people(s.learners),
            })
            .collect())
    }
}

impl Handle for ops::Mentorings {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.mentorings().await.map_err(error)
    }
}

impl Handle for ops::MentoringStart {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::MentoringStart { draft } = self;
        let role = match draft.role.as_str() {
            "mentor" => MentoringRole::Mentor,
            "mentee" => MentoringRole::Mentee,
            "cross" => MentoringRole::Cross,
            other => {
                return Err(Error::new(
                    ipc::ErrorKind::Invalid,
                    format!("unknown role '{other}': expected mentor, mentee or cross"),
                ));
            }
        };
        let goals = non_empty(draft.goals);
        shell
            .node()
            .await?
            .mentoring_start(draft.with, role, false, goals, draft.cadence_days)
            .await
            .map_err(error)
    }
}

impl Handle for ops::MentoringLog {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::MentoringLog { log } = self;
        shell
            .node()
            .await?
            .mentoring_log(
                log.id,
                log.minutes,
                None,
                log.notes,
                non_empty(log.topics),
                non_empty(log.actions),
            )
            .await
            .map_err(error)
    }
}

impl Handle for ops::GoalDone {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::GoalDone { id, goal } = self;
        shell
            .node()
            .await?
            .mentoring_goal(id, GoalChange::Done(goal))
            .await
            .map_err(error)
    }
}

impl Handle for ops::ActionDone {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::ActionDone { id } = self;
        shell.node().await?.action_done(id).await.map_err(error)
    }
}

impl Handle for ops::Reviews {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.reviews().await.map_err(error)
    }
}

impl Handle for ops::ReviewRequest {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::ReviewRequest {
            reviewer,
            about,
            template,
            criteria,
        } = self;
        let criteria = non_empty(criteria);
        shell
            .node()
            .await?
            .review_request(reviewer, about, template, criteria)
            .await
            .map_err(error)
    }
}

impl Handle for ops::ReviewWrite {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::ReviewWrite { draft } = self;
        shell
            .node()
            .await?
            .review_write(draft.id, draft.answers, draft.ratings)
            .await
            .map_err(error)
    }
}

impl Handle for ops::ReviewSubmit {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::ReviewSubmit { id, minutes } = self;
        shell
            .node()
            .await?
            .review_submit(id, minutes)
            .await
            .map_err(error)
    }
}

impl Handle for ops::ReviewAck {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::ReviewAck { id, reply } = self;
        shell
            .node()
            .await?
            .review_ack(id, reply)
            .await
            .map_err(error)
    }
}

impl Handle for ops::Formats {
    async fn handle(self, _app: &AppHandle, _shell: &Shell) -> Result<Self::Reply, Error> {
        Ok(format_views())
    }
}

fn format_views() -> Vec<FormatView> {
    node::FORMATS
        .iter()
        .map(|f| FormatView {
            id: f.id.to_owned(),
            name: f.name.to_owned(),
            roles: f.roles.iter().map(|r| (*r).to_owned()).collect(),
            steps: f.steps.len(),
            minutes: f.steps.iter().map(|s| s.max_minutes).sum(),
        })
        .collect()
}

impl Handle for ops::Sessions {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.sessions(false).await.map_err(error)
    }
}

impl Handle for ops::Session {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::Session { id } = self;
        shell.node().await?.session(id).await.map_err(error)
    }
}

impl Handle for ops::SessionPlan {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::SessionPlan { draft } = self;
        shell
            .node()
            .await?
            .session_plan(
                draft.format,
                draft.title,
                draft.at,
                draft.minutes,
                Vec::new(),
                draft.participants,
                Vec::new(),
                "workspace".into(),
            )
            .await
            .map_err(error)
    }
}

impl Handle for ops::SessionStart {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::SessionStart { id } = self;
        shell.node().await?.session_start(id).await.map_err(error)
    }
}

impl Handle for ops::SessionStep {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::SessionStep { id, notes } = self;
        shell
            .node()
            .await?
            .session_step(id, notes)
            .await
            .map_err(error)
    }
}

impl Handle for ops::SessionClose {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::SessionClose {
            id,
            takeaways,
            rating,
            actions,
        } = self;
        shell
            .node()
            .await?
            .session_close(id, non_empty(takeaways), rating, non_empty(actions))
            .await
            .map_err(error)
    }
}

impl Handle for ops::Communities {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.communities().await.map_err(error)
    }
}

impl Handle for ops::CreateCommunity {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::CreateCommunity { name } = self;
        shell
            .node()
            .await?
            .create_community(name)
            .await
            .map_err(error)
    }
}

impl Handle for ops::JoinCommunity {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::JoinCommunity { community } = self;
        shell
            .node()
            .await?
            .join_community(community)
            .await
            .map_err(error)
    }
}

impl Handle for ops::Threads {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::Threads { community } = self;
        shell.node().await?.threads(community).await.map_err(error)
    }
}

impl Handle for ops::GetThreadPage {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::GetThreadPage { id } = self;
        let thread = shell.node().await?.thread(id).await.map_err(error)?;
        let html = node::markdown::to_safe_html(&thread.body);
        let posts_html = thread
            .posts
            .iter()
            .map(|p| node::markdown::to_safe_html(&p.body))
            .collect();
        Ok(ThreadPage {
            thread,
            html,
            posts_html,
        })
    }
}

impl Handle for ops::PostThread {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::PostThread {
            community,
            title,
            body,
        } = self;
        shell
            .node()
            .await?
            .post_thread(community, title, body)
            .await
            .map_err(error)
    }
}

impl Handle for ops::Reply {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::Reply { thread, body } = self;
        shell.node().await?.reply(thread, body).await.map_err(error)
    }
}

impl Handle for ops::Accept {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::Accept { thread, post } = self;
        shell
            .node()
            .await?
            .accept(thread, post)
            .await
            .map_err(error)
    }
}

impl Handle for ops::Suggestions {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let list = shell
            .node()
            .await?
            .match_suggest(None)
            .await
            .map_err(error)?;
        Ok(list
            .into_iter()
            .map(|s| SuggestionView {
                mentor: Who {
                    member_id: s.mentor,
                    name: s.mentor_name,
                },
                mentee: Who {
                    member_id: s.mentee,
                    name: s.mentee_name,
                },
                skill: s.skill,
                mentor_level: s.mentor_level,
                mentor_hours: s.mentor_hours,
                mentor_open: s.mentor_open,
                reciprocal: s.reciprocal.map(|r| r.skill),
            })
            .collect())
    }
}

/// Every member's profile (the directory and the skills map).
impl Handle for ops::Profiles {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.profiles().await.map_err(error)
    }
}

/// A Markdown draft rendered as the note view will show it (the editor's preview).
impl Handle for ops::Preview {
    async fn handle(self, _app: &AppHandle, _shell: &Shell) -> Result<Self::Reply, Error> {
        Ok(node::markdown::to_safe_html(&self.markdown))
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

impl Handle for ops::ExportWorkspace {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::ExportWorkspace { dir } = self;
        let dir = folder(&dir)?;
        shell.node().await?.export(dir).await.map_err(error)
    }
}

impl Handle for ops::ImportWorkspace {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::ImportWorkspace { dir } = self;
        let dir = folder(&dir)?;
        shell.node().await?.import(dir).await.map_err(error)
    }
}

/// Writes this member's contribution report (Markdown) into `dir`; returns the file's path.
impl Handle for ops::SaveReport {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::SaveReport { dir } = self;
        let dir = folder(&dir)?;
        let report = shell
            .node()
            .await?
            .report(None, None)
            .await
            .map_err(error)?;
        let io =
            |what: &str, e: std::io::Error| Error::new(ipc::ErrorKind::Io, format!("{what}: {e}"));
        std::fs::create_dir_all(&dir)
            .map_err(|e| io(&format!("cannot create {}", dir.display()), e))?;
        let day = chrono::Utc::now().format("%Y-%m-%d");
        let path = dir.join(format!("contributions-{day}.md"));
        // Written beside, then renamed: a crash leaves the old file or the new one, never half.
        let partial = dir.join(format!(".contributions-{day}.md.partial"));
        std::fs::write(&partial, report.markdown.as_bytes())
            .map_err(|e| io(&format!("cannot write {}", partial.display()), e))?;
        std::fs::rename(&partial, &path)
            .map_err(|e| io(&format!("cannot write {}", path.display()), e))?;
        Ok(path.display().to_string())
    }
}

impl Handle for ops::MyProfile {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.profile(None).await.map_err(error)
    }
}

impl Handle for ops::SetProfile {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::SetProfile { profile } = self;
        let patch = node::ProfilePatch {
            name: Some(profile.name),
            title: Some(profile.title),
            team: Some(profile.team),
            location: Some(profile.location),
            languages: None,
            hours_per_month: Some(profile.hours_per_month),
            open_to_mentoring: Some(profile.open_to_mentoring),
        };
        shell.node().await?.set_profile(patch).await.map_err(error)
    }
}

impl Handle for ops::SyncProgress {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        shell.node().await?.sync_progress().await.map_err(error)
    }
}

/// Contributions this member gave or received (time credited once a receiver confirms it).
impl Handle for ops::Credits {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let node = shell.node().await?;
        let me = node.whoami().await.map_err(error)?.member_id;
        node.credits(Some(me)).await.map_err(error)
    }
}

impl Handle for ops::ConfirmCredit {
    async fn handle(self, _app: &AppHandle, shell: &Shell) -> Result<Self::Reply, Error> {
        let ops::ConfirmCredit { id } = self;
        shell.node().await?.credit_confirm(id).await.map_err(error)
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
