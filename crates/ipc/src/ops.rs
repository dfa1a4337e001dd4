//! Every operation of the desktop app and of the CLI, defined once: its name, its arguments (the
//! type itself), its reply and where it is answered. The node's entry point (`Node::run`), the
//! shell's command handlers, the command list its build script declares, the window's capability
//! and the UI's calls are all produced from the one list in [`with_ops!`](crate::with_ops), so
//! they cannot disagree.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// An operation: the arguments it is called with, its name on the wire and its reply.
pub trait Op: Serialize + DeserializeOwned + Send + 'static {
    /// The command's name (Tauri's command, and its `allow-` permission with `-` for `_`).
    const NAME: &'static str;
    /// What the operation answers.
    type Reply: Serialize + DeserializeOwned + Send + 'static;
    /// The document kinds ([`DOC_KINDS`]) whose changes can change the reply, or `any`: a
    /// screen showing the reply asks again only after such a change.
    const READS: &'static [&'static str];
}

/// Every document kind a change event can name (`Changed::kind`), beside `all`.
pub const DOC_KINDS: &[&str] = &[
    "workspace",
    "note",
    "thread",
    "mentoring",
    "review",
    "session",
];

/// Whether the change `changed` can change the reply of `O`: its kind is one `O` reads, or it
/// is `all` (membership changed, or too many changes to tell) or a kind this build does not know.
pub fn touches<O: Op>(changed: &crate::Changed) -> bool {
    let kind = changed.kind.as_str();
    kind == "all" || !DOC_KINDS.contains(&kind) || reads::<O>(kind)
}

/// Whether `O` reads documents of `kind` (one of [`DOC_KINDS`]).
pub fn reads<O: Op>(kind: &str) -> bool {
    O::READS.iter().any(|r| *r == "any" || *r == kind)
}

/// Calls `$callback!` with the list of every operation, each as
/// `/// doc` `name: Type { field: Type, .. } -> Reply [kinds] runs_in;`, `kinds` being the
/// document kinds whose changes can change its reply (`any`: every kind), and `runs_in` where it
/// is answered: `node` (the running peer, for the app and the CLI alike), `cli` (the running
/// peer, for the CLI only: the window is not allowed to call it) or `shell` (the desktop shell:
/// the window, the app's data folder). The one list the rest is produced from.
#[macro_export]
macro_rules! with_ops {
    ($callback:ident) => {
        $callback! {
            /// Whether a workspace is open, and who this device is in it.
            app_state: GetAppState {} -> $crate::AppState [workspace] shell;
            /// Opens the demo workspace (built on the first visit), its content written in
            /// `lang` ("en" or "fr").
            open_demo: OpenDemo { name: String, lang: String } -> $crate::AppState [] shell;
            /// Closes the demo workspace.
            leave_demo: LeaveDemo {} -> $crate::AppState [] shell;
            /// Creates a workspace on this device, `name` being its founder's name.
            create_workspace: CreateWorkspace { name: String, workspace: String } -> $crate::AppState [] shell;
            /// Joins a workspace with an invite ticket, or with the code an admin's device shows in
            /// the room.
            join_workspace: JoinWorkspace { ticket: String, name: String } -> $crate::AppState [] shell;
            /// Who this device is: member, workspace, role.
            whoami: Whoami {} -> $crate::views::WhoAmI [workspace] cli;
            /// The notes, or those with a tag or a skill.
            notes: Notes { tag: Option<String>, skill: Option<String> } -> Vec<$crate::views::NoteSummary> [note, workspace] cli;
            /// A page of the notes for a list: the first `limit`, newest first, of those that
            /// carry the tag `tag` (as `note_facets` lists it), are linked to the skill `skill`
            /// (an id as `note_facets` lists it, standing also for the skills merged into it),
            /// belong to the community `community`, and whose title contains `title` (case and
            /// accents aside; blank: any), each filter when given; with how many they are in all.
            note_list: NoteList { tag: Option<String>, skill: Option<String>, community: Option<String>, title: Option<String>, limit: u32 } -> $crate::views::NoteListView [note, workspace] node;
            /// Every tag the notes carry and every skill they are linked to: what the notes
            /// can be filtered by.
            note_facets: NoteFacets {} -> $crate::views::NoteFacetsView [note, workspace] node;
            /// One note.
            note: Note { id: String } -> $crate::views::NoteView [note, workspace] node;
            /// One note rendered, with its backlinks.
            note_page: GetNotePage { id: String } -> $crate::NotePage [note, workspace] node;
            /// Writes a new note; replies with its id.
            add_note: AddNote { draft: $crate::forms::NoteDraft } -> String [] node;
            /// Changes a note: title, body (applied as a diff), tags added and removed; `None`
            /// and empty lists leave things as they are.
            edit_note: EditNote { id: String, title: Option<String>, body: Option<String>, add_tags: Vec<String>, remove_tags: Vec<String>, add_skills: Vec<String>, remove_skills: Vec<String> } -> () [] node;
            /// Deletes a note (its author or an admin).
            delete_note: DeleteNote { id: String } -> () [] node;
            /// Searches notes, threads and people.
            search: Search { query: String } -> Vec<$crate::views::SearchHitView> [note, thread, workspace] node;
            /// The workspace's members.
            members: Members {} -> Vec<$crate::views::MemberView> [workspace] node;
            /// The devices this one synced with, and how it went.
            peers: Peers {} -> Vec<$crate::views::PeerView> [any] node;
            /// Each document's state with each peer.
            status: Status {} -> Vec<$crate::views::DocStatus> [any] cli;
            /// Issues a single-use invite ticket valid `seconds` (7 days when absent, at most
            /// 30), carrying `addrs` or else the addresses this device listens on.
            create_invite: CreateInvite { admin: bool, seconds: Option<u64>, addrs: Vec<String> } -> $crate::Invite [] node;
            /// Removes a member; replies with their id.
            remove_member: RemoveMember { member: String } -> String [] node;
            /// Makes a member an admin; replies with their id.
            promote_member: PromoteMember { member: String } -> String [] node;
            /// Makes an admin a plain member; replies with their id.
            demote_member: DemoteMember { member: String } -> String [] node;
            /// The invites issued, with where each stands.
            invites: Invites {} -> Vec<$crate::views::InviteView> [workspace] node;
            /// Revokes an invite.
            revoke_invite: RevokeInvite { id: String } -> () [] node;
            /// Opens a link of a note or a post in the system's browser.
            open_link: OpenLink { url: String } -> () [] shell;
            /// The skills catalogue, with who holds each.
            skills: Skills {} -> Vec<$crate::views::SkillView> [workspace] node;
            /// Claims a skill at a level (1..=4); replies with the skill's id.
            claim_skill: ClaimSkill { name: String, level: u8, wants: bool, teach: bool } -> String [] node;
            /// Gives a skill its English and French labels (those given); replies with its id.
            label_skill: LabelSkill { skill: String, en: Option<String>, fr: Option<String> } -> String [] node;
            /// Adds another name a skill is found by; replies with its id.
            alias_skill: AliasSkill { skill: String, alias: String } -> String [] node;
            /// Merges a duplicate into the skill it duplicates (admins); replies with the one kept.
            merge_skill: MergeSkill { from: String, into: String } -> String [] node;
            /// Who can help with a skill, ranked, each with why.
            who_can_help: WhoCanHelp { skill: String } -> Vec<$crate::views::HelperView> [workspace] node;
            /// Endorses a colleague's skill, with an optional comment; replies with the skill's id.
            endorse: Endorse { member: String, skill: String, comment: String } -> String [] node;
            /// The kudos given in the workspace.
            kudos: Kudos {} -> Vec<$crate::views::KudosView> [workspace] node;
            /// Thanks a colleague, for a skill if given; replies with the kudos' id.
            give_kudos: GiveKudos { member: String, message: String, skill: Option<String> } -> String [] node;
            /// The time a member (this one when absent) gave and received.
            balance: Balance { member: Option<String> } -> $crate::views::BalanceView [any] node;
            /// What is due: mentoring sessions, actions, today's sessions.
            reminders: Reminders {} -> Vec<$crate::views::ReminderView> [any] node;
            /// The skills held at expert level by one person or nobody.
            skills_at_risk: SkillsAtRisk {} -> Vec<$crate::views::SkillAtRiskView> [workspace] node;
            /// This member's mentoring relationships.
            mentorings: Mentorings {} -> Vec<$crate::views::MentoringView> [mentoring, workspace] node;
            /// One mentoring relationship.
            mentoring: Mentoring { id: String } -> $crate::views::MentoringView [mentoring, workspace] cli;
            /// A mentoring relationship's next meeting, repeating at its cadence, as a calendar
            /// file.
            mentoring_ics: MentoringIcs { id: String } -> $crate::views::IcsFile [mentoring, workspace] cli;
            /// Starts a mentoring relationship; replies with its id.
            mentoring_start: MentoringStart { draft: $crate::forms::MentoringDraft } -> String [] node;
            /// Logs a mentoring session.
            mentoring_log: MentoringLog { log: $crate::forms::LogDraft } -> () [] node;
            /// Adds a mentoring goal, sets its progress or marks it reached.
            mentoring_goal: MentoringGoal { id: String, change: $crate::forms::GoalChange } -> () [] node;
            /// The action items: this member's only, or overdue only.
            actions: Actions { mine: bool, overdue: bool } -> Vec<$crate::views::ActionView> [any] cli;
            /// Marks an action done.
            action_done: ActionDone { id: String } -> () [] node;
            /// The peer reviews this member asked for or writes.
            reviews: Reviews {} -> Vec<$crate::views::ReviewView> [review, workspace] node;
            /// One peer review.
            review: Review { id: String } -> $crate::views::ReviewView [review, workspace] cli;
            /// Asks a colleague for a peer review; replies with its id.
            review_request: ReviewRequest { reviewer: String, about: String, template: $crate::sets::Template, criteria: Vec<String> } -> String [] node;
            /// Saves a review's answers.
            review_write: ReviewWrite { draft: $crate::forms::ReviewDraft } -> () [] node;
            /// Submits a review, with the minutes it took.
            review_submit: ReviewSubmit { id: String, minutes: u32 } -> () [] node;
            /// Acknowledges a review received, with a reply.
            review_ack: ReviewAck { id: String, reply: String } -> () [] node;
            /// The guided sessions, or the upcoming ones only.
            sessions: Sessions { upcoming: bool } -> Vec<$crate::views::SessionView> [session, workspace] node;
            /// One guided session.
            session: Session { id: String } -> $crate::views::SessionView [session, workspace] node;
            /// A guided session as a calendar file.
            session_ics: SessionIcs { id: String } -> $crate::views::IcsFile [session, workspace] cli;
            /// Plans a guided session; replies with its id.
            session_plan: SessionPlan { draft: $crate::forms::SessionDraft } -> String [] node;
            /// Starts a planned session at its first step.
            session_start: SessionStart { id: String } -> $crate::views::StepProgress [] node;
            /// Records the current step's notes and moves on.
            session_step: SessionStep { id: String, notes: String } -> $crate::views::StepProgress [] node;
            /// Closes a session with its takeaways, rating and actions.
            session_close: SessionClose { id: String, takeaways: Vec<String>, rating: Option<u32>, actions: Vec<String>, attended: Vec<String> } -> () [] node;
            /// The communities.
            communities: Communities {} -> Vec<$crate::views::CommunityView> [workspace] node;
            /// Creates a community; replies with its id.
            create_community: CreateCommunity { name: String } -> String [] node;
            /// Joins a community; replies with its id.
            join_community: JoinCommunity { community: String } -> String [] node;
            /// Leaves a community (or, for an admin, takes `member` out of it); replies with its id.
            leave_community: LeaveCommunity { community: String, member: Option<String> } -> String [] node;
            /// A community's threads.
            threads: Threads { community: String } -> Vec<$crate::views::ThreadSummary> [thread, workspace] node;
            /// One thread with its posts.
            thread: Thread { id: String } -> $crate::views::ThreadView [thread, workspace] cli;
            /// One thread rendered, with its posts.
            thread_page: GetThreadPage { id: String } -> $crate::ThreadPage [thread, workspace] node;
            /// Opens a thread in a community; replies with its id.
            post_thread: PostThread { community: String, title: String, body: String } -> String [] node;
            /// Replies in a thread; replies with the post's id.
            reply: Reply { thread: String, body: String } -> String [] node;
            /// Marks a post as the thread's accepted answer.
            accept: Accept { thread: String, post: String } -> () [] node;
            /// Suggested mentoring pairs (for one member if given), each with why.
            suggestions: Suggestions { member: Option<String> } -> Vec<$crate::views::SuggestionView> [workspace] node;
            /// A member's profile (this member's when absent).
            profile: Profile { member: Option<String> } -> $crate::views::ProfileView [workspace] node;
            /// Every member's profile.
            profiles: Profiles {} -> Vec<$crate::views::ProfileView> [workspace] node;
            /// Changes this member's profile.
            set_profile: SetProfile { profile: $crate::forms::ProfilePatch } -> () [] node;
            /// The guided session formats.
            formats: Formats {} -> Vec<$crate::views::FormatView> [] node;
            /// A Markdown draft rendered as the note view will show it (the editor's preview).
            preview: Preview { markdown: String } -> String [] node;
            /// Where exports and reports go unless another folder is given.
            default_export_dir: DefaultExportDir {} -> String [] shell;
            /// Exports what this device holds into a folder.
            export_workspace: ExportWorkspace { dir: String } -> $crate::views::ExportSummary [] node;
            /// Imports an export folder.
            import_workspace: ImportWorkspace { dir: String } -> $crate::views::ImportSummary [] node;
            /// A code for a newcomer in the room (admins): single use, valid 10 minutes, found on
            /// the LAN and checked by a password-authenticated exchange; the running network
            /// answers it.
            invite_code: InviteCode {} -> $crate::views::CodeInvite [] node;
            /// This device's code still waiting for its newcomer, if any (none once used or
            /// expired; one with no tries left admits nobody).
            pending_code: PendingCode {} -> Option<$crate::views::CodeInvite> [workspace] node;
            /// The workspace's relays.
            relays: Relays {} -> Vec<String> [workspace] node;
            /// An admin names a relay (a member's device running `serve --relay`).
            add_relay: AddRelay { addr: String } -> () [] node;
            /// An admin stops naming a relay.
            remove_relay: RemoveRelay { addr: String } -> () [] node;
            /// Saves what a colleague's device lacks of what both may hold, as a bundle file in a
            /// folder (or at a path ending in `.epbundle`).
            create_bundle: CreateBundle { member: String, dir: String } -> $crate::views::BundleSaved [] node;
            /// Applies a bundle of changes from a colleague, with every check a sync makes.
            apply_bundle: ApplyBundle { file: String } -> $crate::views::BundleApplied [] node;
            /// A member's contribution report (this member's when absent), since a day if given,
            /// in English or in French (`en`, `fr`; English when absent).
            report: Report { member: Option<String>, since: Option<String>, language: Option<String> } -> $crate::views::ReportView [any] cli;
            /// Saves a session or a mentoring relationship as a calendar file into a folder;
            /// replies with the file's path.
            save_ics: SaveIcs { of: $crate::sets::CalendarOf, id: String, dir: String } -> String [] shell;
            /// The learning programme's figures since a day (a year back when absent).
            programme: Programme { since: Option<String> } -> $crate::views::ProgrammeView [any] node;
            /// The programme's figures as a CSV or Markdown file.
            programme_file: ProgrammeFile { since: Option<String>, format: $crate::sets::FileFormat } -> $crate::views::TextFile [any] cli;
            /// Saves the programme's figures as a file into a folder; replies with its path.
            save_programme: SaveProgramme { since: Option<String>, format: $crate::sets::FileFormat, dir: String } -> String [] shell;
            /// What a member shared since a day (a year back when absent); this member's when
            /// no member is given.
            sharing: Sharing { member: Option<String>, since: Option<String> } -> $crate::views::SharingRecord [any] node;
            /// The desktop notifications due now and not raised before (none while they are
            /// switched off).
            notices: Notices {} -> Vec<$crate::views::NoticeView> [] cli;
            /// Records notifications as raised, so they are not raised again.
            notices_raised: NoticesRaised { keys: Vec<String> } -> () [] cli;
            /// Whether desktop notifications are on (they are unless switched off).
            notifications: Notifications {} -> bool [] node;
            /// Switches desktop notifications on or off.
            set_notifications: SetNotifications { on: bool } -> () [] node;
            /// The reader's language (`en`, `fr`), for what the device writes for them alone
            /// (notifications).
            set_language: SetLanguage { language: String } -> () [] node;
            /// Saves this member's contribution report (since a day, in a language) into a folder;
            /// replies with the file.
            save_report: SaveReport { dir: String, since: Option<String>, language: String } -> String [] shell;
            /// The syncs under way, with their progress.
            sync_progress: SyncProgress {} -> Vec<$crate::views::SyncProgressView> [any] node;
            /// Time credited by and to a member (every contribution this device sees when
            /// absent).
            credits: Credits { member: Option<String> } -> Vec<$crate::views::CreditView> [any] node;
            /// Confirms time a colleague credited to this member.
            confirm_credit: ConfirmCredit { id: String } -> () [] node;
            /// Checks the store and its indexes, rebuilding the indexes if asked.
            doctor: Doctor { rebuild_index: bool } -> $crate::views::DoctorReport [] cli;
        }
    };
}

/// Defines each operation's type and its [`Op`] implementation, and [`NAMES`].
macro_rules! define_ops {
    ($( $(#[$doc:meta])* $name:ident: $ty:ident { $($field:ident: $fty:ty),* $(,)? } -> $reply:ty [$($reads:ident),*] $runs:ident; )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
            #[allow(missing_docs)]
            pub struct $ty { $(pub $field: $fty,)* }

            impl Op for $ty {
                const NAME: &'static str = stringify!($name);
                type Reply = $reply;
                const READS: &'static [&'static str] = &[$(stringify!($reads)),*];
            }
        )*

        /// The name of every operation, in the list's order.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Every operation: its name, its type's name and where it is answered.
        pub const LIST: &[Listed] = &[$(Listed {
            name: stringify!($name),
            ty: stringify!($ty),
            runs_in: stringify!($runs),
        }),*];
    };
}

with_ops!(define_ops);

/// One operation of the list, as the build script and tests see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    /// Its name.
    pub name: &'static str,
    /// Its type's name.
    pub ty: &'static str,
    /// `node`, `cli` or `shell`.
    pub runs_in: &'static str,
}

impl Listed {
    /// Whether the window may call it (everything but the CLI's own operations).
    pub fn for_window(&self) -> bool {
        self.runs_in != "cli"
    }
}

/// The permission that lets the window call the command `name` (as Tauri names it).
pub fn permission(name: &str) -> String {
    format!("allow-{}", name.replace('_', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_commands() {
        let mut names = NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), NAMES.len(), "a name is listed twice");
        assert!(
            NAMES
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
        assert_eq!(<Notes as Op>::NAME, "notes");
        assert_eq!(permission("who_can_help"), "allow-who-can-help");
    }

    /// Every kind an operation reads is a document kind or `any`, and a change reaches exactly
    /// the operations that read its kind.
    #[test]
    fn reads_name_document_kinds() {
        macro_rules! check {
            ($( $(#[$doc:meta])* $name:ident: $ty:ident { $($field:ident: $fty:ty),* $(,)? } -> $reply:ty [$($reads:ident),*] $runs:ident; )*) => {
                $(
                    assert!(matches!(stringify!($runs), "node" | "cli" | "shell"), "{}", stringify!($name));
                    for kind in <$ty as Op>::READS {
                        assert!(*kind == "any" || DOC_KINDS.contains(kind), "{}: {kind}", stringify!($name));
                    }
                )*
            };
        }
        with_ops!(check);
        let changed = |kind: &str| crate::Changed {
            id: "d".into(),
            kind: kind.into(),
        };
        for (kind, notes, members, peers) in [
            ("note", true, false, true),
            ("workspace", true, true, true),
            ("thread", false, false, true),
            ("session", false, false, true),
            ("all", true, true, true),
            ("a-kind-from-a-newer-build", true, true, true),
        ] {
            assert_eq!(touches::<Notes>(&changed(kind)), notes, "notes, {kind}");
            assert_eq!(
                touches::<Members>(&changed(kind)),
                members,
                "members, {kind}"
            );
            assert_eq!(touches::<Peers>(&changed(kind)), peers, "peers, {kind}");
        }
    }

    #[test]
    fn arguments_travel_as_objects_named_like_their_fields() {
        let args = Notes {
            tag: Some("howto".into()),
            skill: None,
        };
        let json = serde_json::to_value(&args).expect("serializes");
        assert_eq!(json, serde_json::json!({"tag": "howto", "skill": null}));
        assert_eq!(
            serde_json::to_value(Members {}).expect("serializes"),
            serde_json::json!({})
        );
    }
}
