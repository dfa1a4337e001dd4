//! A generated workspace: one admin device holding the notes and the private documents, the
//! key of a second member (Bob) who has not synced yet, and the workspace document that lists
//! every member. Generated once per size and copied for every run, so each run starts fresh.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use node::{Node, NoteDraft};

/// What a generated workspace holds.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Notes shared with the whole workspace.
    pub notes: usize,
    /// Members, the admin included (at least 2).
    pub members: usize,
    /// Private documents (peer reviews between the admin and another member).
    pub private: usize,
}

/// A generated workspace on disk.
pub struct Fixture {
    /// The admin's data directory (closed).
    pub admin: PathBuf,
    /// A directory holding only Bob's key.
    pub bob_key: PathBuf,
    /// A directory holding only a third member's key (the relay host of the reach measures),
    /// when there are at least 3 members.
    pub relay_key: Option<PathBuf>,
    /// The workspace document (every member listed).
    pub workspace: Vec<u8>,
    /// The notes' ids.
    pub notes: Vec<String>,
    /// How many documents Bob holds once synced (workspace, notes, his private documents).
    pub bob_docs: usize,
    /// Words that occur in the notes, for searches.
    pub words: Vec<&'static str>,
}

const TOPICS: &[&str] = &[
    "rust",
    "sql",
    "negotiation",
    "onboarding",
    "kubernetes",
    "accounting",
    "welding",
    "safety",
    "pricing",
    "design",
    "testing",
    "hiring",
    "support",
    "logistics",
    "legal",
    "security",
    "marketing",
    "budget",
    "quality",
    "training",
];

const WORDS: &[&str] = &[
    "customer",
    "release",
    "meeting",
    "checklist",
    "incident",
    "review",
    "supplier",
    "contract",
    "deadline",
    "invoice",
    "workshop",
    "feedback",
    "roadmap",
    "prototype",
    "warehouse",
    "audit",
    "forecast",
    "migration",
    "interview",
    "handover",
    "backlog",
    "dashboard",
    "pipeline",
    "escalation",
    "template",
    "retrospective",
    "calibration",
    "inventory",
    "mentor",
    "expert",
];

/// A note body of about 600 bytes of Markdown, different for every `i`.
fn body(i: usize) -> String {
    let mut text = format!("# Note {i}\n\nWhat we learned about ");
    for k in 0..80 {
        let word = WORDS[(i * 7 + k * 13 + k * k) % WORDS.len()];
        text.push_str(word);
        text.push(if k % 12 == 11 { '\n' } else { ' ' });
    }
    text.push_str(&format!(
        "\n\nSee also [[Note {}]].\n",
        (i * 31 + 7) % (i + 1)
    ));
    text
}

/// Copies a directory's files (not recursive: data directories are flat).
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Empties `dir` for a new fixture: a directory that does not exist or is empty, or one a
/// fixture was generated in before (holding `admin`, `bob-key` and `member-N` folders, nothing
/// else). Anything else is refused, so a mistyped path deletes nothing.
pub fn clear(dir: &Path) -> Result<()> {
    let entries: Vec<String> = match std::fs::read_dir(dir) {
        Ok(read) => read
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<std::io::Result<_>>()?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    let generated = |e: &str| {
        e == "admin"
            || e == "bob-key"
            || e.strip_prefix("member-")
                .is_some_and(|n| n.parse::<usize>().is_ok())
    };
    let foreign: Vec<&String> = entries.iter().filter(|e| !generated(e)).collect();
    ensure!(
        foreign.is_empty(),
        "{} holds {} files no fixture wrote ({}{}): give an empty or new directory",
        dir.display(),
        foreign.len(),
        foreign
            .iter()
            .take(3)
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        if foreign.len() > 3 { ", …" } else { "" }
    );
    std::fs::remove_dir_all(dir).with_context(|| format!("cannot empty {}", dir.display()))
}

/// Generates a workspace of `size` under `dir`.
pub async fn generate(dir: &Path, size: Size) -> Result<Fixture> {
    ensure!(
        size.members >= 2,
        "a workspace to sync needs at least 2 members"
    );
    let admin = dir.join("admin");
    let bob_key = dir.join("bob-key");
    let alice = Node::init(&admin, "Alice", "Acme").await?;
    let bob = Node::init_device(&bob_key)?;
    alice.add_member(bob.clone(), "Bob".into()).await?;
    let mut others = vec![bob.clone()];
    for m in 2..size.members {
        let id = Node::init_device(&dir.join(format!("member-{m}")))?;
        alice
            .add_member(id.clone(), format!("Colleague {m}"))
            .await?;
        others.push(id);
    }
    for (k, topic) in TOPICS.iter().take(5).enumerate() {
        let level = 1 + (k % 4) as u8;
        alice
            .run(ipc::ops::ClaimSkill {
                name: (*topic).to_owned(),
                level,
                wants: false,
                teach: k % 2 == 0,
            })
            .await?;
    }
    let count = size.notes;
    let notes = alice
        .call(move |c| {
            let mut ids = Vec::with_capacity(count);
            for i in 0..count {
                let topic = TOPICS[i % TOPICS.len()];
                ids.push(c.add_note(NoteDraft {
                    title: format!("{topic} — note {i}"),
                    body: body(i),
                    tags: vec![topic.to_owned(), WORDS[i % WORDS.len()].to_owned()],
                    skills: vec![TOPICS[(i / 3) % TOPICS.len()].to_owned()],
                    scope: None,
                })?);
            }
            Ok(ids)
        })
        .await?;
    let reviewers = others.clone();
    let private = size.private;
    let bob_private = alice
        .call(move |c| {
            let mut with_bob = 0;
            for i in 0..private {
                let reviewer = &reviewers[i % reviewers.len()];
                c.review_request(reviewer, &format!("project {i}"), "sbi", &[])?;
                with_bob += usize::from(i % reviewers.len() == 0);
            }
            Ok(with_bob)
        })
        .await?;
    let workspace = alice.join_package().await?;
    let held = alice.document_ids().await?.len();
    ensure!(
        held == 1 + size.notes + size.private,
        "the generated workspace holds {held} documents"
    );
    alice
        .shutdown()
        .await
        .context("closing the generated workspace")?;
    Ok(Fixture {
        admin,
        bob_key,
        relay_key: (size.members >= 3).then(|| dir.join("member-2")),
        workspace,
        notes,
        bob_docs: 1 + size.notes + bob_private,
        words: WORDS.to_vec(),
    })
}
