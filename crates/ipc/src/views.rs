//! View models: what the node returns to its shells. They serialise to the CLI's stable
//! `--json` shapes (string ids, RFC 3339 times) and will be the desktop's IPC payloads.

use serde::{Deserialize, Serialize};

pub use crate::sets::*;

/// `whoami`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhoAmI {
    /// This member's id (the device's `PeerId`).
    pub member_id: String,
    /// Display name.
    pub name: String,
    /// Workspace id.
    pub workspace_id: String,
    /// Workspace name.
    pub workspace_name: String,
    /// "admin" or "member".
    pub role: MemberRole,
}

/// One skill claim on a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimView {
    /// Skill id.
    pub skill: String,
    /// French label.
    pub label_fr: String,
    /// English label.
    pub label_en: String,
    /// 1..=4.
    pub level: u8,
    /// "notions", "practitioner", "expert" or "referent".
    pub level_name: Level,
    /// Wants to learn it.
    pub wants_to_learn: bool,
    /// Can teach it.
    pub can_teach: bool,
    /// Endorsements received for it.
    pub endorsements: usize,
}

/// An endorsement, with names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndorsementView {
    /// Endorsement id.
    pub id: String,
    /// Endorser's member id.
    pub from: String,
    /// Endorser's name.
    pub from_name: String,
    /// Skill id.
    pub skill: String,
    /// Comment, possibly empty.
    pub comment: String,
    /// RFC 3339.
    pub created_at: String,
}

/// `profile show`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileView {
    /// Member id.
    pub member_id: String,
    /// Display name.
    pub name: String,
    /// "admin" or "member".
    pub role: MemberRole,
    /// Job title.
    pub title: String,
    /// Team.
    pub team: String,
    /// Location.
    pub location: String,
    /// Language codes.
    pub languages: Vec<String>,
    /// Hours per month offered.
    pub hours_per_month: u32,
    /// Open to mentoring.
    pub open_to_mentoring: bool,
    /// Device ids.
    pub devices: Vec<String>,
    /// RFC 3339.
    pub joined_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Skill claims, by skill id.
    pub skills: Vec<ClaimView>,
    /// Endorsements received.
    pub endorsements: Vec<EndorsementView>,
}

/// Someone holding a skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HolderView {
    /// Member id.
    pub member_id: String,
    /// Name.
    pub name: String,
    /// 1..=4.
    pub level: u8,
    /// Level name.
    pub level_name: Level,
    /// Wants to learn it.
    pub wants_to_learn: bool,
    /// Can teach it.
    pub can_teach: bool,
    /// Endorsements received for it.
    pub endorsements: usize,
}

/// `skill list`: a catalogue entry and who holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillView {
    /// Skill id.
    pub id: String,
    /// French label.
    pub label_fr: String,
    /// English label.
    pub label_en: String,
    /// Synonyms.
    pub synonyms: Vec<String>,
    /// Holders, highest level first.
    pub holders: Vec<HolderView>,
}

/// A page of the notes, as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteListView {
    /// The first notes the filters keep, newest first.
    pub notes: Vec<NoteSummary>,
    /// How many notes the filters keep in all.
    pub total: u64,
}

/// What the notes can be filtered by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteFacetsView {
    /// Every tag the notes carry, as stored, sorted.
    pub tags: Vec<String>,
    /// Every skill id the notes are linked to (a merged skill as the one kept), sorted.
    pub skills: Vec<String>,
}

/// `note list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteSummary {
    /// Note id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Scope.
    pub scope: Scope,
    /// Author's member id.
    pub author: String,
    /// Author's name.
    pub author_name: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Linked skill ids.
    pub skills: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// A link to a note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteRef {
    /// Note id.
    pub id: String,
    /// Title.
    pub title: String,
}

/// `note show`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteView {
    /// Note id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Scope.
    pub scope: Scope,
    /// Author's member id.
    pub author: String,
    /// Author's name.
    pub author_name: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Linked skill ids.
    pub skills: Vec<String>,
    /// `[[Title]]` links in the body, with the note each resolves to if any.
    pub links: Vec<LinkView>,
    /// Notes linking to this one.
    pub backlinks: Vec<NoteRef>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// A `[[Title]]` link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkView {
    /// The title as written.
    pub title: String,
    /// The note it resolves to, if one has that title.
    pub id: Option<String>,
}

/// `community list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommunityView {
    /// Community id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Creator's member id.
    pub created_by: String,
    /// RFC 3339.
    pub created_at: String,
    /// Member ids (from the signed membership log).
    pub members: Vec<String>,
    /// Whether this member is in it.
    pub joined: bool,
    /// Number of threads held here.
    pub threads: usize,
}

/// `thread list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    /// Thread id.
    pub id: String,
    /// Community id.
    pub community: String,
    /// Title.
    pub title: String,
    /// Author's member id.
    pub author: String,
    /// Author's name.
    pub author_name: String,
    /// Replies.
    pub replies: i64,
    /// Accepted reply id.
    pub accepted: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// A reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    /// Post id.
    pub id: String,
    /// Author's member id.
    pub author: String,
    /// Author's name.
    pub author_name: String,
    /// Markdown body.
    pub body: String,
    /// RFC 3339.
    pub created_at: String,
    /// Whether it is the accepted answer.
    pub accepted: bool,
}

/// `thread show`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadView {
    /// Thread id.
    pub id: String,
    /// Community id.
    pub community: String,
    /// Community name.
    pub community_name: String,
    /// Title.
    pub title: String,
    /// Opening post.
    pub body: String,
    /// Author's member id.
    pub author: String,
    /// Author's name.
    pub author_name: String,
    /// Accepted reply id.
    pub accepted: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Replies in order.
    pub posts: Vec<PostView>,
}

/// One `search` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHitView {
    /// "note", "thread", "profile" or "session".
    pub kind: HitKind,
    /// Note id, thread id or member id.
    pub id: String,
    /// Title or name.
    pub title: String,
    /// Excerpt with matches between `[` and `]`.
    pub snippet: String,
}

/// A document `doctor` could not load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BadDocument {
    /// Document id.
    pub id: String,
    /// Why.
    pub error: String,
}

/// `doctor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoctorReport {
    /// True when nothing is wrong.
    pub ok: bool,
    /// `PRAGMA integrity_check` problems.
    pub integrity: Vec<String>,
    /// Documents loaded strictly.
    pub documents: usize,
    /// Documents that failed.
    pub bad_documents: Vec<BadDocument>,
    /// Documents whose index rows were stale (before any rebuild).
    pub stale_index: Vec<String>,
    /// Documents re-indexed, when `--rebuild-index` was given.
    pub rebuilt: Option<usize>,
}

/// Counts of records by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Member profiles.
    pub members: usize,
    /// Catalogue skills.
    pub skills: usize,
    /// Skill claims.
    pub claims: usize,
    /// Endorsements.
    pub endorsements: usize,
    /// Communities.
    pub communities: usize,
    /// Notes.
    pub notes: usize,
    /// Threads.
    pub threads: usize,
    /// Mentoring relationships.
    pub mentoring: usize,
    /// Peer reviews.
    pub reviews: usize,
    /// Sessions.
    pub sessions: usize,
}

/// `export`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// The export directory.
    pub dir: String,
    /// The JSON file written.
    pub file: String,
    /// What it holds.
    pub exported: Counts,
}

/// A code read aloud to a newcomer in the room (`invite code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeInvite {
    /// The code, like `7-orange-lantern-harbor`.
    pub code: String,
    /// RFC 3339.
    pub expires_at: String,
    /// Exchanges (guesses) it still allows: none left, it admits nobody.
    pub tries_left: u32,
    /// The single-use invite it gives away.
    pub invite: String,
}

/// A bundle of changes saved for a colleague.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleSaved {
    /// The file written.
    pub file: String,
    /// The colleague's member id.
    pub member: String,
    /// Their name.
    pub name: String,
    /// Documents it carries.
    pub documents: usize,
    /// Its size.
    pub bytes: u64,
}

/// A bundle of changes from a colleague, applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleApplied {
    /// The sender's member id.
    pub from: String,
    /// Their name.
    pub name: String,
    /// Documents that arrived or gained changes.
    pub documents: usize,
    /// Membership entries added.
    pub entries: usize,
    /// Why the rest was left out, when some of it was refused (as a network sync refuses it).
    pub refused: Option<String>,
}

/// `import`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Records added.
    pub added: Counts,
    /// Records already present, left as they were.
    pub skipped: Counts,
    /// Mentoring relationships, reviews and sessions in the export, which import does not
    /// re-create (they stay readable in the export file).
    pub not_imported: usize,
    /// Records the export attributes to another member: profiles, claims and endorsements
    /// are not imported; notes and threads are imported as written by the importer, the
    /// original author named at the top of the text.
    pub not_theirs: Counts,
}

/// One row of `member list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    /// Member id.
    pub member_id: String,
    /// Name.
    pub name: String,
    /// admin or member.
    pub role: MemberRole,
    /// Whether it is this device's member.
    pub me: bool,
}

/// A member device as `peers` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerView {
    /// Device id.
    pub peer: String,
    /// Member name, if known.
    pub name: Option<String>,
    /// Known addresses.
    pub addrs: Vec<String>,
    /// Currently a member.
    pub member: bool,
    /// RFC 3339.
    pub last_connected: Option<String>,
    /// RFC 3339.
    pub last_synced: Option<String>,
    /// How many changes this device sent that were refused (forged author, a move its author
    /// may not make, a bad signature): a device running a modified build.
    pub refused_changes: usize,
    /// Why the newest refused change was refused.
    pub last_refusal: Option<String>,
    /// How it was last reached: `direct` (on the LAN or at a reachable address),
    /// `hole-punched` (direct across NAT) or `relayed`.
    #[serde(default)]
    pub path: Option<String>,
}

/// One row of `invite list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteView {
    /// Invite id.
    pub id: String,
    /// Role the newcomer gets: admin or member.
    pub role: MemberRole,
    /// RFC 3339.
    pub expires_at: String,
    /// open, redeemed, revoked or expired.
    pub status: InviteStatus,
    /// Member id of the admin who issued it.
    pub by: String,
    /// Member id of the device it admitted, if any.
    pub redeemed_by: Option<String>,
}

/// A member named in a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Who {
    /// Member id.
    pub member_id: String,
    /// Name.
    pub name: String,
}

/// `kudos list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KudosView {
    /// Kudos id.
    pub id: String,
    /// From.
    pub from: Who,
    /// To.
    pub to: Who,
    /// Message.
    pub message: String,
    /// Skill id.
    pub skill: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// `balance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceView {
    /// Member.
    pub member: Who,
    /// Confirmed minutes given.
    pub given_minutes: u32,
    /// Confirmed minutes received.
    pub received_minutes: u32,
    /// Minutes given awaiting confirmation.
    pub pending_minutes: u32,
}

/// `who-can-help`: someone who can help with a skill, with what makes them a good match (the
/// screen says why in the reader's language from these fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelperView {
    /// Member id.
    pub member_id: String,
    /// Name.
    pub name: String,
    /// Skill id.
    pub skill: String,
    /// Claimed level, 1..=4.
    pub level: u8,
    /// Willing to teach it.
    pub can_teach: bool,
    /// Endorsements received for it.
    pub endorsements: usize,
    /// Hours per month they offer.
    pub hours_per_month: u32,
    /// The ranking's score (higher first).
    pub score: u32,
    /// Why, in English (the app composes its own from the fields above, in the reader's
    /// language).
    pub why: String,
}

/// An action item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionView {
    /// Action id.
    pub id: String,
    /// The document holding it (mentoring relationship or session).
    pub doc: String,
    /// That document's kind.
    pub doc_kind: ActionHome,
    /// What to do.
    pub text: String,
    /// Who does it.
    pub owner: Who,
    /// Due day (YYYY-MM-DD), if any.
    pub due: Option<String>,
    /// Done.
    pub done: bool,
    /// Open and past its due day.
    pub overdue: bool,
}

/// A mentoring goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalView {
    /// Goal number, from 1.
    pub number: usize,
    /// Goal id.
    pub id: String,
    /// The goal.
    pub text: String,
    /// Progress %.
    pub progress: u8,
    /// Reached.
    pub done: bool,
}

/// A logged mentoring session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogView {
    /// Log id.
    pub id: String,
    /// Day (YYYY-MM-DD).
    pub date: String,
    /// Minutes.
    pub minutes: u32,
    /// Notes.
    pub notes: String,
    /// Topics.
    pub topics: Vec<String>,
    /// Who logged it.
    pub logged_by: Who,
}

/// `mentoring list` / `mentoring show`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentoringView {
    /// Relationship id.
    pub id: String,
    /// mentoring, reverse or cross.
    pub kind: MentoringKind,
    /// The mentor.
    pub mentor: Who,
    /// The mentee.
    pub mentee: Who,
    /// Expected days between sessions.
    pub cadence_days: u32,
    /// The confidentiality line both agreed to.
    pub confidentiality: String,
    /// Day of the last session.
    pub last_session: Option<String>,
    /// A session is due.
    pub due: bool,
    /// Goals.
    pub goals: Vec<GoalView>,
    /// Logged sessions.
    pub sessions: Vec<LogView>,
    /// Action items.
    pub actions: Vec<ActionView>,
    /// RFC 3339.
    pub created_at: String,
}

/// A credited (or pending) contribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditView {
    /// Contribution id.
    pub id: String,
    /// Where it comes from.
    pub doc: String,
    /// What the time was given for.
    pub kind: CreditKind,
    /// Who gave the time.
    pub giver: Who,
    /// Who received it.
    pub receivers: Vec<Who>,
    /// Minutes.
    pub minutes: u32,
    /// Confirmed by a receiver.
    pub confirmed: bool,
    /// Who confirmed.
    pub confirmed_by: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// `review list` / `review show`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    /// Review id.
    pub id: String,
    /// Who asked.
    pub requester: Who,
    /// Who reviews.
    pub reviewer: Who,
    /// What it is about.
    pub about: String,
    /// Template.
    pub template: Template,
    /// Rubric criteria.
    pub criteria: Vec<String>,
    /// requested, submitted or acknowledged.
    pub status: ReviewStatus,
    /// Answers by key, in the template's order.
    pub answers: Vec<AnswerView>,
    /// The requester's reply.
    pub reply: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub submitted_at: Option<String>,
    /// RFC 3339.
    pub acknowledged_at: Option<String>,
}

/// One answer of a review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerView {
    /// Template key or criterion.
    pub key: String,
    /// The text (empty if not written).
    pub text: String,
    /// Rubric rating 1–5.
    pub rating: Option<u8>,
}

/// A step of a session, template and record together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    /// Step number, from 1.
    pub number: usize,
    /// Name.
    pub name: String,
    /// What it is for.
    pub prompt: String,
    /// Who speaks.
    pub speaker: String,
    /// Time box, e.g. "5–10 min".
    pub time_box: String,
    /// RFC 3339, once started.
    pub started_at: Option<String>,
    /// RFC 3339, once ended.
    pub ended_at: Option<String>,
    /// Notes recorded.
    pub notes: String,
}

/// A participant with a role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantView {
    /// Member id.
    pub member_id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
}

/// `session show` (and `session list` without steps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// Session id.
    pub id: String,
    /// Format id.
    pub format: FormatId,
    /// Format name.
    pub format_name: String,
    /// Title.
    pub title: String,
    /// Planned start, RFC 3339.
    pub at: String,
    /// Planned minutes.
    pub minutes: u32,
    /// Scope.
    pub scope: Scope,
    /// planned, running or closed.
    pub status: SessionStatus,
    /// Hosts.
    pub hosts: Vec<Who>,
    /// Participants.
    pub participants: Vec<ParticipantView>,
    /// Skill ids.
    pub skills: Vec<String>,
    /// Every step of the format, with what was recorded.
    pub steps: Vec<StepView>,
    /// Number of the running step, if any.
    pub current_step: Option<usize>,
    /// Takeaways.
    pub takeaways: Vec<String>,
    /// Rating 1–5.
    pub rating: Option<u8>,
    /// Action items.
    pub actions: Vec<ActionView>,
    /// RFC 3339.
    pub started_at: Option<String>,
    /// RFC 3339.
    pub closed_at: Option<String>,
    /// Who came, as recorded at close (empty: everyone planned).
    pub attended: Vec<Who>,
    /// The takeaway note written at close (a flash session's one page).
    pub takeaway_note: Option<String>,
}

/// `session step`: what was recorded and what comes next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepProgress {
    /// The step just recorded, if any.
    pub recorded: Option<String>,
    /// The step now running, if any.
    pub next: Option<StepView>,
}

/// Something for me to do now (Home's reminders).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReminderView {
    /// "mentoring-due", "action-overdue" or "session-today".
    pub kind: ReminderKind,
    /// The document it is about.
    pub doc: String,
    /// The action, if it is about one.
    pub action: Option<String>,
    /// The colleague (mentoring), the action's text, or the session's title.
    pub subject: String,
    /// The last session's day, the action's due day, or the session's time (HH:MM UTC).
    pub when: Option<String>,
    /// The reminder in English (the app composes its own from the fields above, in the
    /// reader's language).
    pub text: String,
}

/// A session format, for planning one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormatView {
    /// Stable id (`codev`, `aar`, ...).
    pub id: FormatId,
    /// Display name.
    pub name: String,
    /// Roles a participant may have; the first is the default.
    pub roles: Vec<String>,
    /// Number of steps.
    pub steps: usize,
    /// Planned minutes when none are given (the steps' time boxes summed).
    pub minutes: u32,
}

/// A skill that at most one member holds at expert level or above.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillAtRiskView {
    /// Skill id.
    pub skill: String,
    /// English label.
    pub label_en: String,
    /// French label.
    pub label_fr: String,
    /// The one expert or referent, if any.
    pub holders: Vec<Who>,
    /// Who wants to learn it.
    pub learners: Vec<Who>,
}

/// A suggested mentoring pair, with what the ranking weighed (the UI says why in the reader's
/// language).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionView {
    /// Who could teach.
    pub mentor: Who,
    /// Who wants to learn.
    pub mentee: Who,
    /// Skill id.
    pub skill: String,
    /// The mentor's level, 1..=4.
    pub mentor_level: u8,
    /// Hours a month the mentor offers.
    pub mentor_hours: u32,
    /// The mentor is open to mentoring.
    pub mentor_open: bool,
    /// A skill the mentee can teach the mentor in return (a reciprocal pair).
    pub reciprocal: Option<String>,
    /// Ranking score, higher first.
    pub score: u32,
    /// Why, in a few English words.
    pub why: String,
}

/// A sync in progress with one peer: of the documents it announced that this device lacked,
/// how many have arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProgressView {
    /// Device id.
    pub peer: String,
    /// Member name, if known.
    pub name: Option<String>,
    /// Documents it announced that this device lacked.
    pub expected: usize,
    /// How many of them have arrived.
    pub arrived: usize,
}

/// A document's state with one peer, as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocStatus {
    /// Device id of the peer.
    pub peer: String,
    /// Document id.
    pub doc: String,
    /// `in-sync`, `differs`, or `unknown` (the peer never announced it).
    pub state: SyncState,
    /// How many changes of this document the peer sent that were refused.
    pub refused: usize,
    /// How the peer was last reached: `direct`, `hole-punched` or `relayed`.
    #[serde(default)]
    pub path: Option<String>,
}

/// A member's contributions over a period (`report contributions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionReport {
    /// Member id.
    pub member: String,
    /// Name.
    pub name: String,
    /// Start of the period (ms since the epoch), if bounded.
    pub since: Option<i64>,
    /// Sessions hosted or facilitated: (title, format, closed at in ms, minutes).
    pub sessions_hosted: Vec<(String, String, i64, u32)>,
    /// People mentored: (name, sessions logged, minutes).
    pub people_mentored: Vec<(String, usize, u32)>,
    /// Reviews given: (for whom, about, submitted at in ms).
    pub reviews_given: Vec<(String, String, i64)>,
    /// Kudos received: (from, message, at in ms).
    pub kudos_received: Vec<(String, String, i64)>,
    /// Endorsements received by skill: (skill, count).
    pub skills_endorsed: Vec<(String, usize)>,
    /// Confirmed minutes given.
    pub credited_minutes: u32,
    /// Minutes given still awaiting confirmation.
    pub pending_minutes: u32,
}

/// The contribution report, as data and as Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    /// The report's data.
    pub report: ContributionReport,
    /// What the member shared over the same period.
    pub sharing: SharingRecord,
    /// The report as Markdown, sharing record included.
    pub markdown: String,
}

/// The learning programme's figures over a period, computed on this device from what its
/// member may read. Figures about private documents (mentoring relationships, reviews) are
/// counts over at least [`ProgrammeView::PRIVATE_MIN`] of them, never who with whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeView {
    /// First day counted, `YYYY-MM-DD`.
    pub since: String,
    /// Last day counted (today), `YYYY-MM-DD`.
    pub until: String,
    /// Sessions held (closed) per month of the period, oldest first; a session counts on its
    /// planned day, or when it started if that was earlier.
    pub months: Vec<MonthFigures>,
    /// Sessions held per format over the period, every format listed.
    pub formats: Vec<FormatFigures>,
    /// Distinct members who took part in a session held in the period.
    pub participants: u32,
    /// Mentoring relationships, when at least 3 are visible.
    pub mentoring: Option<MentoringFigures>,
    /// Reviews submitted in the period, when at least 3 are visible.
    pub reviews_submitted: Option<u32>,
    /// Confirmed session time given and received per member, most given first.
    pub reciprocity: Vec<ReciprocityRow>,
    /// Members who both gave and received confirmed session time.
    pub give_and_receive: u32,
    /// Skills at risk at the end of each month of the period (a claim counts from its last
    /// change), oldest first; the last is now.
    pub at_risk: Vec<RiskPoint>,
    /// Who shares, most first.
    pub sharing: Vec<SharingRecord>,
}

impl ProgrammeView {
    /// The fewest private documents a figure is given over.
    pub const PRIVATE_MIN: u32 = 3;
}

/// One month of the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    /// Sessions held, per format (formats with none left out).
    pub held: Vec<FormatCount>,
    /// Participants over those sessions (a person counts once per session).
    pub participants: u32,
}

/// How many sessions of one format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormatCount {
    /// The format.
    pub format: FormatId,
    /// Sessions.
    pub sessions: u32,
}

/// One format over the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormatFigures {
    /// The format.
    pub format: FormatId,
    /// Sessions held.
    pub held: u32,
    /// Participants over those sessions.
    pub participants: u32,
    /// Average rating 1–5 of the rated ones, one decimal.
    pub rating: Option<f64>,
}

/// Mentoring relationships, as counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentoringFigures {
    /// Relationships not ended.
    pub active: u32,
    /// Of those, met within their cadence (a week's grace).
    pub on_cadence: u32,
    /// Sessions logged in the period.
    pub sessions: u32,
}

/// One member's confirmed session time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReciprocityRow {
    /// The member.
    pub who: Who,
    /// Minutes given, confirmed.
    pub given: u32,
    /// Minutes received, confirmed.
    pub received: u32,
}

/// Skills at risk at one month's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskPoint {
    /// `YYYY-MM`.
    pub month: String,
    /// How many.
    pub skills: u32,
}

/// What a member shared in a period: the sharing record of a profile and a row of the
/// programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingRecord {
    /// The member.
    pub who: Who,
    /// Notes written (shared, not personal).
    pub notes: u32,
    /// Answers accepted in community threads.
    pub answers: u32,
    /// Sessions hosted, facilitated or spoken at, held.
    pub sessions: u32,
    /// Session minutes given, confirmed.
    pub minutes_given: u32,
    /// Endorsements received.
    pub endorsements: u32,
}

impl SharingRecord {
    /// Notes, answers, sessions, minutes given and endorsements, in that order.
    pub fn counts(&self) -> [u32; 5] {
        [
            self.notes,
            self.answers,
            self.sessions,
            self.minutes_given,
            self.endorsements,
        ]
    }
}

/// A text file to save: CSV or Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextFile {
    /// A file name for it.
    pub name: String,
    /// The text.
    pub text: String,
}

/// A desktop notification due now, in the reader's language and time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    /// What makes it once only (the document, the occasion, its time).
    pub key: String,
    /// What it is about.
    pub kind: NoticeKind,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// The document it is about.
    pub doc: String,
}

/// A calendar file (RFC 5545) to save and open in a calendar app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcsFile {
    /// A file name for it (`session-….ics`, `mentoring-….ics`).
    pub name: String,
    /// The iCalendar text.
    pub text: String,
}
