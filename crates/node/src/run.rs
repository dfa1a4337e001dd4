//! The node's one entry point for the operations of `ipc::ops`: [`Node::run`] sends any
//! operation to the store thread, where its [`Run`] implementation answers it from [`Core`].
//! The desktop shell and the CLI both go through it, so they get the same replies.

use std::path::PathBuf;
use std::time::Duration;

use ipc::ops::{self, Op};
use sync::membership::Role;

use crate::core::Core;
use crate::{Node, NodeError};

/// An operation the node answers on its store thread.
pub trait Run: Op {
    /// Answers the operation.
    fn run(self, core: &mut Core) -> Result<Self::Reply, NodeError>;
}

impl Node {
    /// Runs `op` on the store thread and returns its reply.
    pub async fn run<O: Run>(&self, op: O) -> Result<O::Reply, NodeError> {
        self.call(move |core| op.run(core)).await
    }
}

/// The entries of a list typed one per line or comma: trimmed, empty ones dropped.
fn non_empty(list: Vec<String>) -> Vec<String> {
    list.into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

/// A folder named by the user.
fn folder(dir: &str) -> Result<PathBuf, NodeError> {
    let dir = dir.trim();
    if dir.is_empty() {
        return Err(NodeError::Invalid("give a folder".into()));
    }
    Ok(PathBuf::from(dir))
}

/// How long an invite stays valid when the operation does not say.
const INVITE_DEFAULT: Duration = Duration::from_secs(7 * 86_400);

/// `impl Run for ops::X { fn run(self, c) { body } }` for each `X { fields } => body`, the
/// fields bound by name.
macro_rules! runs {
    ($( $ty:ident { $($field:ident),* } => |$c:ident| $body:expr; )*) => {
        $(
            impl Run for ops::$ty {
                #[allow(unused_variables)]
                fn run(self, $c: &mut Core) -> Result<Self::Reply, NodeError> {
                    let ops::$ty { $($field),* } = self;
                    $body
                }
            }
        )*
    };
}

runs! {
    Whoami {} => |c| c.whoami();
    Notes { tag, skill } => |c| c.notes(tag.as_deref(), skill.as_deref());
    NoteList { tag, skill, community, title, limit } => |c| c.note_list(tag.as_deref(), skill.as_deref(), community, title.as_deref(), limit);
    NoteFacets {} => |c| c.note_facets();
    Note { id } => |c| c.note(&id);
    GetNotePage { id } => |c| {
        let note = c.note(&id)?;
        let html = crate::markdown::to_safe_html(&note.body);
        Ok(ipc::NotePage { note, html })
    };
    AddNote { draft } => |c| c.add_note(draft);
    EditNote { id, title, body, add_tags, remove_tags, add_skills, remove_skills } => |c| {
        let edit = crate::NoteEdit { title, body, add_tags, remove_tags, add_skills, remove_skills };
        c.edit_note(&id, edit)
    };
    DeleteNote { id } => |c| c.delete_note(&id);
    Search { query } => |c| {
        if query.trim().is_empty() {
            return Ok(Vec::new());
        }
        c.search(&query)
    };
    Members {} => |c| c.member_list();
    Peers {} => |c| c.peer_list();
    Status {} => |c| c.status();
    CreateInvite { admin, seconds, addrs } => |c| {
        let addrs = if addrs.is_empty() {
            c.listen_addrs()?
        } else {
            addrs
                .iter()
                .map(|a| {
                    a.trim()
                        .parse()
                        .map_err(|e| NodeError::Invalid(format!("invalid address '{a}': {e}")))
                })
                .collect::<Result<_, _>>()?
        };
        let expires_in = seconds.map_or(INVITE_DEFAULT, Duration::from_secs);
        let role = if admin { Role::Admin } else { Role::Member };
        let ticket = c.create_invite(expires_in, role, &addrs)?;
        crate::members::invite(ticket, expires_in)
    };
    RemoveMember { member } => |c| c.remove_member(&member);
    PromoteMember { member } => |c| c.promote_member(&member);
    DemoteMember { member } => |c| c.demote_member(&member);
    Invites {} => |c| c.invite_list();
    RevokeInvite { id } => |c| c.revoke_invite(&id);
    Skills {} => |c| c.skills();
    ClaimSkill { name, level, wants, teach } => |c| {
        let level = domain::Level::from_number(u64::from(level))?;
        c.claim_skill(&name, level, wants, teach)
    };
    WhoCanHelp { skill } => |c| c.who_can_help(&skill);
    Endorse { member, skill, comment } => |c| c.endorse(&member, &skill, &comment);
    Kudos {} => |c| c.kudos();
    GiveKudos { member, message, skill } => |c| c.kudos_give(&member, &message, skill.as_deref());
    Balance { member } => |c| c.balance(member.as_deref());
    Reminders {} => |c| c.remind();
    SkillsAtRisk {} => |c| c.skills_at_risk();
    Mentorings {} => |c| c.mentorings();
    Mentoring { id } => |c| c.mentoring(&id);
    MentoringIcs { id } => |c| c.mentoring_ics(&id);
    MentoringStart { draft } => |c| {
        let goals = non_empty(draft.goals);
        c.mentoring_start(&draft.with, draft.role, draft.reverse, &goals, draft.cadence_days)
    };
    MentoringLog { log } => |c| {
        c.mentoring_log(
            &log.id,
            log.minutes,
            log.date.as_deref(),
            &log.notes,
            non_empty(log.topics),
            &non_empty(log.actions),
        )
    };
    MentoringGoal { id, change } => |c| c.mentoring_goal(&id, change);
    Actions { mine, overdue } => |c| c.actions(mine, overdue);
    ActionDone { id } => |c| c.action_done(&id);
    Reviews {} => |c| c.reviews();
    Review { id } => |c| c.review(&id);
    ReviewRequest { reviewer, about, template, criteria } => |c| {
        c.review_request(&reviewer, &about, template.as_str(), &non_empty(criteria))
    };
    ReviewWrite { draft } => |c| c.review_write(&draft.id, &draft.answers, &draft.ratings);
    ReviewSubmit { id, minutes } => |c| c.review_submit(&id, minutes);
    ReviewAck { id, reply } => |c| c.review_ack(&id, &reply);
    Sessions { upcoming } => |c| c.sessions(upcoming);
    Session { id } => |c| c.session(&id);
    SessionPlan { draft } => |c| {
        c.session_plan(
            draft.format.as_str(),
            &draft.title,
            &draft.at,
            draft.minutes,
            &draft.hosts,
            &draft.participants,
            &draft.skills,
            draft.scope.as_deref().unwrap_or("workspace"),
        )
    };
    SessionIcs { id } => |c| c.session_ics(&id);
    SessionStart { id } => |c| c.session_start(&id);
    SessionStep { id, notes } => |c| c.session_step(&id, &notes);
    SessionClose { id, takeaways, rating, actions, attended } => |c| {
        let closing = domain::Closing {
            takeaways: non_empty(takeaways),
            rating,
            actions: non_empty(actions),
            attended: non_empty(attended),
            takeaway_note: None,
        };
        c.session_close(&id, closing)
    };
    Programme { since } => |c| c.programme(since.as_deref());
    ProgrammeFile { since, format } => |c| c.programme_file(since.as_deref(), format);
    Sharing { member, since } => |c| c.sharing(member.as_deref(), since.as_deref());
    Notices {} => |c| c.notices();
    NoticesRaised { keys } => |c| c.notices_raised(&keys);
    Notifications {} => |c| c.notifications();
    SetNotifications { on } => |c| c.set_notifications(on);
    SetLanguage { language } => |c| c.set_language(&language);
    LabelSkill { skill, en, fr } => |c| c.label_skill(&skill, en.as_deref(), fr.as_deref());
    AliasSkill { skill, alias } => |c| c.alias_skill(&skill, &alias);
    MergeSkill { from, into } => |c| c.merge_skill(&from, &into);
    Communities {} => |c| c.communities();
    CreateCommunity { name } => |c| c.create_community(&name);
    JoinCommunity { community } => |c| c.join_community(&community);
    LeaveCommunity { community, member } => |c| c.leave_community(&community, member.as_deref());
    Threads { community } => |c| c.threads(&community);
    Thread { id } => |c| c.thread(&id);
    GetThreadPage { id } => |c| {
        let thread = c.thread(&id)?;
        let html = crate::markdown::to_safe_html(&thread.body);
        let posts_html = thread
            .posts
            .iter()
            .map(|p| crate::markdown::to_safe_html(&p.body))
            .collect();
        Ok(ipc::ThreadPage { thread, html, posts_html })
    };
    PostThread { community, title, body } => |c| c.post_thread(&community, &title, &body);
    Reply { thread, body } => |c| c.reply(&thread, &body);
    Accept { thread, post } => |c| c.accept(&thread, &post);
    Suggestions { member } => |c| c.match_suggest(member.as_deref());
    Profile { member } => |c| c.profile(member.as_deref());
    Profiles {} => |c| c.profiles();
    SetProfile { profile } => |c| c.set_profile(profile);
    Formats {} => |c| crate::formats::format_views();
    Preview { markdown } => |c| Ok(crate::markdown::to_safe_html(&markdown));
    ExportWorkspace { dir } => |c| c.export(&folder(&dir)?);
    ImportWorkspace { dir } => |c| c.import(&folder(&dir)?);
    InviteCode {} => |c| c.invite_code();
    PendingCode {} => |c| c.pending_code();
    Relays {} => |c| c.relays();
    AddRelay { addr } => |c| c.add_relay(&addr);
    RemoveRelay { addr } => |c| c.remove_relay(&addr);
    CreateBundle { member, dir } => |c| c.bundle_create(&member, &folder(&dir)?);
    ApplyBundle { file } => |c| {
        if file.trim().is_empty() {
            return Err(NodeError::Invalid("give the bundle file".into()));
        }
        c.bundle_apply(std::path::Path::new(file.trim()))
    };
    Report { member, since, language } => |c| {
        c.report(member.as_deref(), since.as_deref(), language.as_deref())
    };
    SyncProgress {} => |c| c.sync_progress();
    Credits { member } => |c| c.credits(member.as_deref());
    ConfirmCredit { id } => |c| c.credit_confirm(&id);
    Doctor { rebuild_index } => |c| c.doctor(rebuild_index);
}
