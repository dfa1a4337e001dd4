//! View models: what the node returns to its shells. They serialise to the CLI's stable
//! `--json` shapes (string ids, RFC 3339 times) and will be the desktop's IPC payloads.

use serde::{Deserialize, Serialize};

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
    pub role: String,
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
    pub level_name: String,
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
    pub role: String,
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
    pub level_name: String,
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

/// `note list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteSummary {
    /// Note id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Scope.
    pub scope: String,
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
    pub scope: String,
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
    /// "note", "thread" or "profile".
    pub kind: String,
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
}

/// One row of `member list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    /// Member id.
    pub member_id: String,
    /// Name.
    pub name: String,
    /// admin or member.
    pub role: String,
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
}
