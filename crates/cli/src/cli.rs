//! The command line, declared with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Entrepairs headless peer: peer-to-peer learning inside your company, from a shell.
#[derive(Debug, Parser)]
#[command(name = "entrepairs", version, about, propagate_version = true)]
pub struct Cli {
    /// Data directory (default: the platform's data directory + /entrepairs).
    #[arg(long, global = true, env = "ENTREPAIRS_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print stable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create this device's identity and a new workspace.
    Init {
        /// Your name as colleagues will see it.
        #[arg(long)]
        name: String,
        /// The workspace's name.
        #[arg(long)]
        workspace: Option<String>,
    },
    /// Show who you are and in which workspace.
    Whoami,
    /// Your profile and colleagues'.
    #[command(subcommand)]
    Profile(ProfileCmd),
    /// Skills: claim yours, list the catalogue, endorse colleagues.
    #[command(subcommand)]
    Skill(SkillCmd),
    /// Notes in Markdown, with tags, skills and [[links]].
    #[command(subcommand)]
    Note(NoteCmd),
    /// Learning communities.
    #[command(subcommand)]
    Community(CommunityCmd),
    /// Questions and discussions in a community.
    #[command(subcommand)]
    Thread(ThreadCmd),
    /// Full-text search over notes, threads and profiles.
    Search {
        /// Words to look for (all required, prefixes match).
        #[arg(required = true)]
        query: Vec<String>,
    },
    /// Colleagues who can help with a skill, best first, with why.
    WhoCanHelp {
        /// The skill (name, French or English label, or synonym).
        #[arg(required = true)]
        skill: Vec<String>,
    },
    /// Mentoring relationships (private to the two of you).
    #[command(subcommand)]
    Mentoring(MentoringCmd),
    /// Action items from mentoring and sessions.
    #[command(subcommand)]
    Action(ActionCmd),
    /// Peer reviews (private to requester and reviewer).
    #[command(subcommand)]
    Review(ReviewCmd),
    /// Guided sessions: codev, aar, peer-assist, wol, flash, lunch-learn.
    #[command(subcommand)]
    Session(SessionCmd),
    /// Thank a colleague.
    #[command(subcommand)]
    Kudos(KudosCmd),
    /// Time given to colleagues, credited once they confirm it.
    #[command(subcommand)]
    Credit(CreditCmd),
    /// Minutes given versus received (confirmed only).
    Balance {
        /// Member id or name (you by default).
        member: Option<String>,
    },
    /// Mentor suggestions.
    #[command(subcommand)]
    Match(MatchCmd),
    /// Views over the skills map.
    #[command(subcommand)]
    Skills(SkillsCmd),
    /// What needs doing: due mentoring, overdue actions, sessions today.
    Remind,
    /// The learning programme's figures: sessions per format and month, turnout, ratings,
    /// mentoring on cadence, reciprocity, skills at risk over time, who shares. Printed as
    /// Markdown, or as CSV.
    Programme {
        /// From this day (YYYY-MM-DD; a year back by default).
        #[arg(long)]
        since: Option<String>,
        /// CSV instead of Markdown.
        #[arg(long)]
        csv: bool,
    },
    /// What a member shared: notes, accepted answers, sessions given, confirmed time,
    /// endorsements received.
    Sharing {
        /// Member id or name (you by default).
        member: Option<String>,
        /// From this day (YYYY-MM-DD; a year back by default).
        #[arg(long)]
        since: Option<String>,
    },
    /// Reports.
    #[command(subcommand)]
    Report(ReportCmd),
    /// Run this peer on the network until interrupted: sync with every reachable member.
    Serve {
        /// Address to listen on (repeatable; default all interfaces, TCP and QUIC, any port).
        #[arg(long, value_name = "MULTIADDR")]
        listen: Vec<String>,
        /// Do not discover peers on the local network.
        #[arg(long)]
        no_mdns: bool,
        /// Also relay connections between the workspace's members (and nobody else), for a
        /// device at a reachable address; an admin then names it with `relay add`.
        #[arg(long)]
        relay: bool,
    },
    /// The workspace's relays: members' always-on devices (`serve --relay`) through which
    /// colleagues behind NAT reach each other.
    #[command(subcommand)]
    Relay(RelayCmd),
    /// Invitations for newcomers.
    #[command(subcommand)]
    Invite(InviteCmd),
    /// Join a workspace, in a new data directory: with a ticket an admin gave you, or with the
    /// code an admin reads aloud in the room (`--code`, found on the local network).
    Join {
        /// The ticket given by an admin.
        #[arg(required_unless_present = "code", conflicts_with = "code")]
        ticket: Option<String>,
        /// The code an admin's device shows (like 7-orange-lantern-harbor).
        #[arg(long)]
        code: Option<String>,
        /// Your name as colleagues will see it.
        #[arg(long)]
        name: String,
        /// Give up after this long (e.g. 30s, 2m).
        #[arg(long, default_value = "60s")]
        timeout: String,
    },
    /// Members of the workspace.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Known member devices.
    Peers,
    /// Sync once with one peer, then exit with a summary.
    Sync {
        /// The peer's address (…/p2p/ID).
        #[arg(long, value_name = "MULTIADDR")]
        peer: String,
        /// Give up after this long.
        #[arg(long, default_value = "60s")]
        timeout: String,
    },
    /// Per peer and document: in sync or not, as last announced.
    Status,
    /// Write everything you hold to a directory: one JSON file and one Markdown file per note.
    Export {
        /// Target directory (new, empty, or a previous export).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Add what an export holds and this workspace lacks (nothing is overwritten).
    Import {
        /// A directory written by `export`.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
    /// Carry changes to a colleague with no network between you: a signed file.
    #[command(subcommand)]
    Bundle(BundleCmd),
    /// Check the database and every document; optionally rebuild the indexes.
    Doctor {
        /// Rebuild the search and list indexes from the documents.
        #[arg(long)]
        rebuild_index: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProfileCmd {
    /// Change your profile; fields not given stay as they are.
    Set(ProfileArgs),
    /// Show a profile (yours by default).
    Show {
        /// Member id or name.
        member: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Job title.
    #[arg(long)]
    pub title: Option<String>,
    /// Team or department.
    #[arg(long)]
    pub team: Option<String>,
    /// Site or city.
    #[arg(long)]
    pub location: Option<String>,
    /// Languages, comma-separated codes (fr,en).
    #[arg(long)]
    pub languages: Option<String>,
    /// Hours per month you offer to help colleagues.
    #[arg(long)]
    pub hours_per_month: Option<u32>,
    /// Whether you are open to mentoring.
    #[arg(long, value_name = "true|false")]
    pub open_to_mentoring: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum SkillCmd {
    /// Say how well you know a skill (added to the catalogue if new).
    Claim {
        /// Skill name.
        name: String,
        /// 1 notions · 2 practitioner · 3 expert · 4 referent.
        #[arg(long)]
        level: String,
        /// You want to learn (more of) it.
        #[arg(long)]
        wants_to_learn: bool,
        /// You are willing to teach it.
        #[arg(long)]
        can_teach: bool,
    },
    /// The skills catalogue and who holds each skill.
    List,
    /// Vouch for a colleague's skill.
    Endorse {
        /// Member id or name.
        member: String,
        /// Skill name.
        skill: String,
        /// A few words.
        #[arg(long)]
        comment: Option<String>,
    },
    /// Give a skill its English and French labels.
    Label {
        /// Skill (any of its names).
        skill: String,
        /// English label.
        #[arg(long)]
        en: Option<String>,
        /// French label.
        #[arg(long)]
        fr: Option<String>,
    },
    /// Add another name a skill is found by.
    Alias {
        /// Skill (any of its names).
        skill: String,
        /// The other name.
        alias: String,
    },
    /// Merge a duplicate into the skill it duplicates (admins): claims, endorsements and note
    /// links follow.
    Merge {
        /// The duplicate.
        from: String,
        /// The skill kept.
        into: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum NoteCmd {
    /// Write a note.
    Add {
        /// Title.
        #[arg(long)]
        title: String,
        /// Markdown body.
        #[arg(long, conflicts_with = "body_file")]
        body: Option<String>,
        /// Read the body from a file, or `-` for standard input.
        #[arg(long, value_name = "FILE|-")]
        body_file: Option<PathBuf>,
        /// A tag (repeatable).
        #[arg(long)]
        tag: Vec<String>,
        /// A linked skill (repeatable).
        #[arg(long)]
        skill: Vec<String>,
        /// Who sees it: workspace, personal or community:ID.
        #[arg(long, default_value = "workspace")]
        scope: String,
    },
    /// List notes, newest first.
    List {
        /// Only notes with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Only notes linked to this skill.
        #[arg(long)]
        skill: Option<String>,
    },
    /// Show a note with its links and backlinks.
    Show {
        /// Note id (or its first characters).
        id: String,
    },
    /// Change a note.
    Edit {
        /// Note id (or its first characters).
        id: String,
        /// New title.
        #[arg(long)]
        title: Option<String>,
        /// New body.
        #[arg(long, conflicts_with = "body_file")]
        body: Option<String>,
        /// Read the new body from a file, or `-` for standard input.
        #[arg(long, value_name = "FILE|-")]
        body_file: Option<PathBuf>,
        /// Add a tag (repeatable).
        #[arg(long)]
        add_tag: Vec<String>,
        /// Remove a tag (repeatable).
        #[arg(long)]
        remove_tag: Vec<String>,
        /// Link a skill (repeatable; a new one joins the catalogue).
        #[arg(long)]
        add_skill: Vec<String>,
        /// Unlink a skill (repeatable).
        #[arg(long)]
        remove_skill: Vec<String>,
    },
    /// Delete a note.
    Delete {
        /// Note id (or its first characters).
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CommunityCmd {
    /// Create a community.
    Create {
        /// Its name.
        name: String,
    },
    /// List communities.
    List,
    /// Join a community: its threads and notes start to reach this device.
    Join {
        /// Community id or name.
        community: String,
    },
    /// Leave a community; admins may take a member out with --member.
    Leave {
        /// Community id or name.
        community: String,
        /// Member id or name (admins only; default: yourself).
        #[arg(long)]
        member: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ThreadCmd {
    /// Open a thread in a community.
    Post {
        /// Community id or name.
        community: String,
        /// Title.
        #[arg(long)]
        title: String,
        /// Opening post (Markdown).
        #[arg(long)]
        body: String,
    },
    /// Reply to a thread.
    Reply {
        /// Thread id.
        thread: String,
        /// Reply (Markdown).
        #[arg(long)]
        body: String,
    },
    /// Accept a reply as the answer (thread author only).
    Accept {
        /// Thread id.
        thread: String,
        /// Reply id.
        post: String,
    },
    /// Threads of a community.
    List {
        /// Community id or name.
        community: String,
    },
    /// A thread with its replies.
    Show {
        /// Thread id.
        thread: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MentoringCmd {
    /// Start a relationship with a colleague.
    Start {
        /// The colleague (member id or name).
        #[arg(long)]
        with: String,
        /// Your side: mentor, mentee, or cross (each teaches the other).
        #[arg(long = "as", value_name = "mentor|mentee|cross")]
        role: String,
        /// Reverse mentoring: the junior colleague mentors the senior one.
        #[arg(long)]
        reverse: bool,
        /// A goal (repeatable).
        #[arg(long)]
        goal: Vec<String>,
        /// Days between sessions (default 14).
        #[arg(long)]
        cadence_days: Option<u32>,
    },
    /// Your relationships.
    List,
    /// One relationship in full.
    Show {
        /// Relationship id.
        id: String,
    },
    /// The next meeting as a calendar file (.ics), repeating at the cadence.
    Ics {
        /// Relationship id.
        id: String,
        /// Write it to this file instead of printing it.
        #[arg(long, value_name = "FILE.ics")]
        out: Option<std::path::PathBuf>,
    },
    /// Add a goal, set its progress, or mark it done.
    #[command(group(clap::ArgGroup::new("change").required(true).args(["add", "progress", "done"])))]
    Goal {
        /// Relationship id.
        id: String,
        /// A new goal.
        #[arg(long)]
        add: Option<String>,
        /// A goal (number, id or text) and its progress in %.
        #[arg(long, num_args = 2, value_names = ["GOAL", "PCT"])]
        progress: Option<Vec<String>>,
        /// A goal (number, id or text) now reached.
        #[arg(long)]
        done: Option<String>,
    },
    /// Log a session.
    Log {
        /// Relationship id.
        id: String,
        /// How long.
        #[arg(long)]
        minutes: u32,
        /// When (YYYY-MM-DD, default today).
        #[arg(long)]
        date: Option<String>,
        /// What was discussed.
        #[arg(long)]
        notes: String,
        /// A topic or skill (repeatable).
        #[arg(long)]
        topic: Vec<String>,
        /// An action decided; end it with @YYYY-MM-DD for its due day (repeatable).
        #[arg(long)]
        action: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ActionCmd {
    /// Action items, open ones first.
    List {
        /// Only yours.
        #[arg(long)]
        mine: bool,
        /// Only those past their due day.
        #[arg(long)]
        overdue: bool,
    },
    /// Mark an action done.
    Done {
        /// Action id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCmd {
    /// Ask a colleague for feedback.
    Request {
        /// The reviewer (member id or name).
        #[arg(long)]
        reviewer: String,
        /// What the feedback is about.
        #[arg(long)]
        about: String,
        /// start-stop-continue, sbi or rubric.
        #[arg(long)]
        template: String,
        /// Rubric criteria, comma-separated.
        #[arg(long)]
        criteria: Option<String>,
    },
    /// Write answers (the reviewer).
    Write {
        /// Review id.
        id: String,
        /// KEY=TEXT, e.g. start=..., situation=..., or a criterion's comment (repeatable).
        #[arg(long)]
        answer: Vec<String>,
        /// CRITERION=N, 1 to 5 (rubric; repeatable).
        #[arg(long)]
        rating: Vec<String>,
    },
    /// Submit it (the reviewer); it can no longer change.
    Submit {
        /// Review id.
        id: String,
        /// Time spent, credited once the requester confirms (default 30).
        #[arg(long, default_value_t = 30)]
        minutes: u32,
    },
    /// Acknowledge a submitted review (the requester).
    Ack {
        /// Review id.
        id: String,
        /// A reply.
        #[arg(long)]
        reply: Option<String>,
    },
    /// Reviews you asked for or write.
    List,
    /// One review.
    Show {
        /// Review id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionCmd {
    /// Plan a session.
    Plan {
        /// codev, aar, peer-assist, wol, flash or lunch-learn.
        #[arg(long)]
        format: String,
        /// Title.
        #[arg(long)]
        title: String,
        /// Start, RFC 3339 (e.g. 2026-12-01T12:30:00+01:00).
        #[arg(long)]
        at: String,
        /// Length in minutes (default: the format's time boxes).
        #[arg(long)]
        minutes: Option<u32>,
        /// A host (repeatable; you by default).
        #[arg(long)]
        host: Vec<String>,
        /// MEMBER or MEMBER:ROLE (repeatable).
        #[arg(long)]
        participant: Vec<String>,
        /// A skill it is about (repeatable).
        #[arg(long)]
        skill: Vec<String>,
        /// workspace or community:ID.
        #[arg(long, default_value = "workspace")]
        scope: String,
    },
    /// Start the first step.
    Start {
        /// Session id.
        id: String,
    },
    /// Record the running step's notes and move to the next.
    Step {
        /// Session id.
        id: String,
        /// Notes of the step.
        #[arg(long)]
        notes: String,
    },
    /// Close the session.
    Close {
        /// Session id.
        id: String,
        /// A takeaway (repeatable).
        #[arg(long)]
        takeaway: Vec<String>,
        /// How it went, 1 to 5.
        #[arg(long)]
        rating: Option<u32>,
        /// An action (for codev: the client's action plan); end it with @YYYY-MM-DD for its
        /// due day (repeatable).
        #[arg(long)]
        action: Vec<String>,
        /// Someone who came (repeatable; by default everyone planned came). A lunch & learn
        /// may count colleagues who were not on the plan.
        #[arg(long)]
        attended: Vec<String>,
    },
    /// Sessions by date.
    List {
        /// Only those not closed, from today on.
        #[arg(long)]
        upcoming: bool,
    },
    /// One session with its steps.
    Show {
        /// Session id.
        id: String,
    },
    /// The session as a calendar file (.ics).
    Ics {
        /// Session id.
        id: String,
        /// Write it to this file instead of printing it.
        #[arg(long, value_name = "FILE.ics")]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RelayCmd {
    /// The relays every member keeps a reservation on.
    List,
    /// Name a relay (admins): its address, ending in its id (/…/p2p/ID).
    Add {
        /// The relay's address.
        addr: String,
    },
    /// Stop naming a relay (admins).
    Remove {
        /// The relay's address, as listed.
        addr: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BundleCmd {
    /// Write what a colleague's device lacks of what you both may hold (as it last told this
    /// device) into a signed file.
    Create {
        /// The colleague (member id or name).
        #[arg(long = "for", value_name = "MEMBER")]
        member: String,
        /// The file to write (or a folder to write it in).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Merge a bundle from a colleague, with every check a network sync makes.
    Apply {
        /// The bundle file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum KudosCmd {
    /// Thank a colleague.
    Give {
        /// Member id or name.
        member: String,
        /// What for.
        #[arg(long)]
        message: String,
        /// The skill it is about.
        #[arg(long)]
        skill: Option<String>,
    },
    /// Kudos, newest first.
    List,
}

#[derive(Debug, Subcommand)]
pub enum CreditCmd {
    /// Contributions, confirmed or not.
    List {
        /// Only those given or received by this member.
        #[arg(long)]
        member: Option<String>,
    },
    /// Confirm time you received.
    Confirm {
        /// Contribution id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MatchCmd {
    /// Who could mentor whom, reciprocal pairs first.
    Suggest {
        /// Only pairs involving this member.
        #[arg(long = "for")]
        for_member: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SkillsCmd {
    /// Skills held at expert level by one person or none.
    AtRisk,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// A member's contributions as Markdown, for an annual review.
    Contributions {
        /// Member id or name (you by default).
        member: Option<String>,
        /// From this day (YYYY-MM-DD).
        #[arg(long)]
        since: Option<String>,
        /// Its language: en or fr.
        #[arg(long, default_value = "en")]
        lang: String,
        /// The Markdown file to write.
        #[arg(long, value_name = "FILE.md")]
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum InviteCmd {
    /// Create a single-use ticket (admins).
    Create {
        /// How long it stays valid (e.g. 30m, 24h, 7d; at most 30d).
        #[arg(long, default_value = "7d")]
        expires: String,
        /// member or admin.
        #[arg(long, default_value = "member")]
        role: String,
        /// An address to put in the ticket (default: those of the running `serve`).
        #[arg(long, value_name = "MULTIADDR")]
        addr: Vec<String>,
    },
    /// A code to read aloud to a newcomer in the room (admins): single use, valid 10 minutes.
    /// This device answers it on the local network until it is used or expires.
    Code {
        /// Address to listen on (repeatable; default all interfaces, TCP, any port).
        #[arg(long, value_name = "MULTIADDR")]
        listen: Vec<String>,
    },
    /// Every invite of the workspace: open, redeemed, revoked or expired.
    List,
    /// Revoke an open invite (admins, or the admin who issued it): it can no longer admit
    /// anyone.
    Revoke {
        /// The invite's id (from `invite list`).
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// Current members, from the verified membership log.
    List,
    /// Remove a member (admins): nothing new reaches them; what they hold stays theirs.
    Remove {
        /// Member id or name.
        member: String,
    },
    /// Make a member an admin (admins).
    Promote {
        /// Member id or name.
        member: String,
    },
    /// Make an admin a plain member again (admins; never the founder): their open invites die.
    Demote {
        /// Member id or name.
        member: String,
    },
}
