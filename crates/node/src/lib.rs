//! One running Entrepairs peer: its identity, its store and (with sync) its network, behind an
//! async API and an event stream.
//!
//! The desktop app and the `entrepairs` CLI both drive a [`Node`]; anything one can do, the
//! other and the tests can do without a window. A node owns one thread that owns the SQLite
//! connection: every operation is sent to it over a bounded channel and answered through a
//! oneshot, so writes are serialised within the process, and across processes on the same data
//! directory by SQLite's `BEGIN IMMEDIATE` locks. Each successful write is announced on
//! [`Node::subscribe`] after its transaction has committed.
//!
//! This crate never renders anything and never parses command lines; it returns view models
//! (`views`) that serialise to the stable JSON the CLI prints.

pub mod bundle;
mod calendar;
pub mod code;
mod core;
pub mod demo;
mod error;
pub mod exchange;
pub mod formats;
mod identity;
pub mod markdown;
pub mod members;
mod notices;
mod ops;
mod programme;
mod run;
pub mod runtime;
pub mod serve;
mod transfer;
pub mod views;

use std::path::{Path, PathBuf};
use std::thread;

use tokio::sync::{broadcast, mpsc, oneshot};

pub use crate::core::Core;
pub use domain::{FORMATS, Level};
pub use error::NodeError;
pub use ops::{NoteDraft, NoteEdit, ProfilePatch};
pub use run::Run;

/// Name of the database file inside a data directory.
pub const DB_FILE: &str = "entrepairs.db";
/// Name of the device key file inside a data directory.
pub const KEY_FILE: &str = "identity.key";

/// Something that changed in the node, pushed to subscribers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A document was created or changed and its change is durably stored.
    DocChanged {
        /// The document id.
        id: String,
        /// Its kind.
        kind: domain::DocKind,
    },
    /// The membership log grew (members, roles, invites or communities may have changed).
    MembershipChanged,
}

type Job = Box<dyn FnOnce(&mut Core) + Send>;

/// Capacity of the job queue to the store thread; callers wait when it is full.
const JOB_QUEUE: usize = 64;
/// Capacity of the event stream; a subscriber that falls further behind is told it lagged.
const EVENT_QUEUE: usize = 256;

/// Handle to a running peer. Cheap to clone; the store thread ends when the last handle is
/// dropped.
#[derive(Clone)]
pub struct Node {
    jobs: mpsc::Sender<Job>,
    events: broadcast::Sender<Event>,
    data_dir: PathBuf,
}

impl Node {
    /// Creates a new identity and workspace in `data_dir` and opens it.
    pub async fn init(data_dir: &Path, name: &str, workspace: &str) -> Result<Node, NodeError> {
        let (dir, name, workspace) = (data_dir.to_owned(), name.to_owned(), workspace.to_owned());
        Self::start(data_dir, move |events| {
            Core::init(&dir, &name, &workspace, events)
        })
        .await
    }

    /// Opens an existing data directory.
    pub async fn open(data_dir: &Path) -> Result<Node, NodeError> {
        let dir = data_dir.to_owned();
        Self::start(data_dir, move |events| Core::open(&dir, events)).await
    }

    async fn start(
        data_dir: &Path,
        make: impl FnOnce(broadcast::Sender<Event>) -> Result<Core, NodeError> + Send + 'static,
    ) -> Result<Node, NodeError> {
        let (events, _) = broadcast::channel(EVENT_QUEUE);
        let (jobs, mut queue) = mpsc::channel::<Job>(JOB_QUEUE);
        let (ready, opened) = oneshot::channel();
        let thread_events = events.clone();
        thread::Builder::new()
            .name("entrepairs-store".into())
            .spawn(move || match make(thread_events) {
                Ok(mut core) => {
                    let _ = ready.send(Ok(()));
                    let mut stopped = None;
                    while let Some(job) = queue.blocking_recv() {
                        // A fault in one operation fails that operation (its caller hears the
                        // node stopped answering it); the node goes on serving the others.
                        let run = std::panic::AssertUnwindSafe(|| job(&mut core));
                        if std::panic::catch_unwind(run).is_err() {
                            tracing::error!("an operation panicked; it was abandoned");
                        }
                        if let Some(done) = core.stopping.take() {
                            stopped = Some(done);
                            break;
                        }
                    }
                    // Closing the connection checkpoints the WAL; only then is the
                    // shutdown reported done.
                    drop(core);
                    if let Some(done) = stopped {
                        let _ = done.send(());
                    }
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                }
            })
            .map_err(|e| NodeError::Io {
                what: "cannot start the store thread".into(),
                source: e,
            })?;
        opened.await.map_err(|_| NodeError::Stopped)??;
        Ok(Node {
            jobs,
            events,
            data_dir: data_dir.to_owned(),
        })
    }

    /// The data directory this node runs on.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Runs `f` on the store thread and returns its result.
    pub async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Core) -> Result<R, NodeError> + Send + 'static,
    ) -> Result<R, NodeError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Box::new(move |core| {
                let _ = reply.send(f(core));
            }))
            .await
            .map_err(|_| NodeError::Stopped)?;
        answer.await.map_err(|_| NodeError::Stopped)?
    }

    /// Stops the store thread after the jobs already queued and waits until the database is
    /// closed. Calls through other handles fail with [`NodeError::Stopped`] afterwards.
    pub async fn shutdown(self) -> Result<(), NodeError> {
        let (done, closed) = oneshot::channel();
        self.jobs
            .send(Box::new(move |core| core.stopping = Some(done)))
            .await
            .map_err(|_| NodeError::Stopped)?;
        closed.await.map_err(|_| NodeError::Stopped)
    }

    /// A stream of [`Event`]s from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn node() -> (tempfile::TempDir, Node) {
        let tmp = tempfile::tempdir().unwrap();
        let node = Node::init(&tmp.path().join("data"), "Alice", "Acme")
            .await
            .unwrap();
        (tmp, node)
    }

    fn note(title: &str) -> NoteDraft {
        NoteDraft {
            title: title.into(),
            body: "body".into(),
            ..NoteDraft::default()
        }
    }

    #[tokio::test]
    async fn every_committed_write_is_announced_and_refused_writes_are_not() {
        let (_tmp, node) = node().await;
        let mut events = node.subscribe();
        let id = node
            .run(ipc::ops::AddNote { draft: note("One") })
            .await
            .unwrap();
        assert_eq!(
            events.recv().await.unwrap(),
            Event::DocChanged {
                id: id.clone(),
                kind: domain::DocKind::Note
            }
        );
        let edit = NoteEdit {
            title: Some(" ".into()),
            ..NoteEdit::default()
        };
        let refused = node.run(edit.on(id.clone())).await.unwrap_err().to_string();
        assert!(refused.contains("title must not be empty"), "{refused}");
        node.run(claim("Rust")).await.unwrap();
        let ws = node.run(ipc::ops::Whoami {}).await.unwrap().workspace_id;
        assert_eq!(
            events.recv().await.unwrap(),
            Event::DocChanged {
                id: ws,
                kind: domain::DocKind::Workspace
            },
            "the refused edit announced nothing"
        );
    }

    /// A list asks for a page: the newest notes the filters keep, at most `limit`, with how
    /// many they keep in all; the tags and skills to filter by are listed once each, a skill
    /// standing for the skills merged into it; an unknown community is refused by name.
    #[tokio::test]
    async fn a_note_list_is_a_page_of_the_filtered_notes_with_their_count() {
        let (_tmp, node) = node().await;
        let community = node
            .run(ipc::ops::CreateCommunity {
                name: "Finance".into(),
            })
            .await
            .unwrap();
        let add = |title: &str, tags: &[&str], skills: &[&str], scope: Option<&str>| NoteDraft {
            title: title.into(),
            body: "body".into(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            skills: skills.iter().map(|s| (*s).to_owned()).collect(),
            scope: scope.map(str::to_owned),
        };
        let scope = format!("community:{community}");
        for draft in [
            add("Closing in SQL", &["sql"], &["SQL"], None),
            add(
                "Écarts de caisse",
                &["finance"],
                &["Postgres"],
                Some(&scope),
            ),
            add("SQL joins", &["sql", "finance"], &[], None),
            add("Onboarding", &[], &[], None),
            add("Budget SQL review", &["finance"], &[], Some(&scope)),
        ] {
            node.run(ipc::ops::AddNote { draft }).await.unwrap();
        }
        node.run(ipc::ops::MergeSkill {
            from: "Postgres".into(),
            into: "SQL".into(),
        })
        .await
        .unwrap();
        let list = |tag: Option<&str>,
                    skill: Option<&str>,
                    community: Option<&str>,
                    title: Option<&str>,
                    limit| {
            node.run(ipc::ops::NoteList {
                tag: tag.map(str::to_owned),
                skill: skill.map(str::to_owned),
                community: community.map(str::to_owned),
                title: title.map(str::to_owned),
                limit,
            })
        };
        // The titles of a page, and the same sorted (notes written in one millisecond are in
        // id order, which is random).
        let titles = |page: &views::NoteListView| -> Vec<String> {
            page.notes.iter().map(|n| n.title.clone()).collect()
        };
        let sorted = |page: &views::NoteListView| {
            let mut all = titles(page);
            all.sort();
            all
        };

        let all = list(None, None, None, None, 10).await.unwrap();
        assert_eq!(all.total, 5);
        assert!(
            all.notes
                .windows(2)
                .all(|w| w[0].updated_at >= w[1].updated_at),
            "newest first: {:?}",
            all.notes
        );
        let page = list(None, None, None, None, 2).await.unwrap();
        assert_eq!(titles(&page), titles(&all)[..2], "the two newest");
        assert_eq!(page.total, 5, "counted whole");
        let facets = node.run(ipc::ops::NoteFacets {}).await.unwrap();
        assert_eq!(facets.tags, ["finance", "sql"]);
        let sql = node.run(ipc::ops::Skills {}).await.unwrap();
        let sql = sql.iter().find(|s| s.label_en == "SQL").unwrap().id.clone();
        assert_eq!(
            facets.skills,
            std::slice::from_ref(&sql),
            "Postgres is listed as SQL, once"
        );

        let page = list(Some("sql"), None, None, None, 10).await.unwrap();
        assert_eq!(sorted(&page), ["Closing in SQL", "SQL joins"]);
        assert_eq!(page.total, 2);
        let page = list(None, Some(&sql), None, None, 10).await.unwrap();
        assert_eq!(
            sorted(&page),
            ["Closing in SQL", "Écarts de caisse"],
            "a note linked to a skill merged into SQL is about SQL"
        );
        let page = list(Some("finance"), None, Some(&community), None, 1)
            .await
            .unwrap();
        assert_eq!(page.notes.len(), 1);
        assert_eq!(
            page.total, 2,
            "both finance notes of the community are counted"
        );
        let page = list(None, None, None, Some("ecarts"), 10).await.unwrap();
        assert_eq!(
            titles(&page),
            ["Écarts de caisse"],
            "case and accents aside"
        );
        let page = list(None, None, None, Some("sql"), 10).await.unwrap();
        assert_eq!(page.total, 3);

        let refused = list(None, None, Some("nowhere"), None, 10)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("community 'nowhere' is not in this workspace"),
            "{refused}"
        );
    }

    /// The English labels of the skills the first profile claims, sorted.
    async fn claimed(node: &Node) -> Vec<String> {
        let profiles = node.run(ipc::ops::Profiles {}).await.unwrap();
        let mut labels: Vec<String> = profiles[0]
            .skills
            .iter()
            .map(|c| c.label_en.clone())
            .collect();
        labels.sort();
        labels
    }

    fn claim(name: &str) -> ipc::ops::ClaimSkill {
        ipc::ops::ClaimSkill {
            name: name.into(),
            level: domain::Level::Expert as u8,
            wants: false,
            teach: true,
        }
    }

    /// The workspace's model is kept between reads and read again after any write to it:
    /// one made here, and one another process made on the same data directory.
    #[tokio::test]
    async fn the_kept_workspace_follows_writes_made_here_and_by_another_process() {
        let (tmp, node) = node().await;
        assert!(claimed(&node).await.is_empty());
        node.run(claim("Rust")).await.unwrap();
        assert_eq!(claimed(&node).await, ["Rust"]);
        let other = Node::open(&tmp.path().join("data")).await.unwrap();
        assert_eq!(claimed(&other).await, ["Rust"]);
        other.run(claim("SQL")).await.unwrap();
        assert_eq!(claimed(&node).await, ["Rust", "SQL"]);
    }

    /// What the sync merged in memory is written whole only if nothing was stored since the
    /// copy was loaded; otherwise it is merged, and an edit stored meanwhile (by this or
    /// another process) is kept.
    #[tokio::test]
    async fn a_synced_copy_never_overwrites_what_was_stored_after_it_was_loaded() {
        let (_tmp, node) = node().await;
        let id = node
            .run(ipc::ops::AddNote {
                draft: note("Shared"),
            })
            .await
            .unwrap();
        let body = |text: &str| NoteEdit {
            body: Some(text.into()),
            ..NoteEdit::default()
        };
        let load = |id: String| {
            node.call(move |c| {
                let (bytes, chunk) = c.store.doc_bytes_at(&id)?.unwrap();
                let doc = domain::load_stored(&bytes).unwrap();
                Ok((doc, chunk))
            })
        };
        // A copy changed in memory (as a merged sync message would), then written back.
        let store = |id: String,
                     mut doc: automerge::AutoCommit,
                     chunk: i64,
                     heads: Vec<automerge::ChangeHash>| {
            node.call(move |c| {
                let meta = domain::read_meta(&doc).unwrap();
                let out = c.write_synced(|w| {
                    w.store_synced(
                        &id,
                        domain::DocKind::Note,
                        &meta,
                        &mut doc,
                        Some((chunk, &heads)),
                        &Default::default(),
                        None,
                    )
                })?;
                Ok(out.0)
            })
        };
        let me = node.run(ipc::ops::Whoami {}).await.unwrap().member_id;
        let edit_copy = |doc: &mut automerge::AutoCommit, text: &str| {
            let text = text.to_owned();
            let by = domain::Author {
                id: &me,
                admin: true,
            };
            domain::change::<domain::Note, _>(doc, by, move |n: &mut domain::Note| {
                n.set_body(&text)
            })
            .unwrap();
        };

        // Nothing stored since the copy was loaded: written as it is.
        let (mut doc, chunk) = load(id.clone()).await.unwrap();
        let heads = doc.get_heads();
        edit_copy(&mut doc, "from the sync");
        let newest = store(id.clone(), doc, chunk, heads).await.unwrap();
        assert!(
            newest.is_some_and(|n| n > chunk),
            "written whole: {newest:?}"
        );
        assert_eq!(
            node.run(ipc::ops::Note { id: id.clone() })
                .await
                .unwrap()
                .body,
            "from the sync"
        );

        // An edit stored after the copy was loaded: merged, both kept.
        let (mut doc, chunk) = load(id.clone()).await.unwrap();
        let heads = doc.get_heads();
        node.run(
            NoteEdit {
                title: Some("Renamed meanwhile".into()),
                ..body("from the sync")
            }
            .on(id.clone()),
        )
        .await
        .unwrap();
        edit_copy(&mut doc, "from the sync, again");
        let newest = store(id.clone(), doc, chunk, heads).await.unwrap();
        assert_eq!(newest, None, "merged, so not exactly the copy");
        let shown = node.run(ipc::ops::Note { id }).await.unwrap();
        assert_eq!(shown.title, "Renamed meanwhile");
        assert_eq!(shown.body, "from the sync, again");
    }

    #[tokio::test]
    async fn every_write_leaves_one_snapshot_without_losing_history() {
        let (tmp, node) = node().await;
        let id = node
            .run(ipc::ops::AddNote {
                draft: note("Compacted"),
            })
            .await
            .unwrap();
        let edits = 30;
        for i in 0..edits {
            let edit = NoteEdit {
                body: Some(format!("version {i}")),
                add_tags: vec![format!("t{}", i % 5)],
                ..NoteEdit::default()
            };
            node.run(edit.on(id.clone())).await.unwrap();
        }
        let chunks = {
            let id = id.clone();
            node.call(move |c| Ok(c.store.chunk_count(&id)?))
                .await
                .unwrap()
        };
        assert_eq!(chunks, 1, "{chunks} chunks after {edits} edits");
        node.clone().shutdown().await.unwrap();

        let reopened = Node::open(&tmp.path().join("data")).await.unwrap();
        let shown = reopened.run(ipc::ops::Note { id }).await.unwrap();
        assert_eq!(shown.body, format!("version {}", edits - 1));
        assert_eq!(shown.tags, ["t0", "t1", "t2", "t3", "t4"]);
        assert!(
            reopened
                .run(ipc::ops::Doctor {
                    rebuild_index: false
                })
                .await
                .unwrap()
                .ok
        );
    }

    #[tokio::test]
    async fn two_nodes_on_one_data_dir_write_without_losing_each_others_edits() {
        let (tmp, first) = node().await;
        let second = Node::open(&tmp.path().join("data")).await.unwrap();
        let id = first
            .run(ipc::ops::AddNote {
                draft: note("Shared"),
            })
            .await
            .unwrap();
        let mut writers = Vec::new();
        for (node, name) in [(first.clone(), "a"), (second.clone(), "b")] {
            let id = id.clone();
            writers.push(tokio::spawn(async move {
                for i in 0..20 {
                    let edit = NoteEdit {
                        add_tags: vec![format!("{name}{i}")],
                        ..NoteEdit::default()
                    };
                    node.run(edit.on(id.clone())).await.unwrap();
                }
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
        let tags = second.run(ipc::ops::Note { id }).await.unwrap().tags;
        assert_eq!(tags.len(), 40, "{tags:?}");
        assert!(
            first
                .run(ipc::ops::Doctor {
                    rebuild_index: false
                })
                .await
                .unwrap()
                .ok
        );
    }

    #[tokio::test]
    async fn calls_after_shutdown_fail_cleanly() {
        let (_tmp, node) = node().await;
        let other = node.clone();
        node.shutdown().await.unwrap();
        assert!(matches!(
            other.run(ipc::ops::Whoami {}).await,
            Err(NodeError::Stopped)
        ));
    }
}
