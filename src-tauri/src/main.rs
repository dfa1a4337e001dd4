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

use ipc::forms::{LogDraft, MentoringDraft, NoteDraft, ProfileDraft, ReviewDraft, SessionDraft};
use ipc::views::{
    BalanceView, FormatView, HelperView, InviteView, KudosView, MemberView, MentoringView,
    NoteSummary, NoteView, PeerView, ReminderView, ReviewView, SearchHitView, SessionView,
    SkillAtRiskView, SkillView, StepProgress, SuggestionView, Who,
};
use ipc::views::{
    CommunityView, CreditView, ExportSummary, ImportSummary, ProfileView, SyncProgressView,
    ThreadSummary,
};
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

#[tauri::command]
async fn app_state(shell: State<'_, Shell>) -> Result<AppState, Error> {
    match shell.node.read().await.as_ref() {
        Some(node) => shell.ready(node).await,
        None => Ok(AppState::FirstLaunch {
            data_dir: shell.data_dir_text(),
        }),
    }
}

/// Opens the demo workspace, building it first if this is the first visit. `lang` ("en" or
/// "fr") is the language its content is written in.
#[tauri::command]
async fn open_demo(
    app: AppHandle,
    shell: State<'_, Shell>,
    name: String,
    lang: String,
) -> Result<AppState, Error> {
    let mut slot = shell.node.write().await;
    if slot.is_some() {
        return Err(Error::new("invalid", "a workspace is already open"));
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
    shell.adopt(&app, &mut slot, node).await
}

/// Closes the demo and goes back to the first launch (the demo stays for a later visit).
#[tauri::command]
async fn leave_demo(shell: State<'_, Shell>) -> Result<AppState, Error> {
    let mut slot = shell.node.write().await;
    let Some(node) = slot.as_ref() else {
        return Err(no_workspace());
    };
    if !node.is_demo().await.map_err(error)? {
        return Err(Error::new("invalid", "the open workspace is not the demo"));
    }
    if let Some(node) = slot.take() {
        node.shutdown().await.map_err(error)?;
    }
    Ok(AppState::FirstLaunch {
        data_dir: shell.data_dir_text(),
    })
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

#[tauri::command]
async fn demote_member(shell: State<'_, Shell>, member: String) -> Result<String, Error> {
    shell
        .node()
        .await?
        .demote_member(member)
        .await
        .map_err(error)
}

/// Every invite of the membership log with its state (open, redeemed, revoked, expired).
#[tauri::command]
async fn invites(shell: State<'_, Shell>) -> Result<Vec<InviteView>, Error> {
    shell.node().await?.invite_list().await.map_err(error)
}

#[tauri::command]
async fn revoke_invite(shell: State<'_, Shell>, id: String) -> Result<(), Error> {
    shell.node().await?.revoke_invite(id).await.map_err(error)
}

/// Opens a link from a note or a post in the system's default browser (or mail client): only
/// http, https and mailto URLs, never a file or another scheme.
#[tauri::command]
async fn open_link(app: AppHandle, url: String) -> Result<(), Error> {
    let url = links::external(&url)?;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| Error::new("io", format!("cannot open {url}: {e}")))
}

#[tauri::command]
async fn skills(shell: State<'_, Shell>) -> Result<Vec<SkillView>, Error> {
    shell.node().await?.skills().await.map_err(error)
}

#[tauri::command]
async fn claim_skill(
    shell: State<'_, Shell>,
    name: String,
    level: u8,
    wants: bool,
    teach: bool,
) -> Result<String, Error> {
    let level = node::Level::from_number(u64::from(level)).map_err(|e| error(e.into()))?;
    shell
        .node()
        .await?
        .claim_skill(name, level, wants, teach)
        .await
        .map_err(error)
}

#[tauri::command]
async fn who_can_help(shell: State<'_, Shell>, skill: String) -> Result<Vec<HelperView>, Error> {
    let helpers = shell
        .node()
        .await?
        .who_can_help(skill)
        .await
        .map_err(error)?;
    Ok(helpers
        .into_iter()
        .map(|h| HelperView {
            member_id: h.member,
            name: h.name,
            skill: h.skill,
            level: h.level,
            can_teach: h.can_teach,
            endorsements: h.endorsements,
            hours_per_month: h.hours_per_month,
        })
        .collect())
}

#[tauri::command]
async fn endorse(shell: State<'_, Shell>, member: String, skill: String) -> Result<String, Error> {
    shell
        .node()
        .await?
        .endorse(member, skill, String::new())
        .await
        .map_err(error)
}

#[tauri::command]
async fn kudos(shell: State<'_, Shell>) -> Result<Vec<KudosView>, Error> {
    shell.node().await?.kudos().await.map_err(error)
}

#[tauri::command]
async fn give_kudos(
    shell: State<'_, Shell>,
    member: String,
    message: String,
) -> Result<String, Error> {
    shell
        .node()
        .await?
        .kudos_give(member, message, None)
        .await
        .map_err(error)
}

#[tauri::command]
async fn balance(shell: State<'_, Shell>) -> Result<BalanceView, Error> {
    shell.node().await?.balance(None).await.map_err(error)
}

#[tauri::command]
async fn reminders(shell: State<'_, Shell>) -> Result<Vec<ReminderView>, Error> {
    let list = shell.node().await?.remind().await.map_err(error)?;
    Ok(list
        .into_iter()
        .map(|r| ReminderView {
            kind: r.kind,
            doc: r.doc,
            action: r.action,
            subject: r.subject,
            when: r.when,
        })
        .collect())
}

#[tauri::command]
async fn skills_at_risk(shell: State<'_, Shell>) -> Result<Vec<SkillAtRiskView>, Error> {
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

#[tauri::command]
async fn mentorings(shell: State<'_, Shell>) -> Result<Vec<MentoringView>, Error> {
    shell.node().await?.mentorings().await.map_err(error)
}

#[tauri::command]
async fn mentoring_start(shell: State<'_, Shell>, draft: MentoringDraft) -> Result<String, Error> {
    let role = match draft.role.as_str() {
        "mentor" => MentoringRole::Mentor,
        "mentee" => MentoringRole::Mentee,
        "cross" => MentoringRole::Cross,
        other => {
            return Err(Error::new(
                "invalid",
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

#[tauri::command]
async fn mentoring_log(shell: State<'_, Shell>, log: LogDraft) -> Result<(), Error> {
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

#[tauri::command]
async fn goal_done(shell: State<'_, Shell>, id: String, goal: String) -> Result<(), Error> {
    shell
        .node()
        .await?
        .mentoring_goal(id, GoalChange::Done(goal))
        .await
        .map_err(error)
}

#[tauri::command]
async fn action_done(shell: State<'_, Shell>, id: String) -> Result<(), Error> {
    shell.node().await?.action_done(id).await.map_err(error)
}

#[tauri::command]
async fn reviews(shell: State<'_, Shell>) -> Result<Vec<ReviewView>, Error> {
    shell.node().await?.reviews().await.map_err(error)
}

#[tauri::command]
async fn review_request(
    shell: State<'_, Shell>,
    reviewer: String,
    about: String,
    template: String,
    criteria: Vec<String>,
) -> Result<String, Error> {
    let criteria = non_empty(criteria);
    shell
        .node()
        .await?
        .review_request(reviewer, about, template, criteria)
        .await
        .map_err(error)
}

#[tauri::command]
async fn review_write(shell: State<'_, Shell>, draft: ReviewDraft) -> Result<(), Error> {
    shell
        .node()
        .await?
        .review_write(draft.id, draft.answers, draft.ratings)
        .await
        .map_err(error)
}

#[tauri::command]
async fn review_submit(shell: State<'_, Shell>, id: String, minutes: u32) -> Result<(), Error> {
    shell
        .node()
        .await?
        .review_submit(id, minutes)
        .await
        .map_err(error)
}

#[tauri::command]
async fn review_ack(shell: State<'_, Shell>, id: String, reply: String) -> Result<(), Error> {
    shell
        .node()
        .await?
        .review_ack(id, reply)
        .await
        .map_err(error)
}

#[tauri::command]
fn formats() -> Vec<FormatView> {
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

#[tauri::command]
async fn sessions(shell: State<'_, Shell>) -> Result<Vec<SessionView>, Error> {
    shell.node().await?.sessions(false).await.map_err(error)
}

#[tauri::command]
async fn session(shell: State<'_, Shell>, id: String) -> Result<SessionView, Error> {
    shell.node().await?.session(id).await.map_err(error)
}

#[tauri::command]
async fn session_plan(shell: State<'_, Shell>, draft: SessionDraft) -> Result<String, Error> {
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

#[tauri::command]
async fn session_start(shell: State<'_, Shell>, id: String) -> Result<StepProgress, Error> {
    shell.node().await?.session_start(id).await.map_err(error)
}

#[tauri::command]
async fn session_step(
    shell: State<'_, Shell>,
    id: String,
    notes: String,
) -> Result<StepProgress, Error> {
    shell
        .node()
        .await?
        .session_step(id, notes)
        .await
        .map_err(error)
}

#[tauri::command]
async fn session_close(
    shell: State<'_, Shell>,
    id: String,
    takeaways: Vec<String>,
    rating: Option<u32>,
    actions: Vec<String>,
) -> Result<(), Error> {
    shell
        .node()
        .await?
        .session_close(id, non_empty(takeaways), rating, non_empty(actions))
        .await
        .map_err(error)
}

#[tauri::command]
async fn communities(shell: State<'_, Shell>) -> Result<Vec<CommunityView>, Error> {
    shell.node().await?.communities().await.map_err(error)
}

#[tauri::command]
async fn create_community(shell: State<'_, Shell>, name: String) -> Result<String, Error> {
    shell
        .node()
        .await?
        .create_community(name)
        .await
        .map_err(error)
}

#[tauri::command]
async fn join_community(shell: State<'_, Shell>, community: String) -> Result<String, Error> {
    shell
        .node()
        .await?
        .join_community(community)
        .await
        .map_err(error)
}

#[tauri::command]
async fn threads(shell: State<'_, Shell>, community: String) -> Result<Vec<ThreadSummary>, Error> {
    shell.node().await?.threads(community).await.map_err(error)
}

#[tauri::command]
async fn thread_page(shell: State<'_, Shell>, id: String) -> Result<ThreadPage, Error> {
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

#[tauri::command]
async fn post_thread(
    shell: State<'_, Shell>,
    community: String,
    title: String,
    body: String,
) -> Result<String, Error> {
    shell
        .node()
        .await?
        .post_thread(community, title, body)
        .await
        .map_err(error)
}

#[tauri::command]
async fn reply(shell: State<'_, Shell>, thread: String, body: String) -> Result<String, Error> {
    shell.node().await?.reply(thread, body).await.map_err(error)
}

#[tauri::command]
async fn accept(shell: State<'_, Shell>, thread: String, post: String) -> Result<(), Error> {
    shell
        .node()
        .await?
        .accept(thread, post)
        .await
        .map_err(error)
}

#[tauri::command]
async fn suggestions(shell: State<'_, Shell>) -> Result<Vec<SuggestionView>, Error> {
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

/// Every member's profile (the directory and the skills map).
#[tauri::command]
async fn profiles(shell: State<'_, Shell>) -> Result<Vec<ProfileView>, Error> {
    shell.node().await?.profiles().await.map_err(error)
}

/// A Markdown draft rendered as the note view will show it (the editor's preview).
#[tauri::command]
fn preview(markdown: String) -> String {
    node::markdown::to_safe_html(&markdown)
}

/// Where exports and reports go unless the user gives another folder: `Entrepairs` in the
/// OS's documents folder.
#[tauri::command]
fn default_export_dir() -> String {
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
        return Err(Error::new("invalid", "give a folder"));
    }
    Ok(PathBuf::from(dir))
}

#[tauri::command]
async fn export_workspace(shell: State<'_, Shell>, dir: String) -> Result<ExportSummary, Error> {
    let dir = folder(&dir)?;
    shell.node().await?.export(dir).await.map_err(error)
}

#[tauri::command]
async fn import_workspace(shell: State<'_, Shell>, dir: String) -> Result<ImportSummary, Error> {
    let dir = folder(&dir)?;
    shell.node().await?.import(dir).await.map_err(error)
}

/// Writes this member's contribution report (Markdown) into `dir`; returns the file's path.
#[tauri::command]
async fn save_report(shell: State<'_, Shell>, dir: String) -> Result<String, Error> {
    let dir = folder(&dir)?;
    let report = shell
        .node()
        .await?
        .report(None, None)
        .await
        .map_err(error)?;
    let io = |what: &str, e: std::io::Error| Error::new("io", format!("{what}: {e}"));
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

#[tauri::command]
async fn my_profile(shell: State<'_, Shell>) -> Result<ProfileView, Error> {
    shell.node().await?.profile(None).await.map_err(error)
}

#[tauri::command]
async fn set_profile(shell: State<'_, Shell>, profile: ProfileDraft) -> Result<(), Error> {
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

#[tauri::command]
async fn sync_progress(shell: State<'_, Shell>) -> Result<Vec<SyncProgressView>, Error> {
    shell.node().await?.sync_progress().await.map_err(error)
}

/// Contributions this member gave or received (time credited once a receiver confirms it).
#[tauri::command]
async fn credits(shell: State<'_, Shell>) -> Result<Vec<CreditView>, Error> {
    let node = shell.node().await?;
    let me = node.whoami().await.map_err(error)?.member_id;
    node.credits(Some(me)).await.map_err(error)
}

#[tauri::command]
async fn confirm_credit(shell: State<'_, Shell>, id: String) -> Result<(), Error> {
    shell.node().await?.credit_confirm(id).await.map_err(error)
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
            promote_member,
            demote_member,
            invites,
            revoke_invite,
            open_link,
            skills,
            claim_skill,
            who_can_help,
            endorse,
            kudos,
            give_kudos,
            balance,
            open_demo,
            leave_demo,
            reminders,
            skills_at_risk,
            mentorings,
            mentoring_start,
            mentoring_log,
            goal_done,
            action_done,
            reviews,
            review_request,
            review_write,
            review_submit,
            review_ack,
            formats,
            sessions,
            session,
            session_plan,
            session_start,
            session_step,
            session_close,
            communities,
            create_community,
            join_community,
            threads,
            thread_page,
            post_thread,
            reply,
            accept,
            suggestions,
            profiles,
            preview,
            default_export_dir,
            export_workspace,
            import_workspace,
            save_report,
            my_profile,
            set_profile,
            sync_progress,
            credits,
            confirm_credit
        ])
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
