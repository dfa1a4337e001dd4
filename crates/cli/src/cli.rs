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
