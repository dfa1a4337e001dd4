//! Durable storage of Entrepairs documents in SQLite.
//!
//! Each document is stored as one Automerge snapshot (a chunk), with its verified header and
//! its heads recorded beside it in `documents`. A write runs in one `BEGIN IMMEDIATE`
//! transaction that inserts the new snapshot, deletes the older chunks, records the heads and
//! updates the derived indexes (note list, tags, links, threads, full-text search); the caller
//! reports success only after it commits, with the database in WAL mode and
//! `synchronous=FULL`, so an acknowledged edit survives a crash or a power cut, and no chunk is
//! deleted before its replacement is committed.
//!
//! The indexes are derived from the documents and can be rebuilt from them at any time
//! ([`Store::rebuild_index`]). This crate is the only one that touches SQLite; it never decides
//! what an edit means (that is `domain`) and never talks to the network.

mod index;
mod schema;

use std::collections::BTreeMap;
use std::path::Path;

use automerge::{AutoCommit, ChangeHash};
use domain::signing::Signatures;
use domain::{DocKind, DocMeta, DomainError, same_heads};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

pub use index::{
    ActionRow, Authored, ContributionRow, NoteFilter, NoteRow, SearchHit, SessionRow, ThreadRow,
};

/// `PRAGMA application_id` of an Entrepairs database ("EPRS").
const APPLICATION_ID: i64 = 0x4550_5253;

/// The data format this build writes and reads (the `format` setting). Format 2 signs every
/// change and keeps the membership log apart from the workspace document; a database of
/// another format is refused with one line, before anything in it is touched.
pub const FORMAT: &str = "2";

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file does not exist.
    #[error("no database at {0}")]
    Missing(String),
    /// The file exists but is not an Entrepairs database.
    #[error("{0} is not an Entrepairs database")]
    NotOurs(String),
    /// The file is damaged.
    #[error("the database {path} is corrupted or unreadable: {reason}")]
    Corrupt {
        /// The database path.
        path: String,
        /// What SQLite said.
        reason: String,
    },
    /// The database was written by a newer version.
    #[error("the database was written by a newer version of Entrepairs; update it")]
    TooNew,
    /// The database was written in an earlier data format.
    #[error(
        "{path} was written by an earlier version of Entrepairs (data format {found}), which this version cannot read: move it aside, then create a new workspace or join yours again"
    )]
    OldFormat {
        /// The database path.
        path: String,
        /// The format it says it has.
        found: String,
    },
    /// A stored document failed to load or verify.
    #[error("document {id}: {source}")]
    Document {
        /// The document id.
        id: String,
        /// The domain's reason.
        source: DomainError,
    },
    /// A schema migration failed.
    #[error("cannot upgrade the database schema: {0}")]
    Migration(String),
    /// Any other SQLite error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// A peer this device has met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRow {
    /// Device id.
    pub peer: String,
    /// Addresses it can be dialed at (JSON list).
    pub addrs: String,
    /// Last connection, ms.
    pub last_connected: Option<i64>,
    /// Last time something was received from it, ms.
    pub last_synced: Option<i64>,
    /// How it was last reached: `direct`, `hole-punched` or `relayed`.
    pub path: Option<String>,
}

/// A change a peer sent that was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalRow {
    /// The document.
    pub doc: String,
    /// The change.
    pub change: ChangeHash,
    /// Its author as its actor names it.
    pub author: String,
    /// Why it was refused.
    pub reason: String,
    /// When, ms since the epoch.
    pub at: i64,
}

/// A stored document's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRow {
    /// Document id.
    pub id: String,
    /// Its kind.
    pub kind: DocKind,
    /// Its scope, as stored in its header.
    pub scope: String,
}

/// One open database. Owned by one thread (the node's store thread); other processes on the
/// same data directory coordinate through SQLite's locks.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Creates a new database at `path`, which must not exist yet.
    pub fn create(path: &Path) -> Result<Store, StoreError> {
        if path.exists() {
            return Err(StoreError::NotOurs(path.display().to_string()));
        }
        // The file is made first, readable by its owner only: SQLite gives its WAL and shared
        // memory files the database file's permissions, and an empty file is a new database.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path).map_err(|e| StoreError::Corrupt {
            path: path.display().to_string(),
            reason: format!("cannot create it: {e}"),
        })?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        configure(&conn)?;
        schema::migrate(&mut conn)?;
        conn.execute(
            "INSERT INTO settings(key, value) VALUES ('format', ?1)",
            [FORMAT],
        )?;
        Ok(Store { conn })
    }

    /// Opens an existing database, checking that it is ours and migrating it to the current
    /// schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        if !path.is_file() {
            return Err(StoreError::Missing(shown));
        }
        check_header(path)?;
        let corrupt = |e: rusqlite::Error| StoreError::Corrupt {
            path: shown.clone(),
            reason: e.to_string(),
        };
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(corrupt)?;
        let app: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(corrupt)?;
        if app != APPLICATION_ID {
            return Err(StoreError::NotOurs(shown));
        }
        // Before anything writes to it (the journal mode is written in the file).
        check_format(&conn, &shown)?;
        configure(&conn).map_err(corrupt)?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// A value of the key/value settings table.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committed only if `f` succeeds. Nothing
    /// `f` wrote is visible, to this or any other process, unless the commit succeeds.
    pub fn write<R, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&Tx<'_>) -> Result<R, E>,
    ) -> Result<R, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&Tx { tx: &tx })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// The stored bytes of a document (all its chunks, in order), if it exists.
    pub fn doc_bytes(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        doc_bytes(&self.conn, id)
    }

    /// [`Store::doc_bytes`] with the id of the document's newest chunk.
    pub fn doc_bytes_at(&self, id: &str) -> Result<Option<(Vec<u8>, i64)>, StoreError> {
        doc_bytes_at(&self.conn, id)
    }

    /// The id of the newest committed chunk of document `id` ([`Tx::newest_chunk`]).
    pub fn newest_chunk(&self, id: &str) -> Result<Option<i64>, StoreError> {
        newest_chunk(&self.conn, id)
    }

    /// The verified header and the heads of a stored document, as recorded with its newest
    /// snapshot, without loading the document; `None` if the document is unknown or its record
    /// predates these columns (then load it).
    pub fn doc_header(&self, id: &str) -> Result<Option<(DocMeta, Vec<ChangeHash>)>, StoreError> {
        let row: Option<(Option<String>, Option<Vec<u8>>)> = self
            .conn
            .prepare_cached("SELECT header, heads FROM documents WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((Some(header), Some(heads))) = row else {
            return Ok(None);
        };
        let meta: Option<DocMeta> = serde_json::from_str(&header).ok();
        Ok(meta.zip(heads_from_blob(&heads)))
    }

    /// Every stored document, optionally of one kind.
    pub fn documents(&self, kind: Option<DocKind>) -> Result<Vec<DocRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, kind, scope FROM documents WHERE ?1 IS NULL OR kind = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([kind.map(DocKind::as_str)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, scope) = row?;
            let kind = kind.parse().map_err(|source| StoreError::Document {
                id: id.clone(),
                source,
            })?;
            out.push(DocRow { id, kind, scope });
        }
        Ok(out)
    }

    /// The ids of documents of `kind` whose id starts with `prefix`.
    pub fn ids_with_prefix(&self, kind: DocKind, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM documents WHERE kind = ?1 AND substr(id, 1, length(?2)) = ?2 ORDER BY id LIMIT 10",
        )?;
        let rows = stmt.query_map(params![kind.as_str(), prefix], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many chunks a document is stored as.
    pub fn chunk_count(&self, id: &str) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM chunks WHERE doc_id = ?1", [id], |r| {
                r.get(0)
            })?)
    }

    /// `PRAGMA integrity_check`: an empty list when the database is sound.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let problems: Vec<String> = rows.collect::<Result<_, _>>()?;
        Ok(problems.into_iter().filter(|p| p != "ok").collect())
    }

    /// Drops every derived index and rebuilds it from the documents, in one transaction.
    /// Returns how many documents were indexed.
    pub fn rebuild_index(&mut self) -> Result<usize, StoreError> {
        self.write(|tx| {
            index::clear(tx.tx)?;
            let docs: Vec<(String, String)> = {
                let mut stmt = tx
                    .tx
                    .prepare("SELECT id, kind FROM documents ORDER BY id")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<Result<_, _>>()?
            };
            for (id, kind) in &docs {
                let kind: DocKind = kind.parse().map_err(|source| StoreError::Document {
                    id: id.clone(),
                    source,
                })?;
                let doc = load_strict(tx.tx, id)?;
                let meta = domain::read_meta(&doc).map_err(|source| StoreError::Document {
                    id: id.clone(),
                    source,
                })?;
                index::index_doc(tx.tx, &meta, kind, &doc)?;
            }
            Ok::<_, StoreError>(docs.len())
        })
    }

    /// Whether the derived indexes match what the documents say (the check `doctor` runs):
    /// returns the ids of documents whose index rows are missing or stale.
    pub fn stale_index_entries(&self) -> Result<Vec<String>, StoreError> {
        index::stale(&self.conn)
    }

    /// The notes `filter` keeps, newest first: the first `limit` of them (all when `None`).
    pub fn notes(
        &self,
        filter: &NoteFilter<'_>,
        limit: Option<u32>,
    ) -> Result<Vec<NoteRow>, StoreError> {
        index::notes(&self.conn, filter, limit)
    }

    /// Who wrote each note, when, and in which scope ([`Authored`]), in no order.
    pub fn authored(&self) -> Result<Vec<Authored>, StoreError> {
        index::authored(&self.conn)
    }

    /// How many notes `filter` keeps.
    pub fn count_notes(&self, filter: &NoteFilter<'_>) -> Result<u64, StoreError> {
        index::count_notes(&self.conn, filter)
    }

    /// Every tag the notes carry and every skill id they are linked to, sorted.
    pub fn note_facets(&self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        index::note_facets(&self.conn)
    }

    /// The id of a note titled `title` (case and accents ignored), if any.
    pub fn note_by_title(&self, title: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM note_index WHERE title_key = ?1 ORDER BY created_at, id LIMIT 1",
                [domain::fold(title)],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Notes whose body links to a note titled `title`.
    pub fn backlinks(&self, title: &str) -> Result<Vec<NoteRow>, StoreError> {
        index::backlinks(&self.conn, title)
    }

    /// Threads of a community, newest activity first.
    pub fn threads(&self, community: &str) -> Result<Vec<ThreadRow>, StoreError> {
        index::threads(&self.conn, community)
    }

    /// The highest chunk id: it grows with every write by any process, so a change of it
    /// means some document changed.
    pub fn last_chunk(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM chunks", [], |r| r.get(0))?)
    }

    /// Documents with a chunk newer than `after`.
    pub fn changed_since(&self, after: i64) -> Result<Vec<(String, DocKind)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT c.doc_id, d.kind FROM chunks c JOIN documents d ON d.id = c.doc_id \
             WHERE c.id > ?1",
        )?;
        let rows = stmt.query_map([after], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind) = row?;
            let kind = kind.parse().map_err(|source| StoreError::Document {
                id: id.clone(),
                source,
            })?;
            out.push((id, kind));
        }
        Ok(out)
    }

    /// Remembers a peer: its addresses (JSON list) and when it was last connected or synced.
    pub fn note_peer(
        &self,
        peer: &str,
        addrs: Option<&str>,
        connected: Option<i64>,
        synced: Option<i64>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO peers(peer, addrs, last_connected, last_synced) VALUES (?1, coalesce(?2, '[]'), ?3, ?4)
             ON CONFLICT(peer) DO UPDATE SET addrs = coalesce(?2, addrs),
                 last_connected = coalesce(?3, last_connected), last_synced = coalesce(?4, last_synced)",
            rusqlite::params![peer, addrs, connected, synced],
        )?;
        Ok(())
    }

    /// Records how a peer is reached now.
    pub fn note_peer_path(&self, peer: &str, path: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO peers(peer, addrs, path) VALUES (?1, '[]', ?2)
             ON CONFLICT(peer) DO UPDATE SET path = ?2",
            rusqlite::params![peer, path],
        )?;
        Ok(())
    }

    /// Known peers.
    pub fn peers(&self) -> Result<Vec<PeerRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT peer, addrs, last_connected, last_synced, path FROM peers ORDER BY peer",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PeerRow {
                peer: r.get(0)?,
                addrs: r.get(1)?,
                last_connected: r.get(2)?,
                last_synced: r.get(3)?,
                path: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records the heads digests a peer announced, `(doc, digest)`, in one transaction.
    pub fn note_peer_docs(
        &mut self,
        peer: &str,
        docs: &[(&str, &[u8])],
        at: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO peer_docs(peer, doc, digest, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(peer, doc) DO UPDATE SET digest = ?3, at = ?4",
            )?;
            for (doc, digest) in docs {
                stmt.execute(rusqlite::params![peer, doc, digest, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The digests peers announced: (peer, doc, digest).
    pub fn peer_docs(&self) -> Result<Vec<(String, String, Vec<u8>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT peer, doc, digest FROM peer_docs ORDER BY peer, doc")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sets a value of the settings table outside any document write.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write(|tx| tx.set_setting(key, value))
    }

    /// Removes a value of the settings table.
    pub fn remove_setting(&mut self, key: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Every membership entry stored, in the order they were added (each was verified before
    /// it was stored; see the schema's note on `membership_log`), with its hash.
    pub fn membership_entries(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT hash, entry FROM membership_log ORDER BY seq")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many membership entries are stored: a cheap mark of whether the log grew (also
    /// through another process on the same database).
    pub fn membership_mark(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(seq), 0) FROM membership_log",
            [],
            |r| r.get(0),
        )?)
    }

    /// The stored signatures of document `id`'s changes; only those of `hashes` if given.
    pub fn signatures(
        &self,
        id: &str,
        hashes: Option<&[ChangeHash]>,
    ) -> Result<Signatures, StoreError> {
        signatures(&self.conn, id, hashes)
    }

    /// Records that `peer` sent a change that was refused.
    pub fn record_refusal(&self, peer: &str, refusal: &RefusalRow) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO refusals(peer, doc_id, change, author, reason, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                peer,
                refusal.doc,
                refusal.change.0.as_slice(),
                refusal.author,
                refusal.reason,
                refusal.at
            ])?;
        Ok(())
    }

    /// By peer and document: how many changes the peer sent were refused.
    pub fn refusal_counts(&self) -> Result<BTreeMap<(String, String), usize>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT peer, doc_id, count(*) FROM refusals GROUP BY peer, doc_id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (key, n) = row?;
            out.insert(key, usize::try_from(n).unwrap_or(0));
        }
        Ok(out)
    }

    /// By peer: how many changes it sent were refused, and the newest refusal.
    pub fn refusals(&self) -> Result<BTreeMap<String, (usize, RefusalRow)>, StoreError> {
        let mut stmt = self.conn.prepare(
            // With max(), SQLite takes the other columns from the row holding the maximum: the
            // newest refusal (ids grow with every one recorded).
            "SELECT peer, count(*), doc_id, change, author, reason, at, max(id) FROM refusals GROUP BY peer",
        )?;
        let rows = stmt.query_map([], |r| {
            let change: Vec<u8> = r.get(3)?;
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                change,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (peer, count, doc, change, author, reason, at) = row?;
            let change = ChangeHash::try_from(change.as_slice()).unwrap_or(ChangeHash([0; 32]));
            out.insert(
                peer,
                (
                    usize::try_from(count).unwrap_or(0),
                    RefusalRow {
                        doc,
                        change,
                        author,
                        reason,
                        at,
                    },
                ),
            );
        }
        Ok(out)
    }

    /// Every indexed action item, open ones first by due date.
    pub fn actions(&self) -> Result<Vec<ActionRow>, StoreError> {
        index::actions(&self.conn)
    }

    /// Every indexed contribution, oldest first.
    pub fn contributions(&self) -> Result<Vec<ContributionRow>, StoreError> {
        index::contributions(&self.conn)
    }

    /// Every indexed session, by planned start.
    pub fn sessions(&self) -> Result<Vec<SessionRow>, StoreError> {
        index::sessions(&self.conn)
    }

    /// Full-text search over notes, threads, sessions and profiles.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        index::search(&self.conn, query, limit)
    }
}

/// The write side of [`Store::write`].
pub struct Tx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

impl Tx<'_> {
    /// The newest chunk's id, as seen inside this transaction (see [`Store::last_chunk`]).
    pub fn last_chunk(&self) -> Result<i64, StoreError> {
        Ok(self
            .tx
            .query_row("SELECT coalesce(max(id), 0) FROM chunks", [], |r| r.get(0))?)
    }

    /// Runs `f` inside a savepoint of this transaction: if `f` fails, everything it wrote is
    /// rolled back and the transaction goes on without it (one bad document of a batch does
    /// not cost the others).
    pub fn savepoint<R, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Self) -> Result<R, E>,
    ) -> Result<R, E> {
        let run = |sql: &str| -> Result<(), StoreError> {
            self.tx.prepare_cached(sql)?.execute([])?;
            Ok(())
        };
        run("SAVEPOINT part")?;
        match f(self) {
            Ok(out) => {
                run("RELEASE part")?;
                Ok(out)
            }
            Err(e) => {
                run("ROLLBACK TO part")?;
                run("RELEASE part")?;
                Err(e)
            }
        }
    }

    /// Sets a value of the key/value settings table.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Removes the settings whose key starts with `prefix` and whose value, a time in ms, is
    /// before `before`.
    pub fn forget_settings_before(&self, prefix: &str, before: i64) -> Result<(), StoreError> {
        self.tx.execute(
            "DELETE FROM settings WHERE substr(key, 1, length(?1)) = ?1
             AND CAST(value AS INTEGER) < ?2",
            params![prefix, before],
        )?;
        Ok(())
    }

    /// The stored bytes of a document, read inside this transaction (so no other writer can
    /// change it before this one commits).
    pub fn doc_bytes(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        doc_bytes(self.tx, id)
    }

    /// Appends a verified membership entry (ignored if already stored). Returns whether it was
    /// new.
    pub fn add_membership_entry(&self, hash: &str, entry: &str) -> Result<bool, StoreError> {
        let added = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO membership_log(hash, entry) VALUES (?1, ?2)")?
            .execute(params![hash, entry])?;
        Ok(added == 1)
    }

    /// Stores signatures of document `id`'s changes (those already stored are kept).
    pub fn add_signatures(&self, id: &str, sigs: &Signatures) -> Result<(), StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT OR IGNORE INTO change_sigs(doc_id, hash, sig) VALUES (?1, ?2, ?3)",
        )?;
        for (hash, sig) in sigs {
            stmt.execute(params![id, hash.0.as_slice(), sig.as_slice()])?;
        }
        Ok(())
    }

    /// [`Store::signatures`], inside this transaction.
    pub fn signatures(
        &self,
        id: &str,
        hashes: Option<&[ChangeHash]>,
    ) -> Result<Signatures, StoreError> {
        signatures(self.tx, id, hashes)
    }

    /// Stores a new document as one snapshot and indexes it, with `meta` its verified header
    /// (kept beside it, see [`Store::doc_header`]). Fails if the id exists.
    pub fn insert_doc(
        &self,
        meta: &DocMeta,
        kind: DocKind,
        doc: &mut AutoCommit,
    ) -> Result<(), StoreError> {
        self.insert_ready(Ready::new(meta, kind, doc)?)
    }

    /// [`Tx::insert_doc`] for a document made [`Ready`] beforehand.
    pub fn insert_ready(&self, ready: Ready) -> Result<(), StoreError> {
        let Ready { meta, kind, .. } = &ready;
        self.tx
            .prepare_cached(
                "INSERT INTO documents(id, kind, scope, header) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                meta.id,
                kind.as_str(),
                meta.scope,
                header_json(meta)?
            ])?;
        self.compact(&ready)?;
        ready.indexed.write(self.tx, &meta.id, index::Rows::New)
    }

    /// Stores `doc` (whose verified header is `meta`) if it gained anything since `since`: one
    /// new snapshot replaces the document's chunks, and its index rows are recomputed (which
    /// fails if `doc` no longer carries `meta`). Returns the new snapshot's chunk id, or `None`
    /// when there was nothing new.
    ///
    /// A snapshot and not an incremental change chunk: Automerge loads a document saved whole
    /// several times faster than one followed by even a single change chunk (a small note:
    /// 0.8 ms against 5.7 ms), and every read, sync and edit starts with a load.
    pub fn append(
        &self,
        meta: &DocMeta,
        kind: DocKind,
        doc: &mut AutoCommit,
        since: &[ChangeHash],
    ) -> Result<Option<i64>, StoreError> {
        if same_heads(&doc.get_heads(), since) {
            return Ok(None);
        }
        self.append_ready(Ready::new(meta, kind, doc)?, since)
    }

    /// [`Tx::append`] for a document made [`Ready`] beforehand.
    pub fn append_ready(
        &self,
        ready: Ready,
        since: &[ChangeHash],
    ) -> Result<Option<i64>, StoreError> {
        if same_heads(&ready.heads, since) {
            return Ok(None);
        }
        let chunk = self.compact(&ready)?;
        ready
            .indexed
            .write(self.tx, &ready.meta.id, index::Rows::Replace)?;
        Ok(Some(chunk))
    }

    /// The id of the newest chunk of document `id` (what a cached copy is validated against:
    /// any write of the document adds a chunk with a higher id).
    pub fn newest_chunk(&self, id: &str) -> Result<Option<i64>, StoreError> {
        newest_chunk(self.tx, id)
    }

    /// Replaces every chunk of `ready`'s document by its snapshot and records its heads. The
    /// snapshot is inserted first and the older chunks deleted after, in this same transaction.
    /// Returns the snapshot's chunk id.
    fn compact(&self, ready: &Ready) -> Result<i64, StoreError> {
        let id = &ready.meta.id;
        self.tx
            .prepare_cached("INSERT INTO chunks(doc_id, kind, bytes) VALUES (?1, 'snapshot', ?2)")?
            .execute(params![id, ready.snapshot])?;
        let snapshot = self.tx.last_insert_rowid();
        self.tx
            .prepare_cached("DELETE FROM chunks WHERE doc_id = ?1 AND id < ?2")?
            .execute(params![id, snapshot])?;
        self.tx
            .prepare_cached("UPDATE documents SET heads = ?2 WHERE id = ?1")?
            .execute(params![id, heads_blob(&ready.heads)])?;
        Ok(snapshot)
    }
}

/// A document made ready to be written, apart from the database: its snapshot, its heads and
/// the model its index rows come from. What costs in writing a document is made here, so that
/// the documents of a batch can be made ready on every core and then written in turn
/// ([`Tx::insert_ready`], [`Tx::append_ready`]).
pub struct Ready {
    meta: DocMeta,
    kind: DocKind,
    snapshot: Vec<u8>,
    heads: Vec<ChangeHash>,
    indexed: index::Indexed,
}

impl Ready {
    /// `doc`, whose verified header is `meta`, ready to be written as a `kind`; fails if it
    /// does not carry `meta` or its model is not valid.
    pub fn new(meta: &DocMeta, kind: DocKind, doc: &mut AutoCommit) -> Result<Self, StoreError> {
        let indexed = index::Indexed::read(meta, kind, doc)?;
        // Changes whose past is missing (Automerge queues them) are never stored: each stored
        // change was judged.
        let snapshot = doc.save_with_options(automerge::SaveOptions {
            retain_orphans: false,
            ..automerge::SaveOptions::default()
        });
        Ok(Self {
            meta: meta.clone(),
            kind,
            snapshot,
            heads: doc.get_heads(),
            indexed,
        })
    }
}

/// A header as kept in `documents.header`.
fn header_json(meta: &DocMeta) -> Result<String, StoreError> {
    serde_json::to_string(meta).map_err(|e| StoreError::Document {
        id: meta.id.clone(),
        source: DomainError::Corrupt(e.to_string()),
    })
}

/// Heads as kept in `documents.heads`: the 32-byte hashes one after another.
fn heads_blob(heads: &[ChangeHash]) -> Vec<u8> {
    heads.iter().flat_map(|h| h.0).collect()
}

/// `None` if the blob is not whole hashes (a short last piece fails the conversion). Sized
/// exactly: the sync keeps the heads of every document it looked at.
fn heads_from_blob(blob: &[u8]) -> Option<Vec<ChangeHash>> {
    let mut heads = Vec::with_capacity(blob.len().div_ceil(32));
    for h in blob.chunks(32) {
        heads.push(ChangeHash::try_from(h).ok()?);
    }
    Some(heads)
}

/// Reads the database header before SQLite opens the file, so that a damaged or foreign file
/// is refused without SQLite touching it or its WAL (which may hold the last transactions).
fn check_header(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let shown = path.display().to_string();
    let mut header = [0u8; 100];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header));
    match read {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            return Err(StoreError::Corrupt {
                path: shown,
                reason: "the file is truncated".into(),
            });
        }
        Err(e) => {
            return Err(StoreError::Corrupt {
                path: shown,
                reason: e.to_string(),
            });
        }
    }
    if &header[..16] != b"SQLite format 3\0" {
        return Err(StoreError::Corrupt {
            path: shown,
            reason: "the SQLite header is damaged".into(),
        });
    }
    // `PRAGMA application_id` lives big-endian at offset 68 of the header.
    let app = i64::from(i32::from_be_bytes([
        header[68], header[69], header[70], header[71],
    ]));
    if app != APPLICATION_ID {
        return Err(StoreError::NotOurs(shown));
    }
    Ok(())
}

/// Refuses a database whose data format is not [`FORMAT`] (an empty new file passes).
fn check_format(conn: &Connection, shown: &str) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version == 0 {
        return Ok(());
    }
    let found: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = 'format'", [], |r| {
            r.get(0)
        })
        .optional()?;
    match found {
        Some(f) if f == FORMAT => Ok(()),
        other => Err(StoreError::OldFormat {
            path: shown.to_owned(),
            found: other.unwrap_or_else(|| "1".into()),
        }),
    }
}

/// Statements kept prepared (`prepare_cached`). Storing one document runs some 30 distinct
/// statements in turn; with rusqlite's default of 16 the least recently used one was always
/// the next needed, so every statement was parsed again each time.
const PREPARED_STATEMENTS: usize = 64;

fn configure(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.set_prepared_statement_cache_capacity(PREPARED_STATEMENTS);
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Savepoints' sub-journals (and temporary sort indexes) in memory rather than in temporary
    // files: the sync writes each arriving document in a savepoint of its own, and a file cost
    // a write system call for every page each one changed. Durability is the WAL's, unchanged.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

fn signatures(
    conn: &Connection,
    id: &str,
    hashes: Option<&[ChangeHash]>,
) -> Result<Signatures, StoreError> {
    let mut out = Signatures::new();
    let mut push = |hash: Vec<u8>, sig: Vec<u8>| {
        if let (Ok(hash), Ok(sig)) = (ChangeHash::try_from(hash.as_slice()), sig.try_into()) {
            out.insert(hash, sig);
        }
    };
    match hashes {
        None => {
            let mut stmt =
                conn.prepare_cached("SELECT hash, sig FROM change_sigs WHERE doc_id = ?1")?;
            let mut rows = stmt.query([id])?;
            while let Some(row) = rows.next()? {
                push(row.get(0)?, row.get(1)?);
            }
        }
        Some(hashes) => {
            let mut stmt =
                conn.prepare_cached("SELECT sig FROM change_sigs WHERE doc_id = ?1 AND hash = ?2")?;
            for hash in hashes {
                let sig: Option<Vec<u8>> = stmt
                    .query_row(params![id, hash.0.as_slice()], |r| r.get(0))
                    .optional()?;
                if let Some(sig) = sig {
                    push(hash.0.to_vec(), sig);
                }
            }
        }
    }
    Ok(out)
}

fn doc_bytes(conn: &Connection, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(doc_bytes_at(conn, id)?.map(|(bytes, _)| bytes))
}

fn newest_chunk(conn: &Connection, id: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT max(id) FROM chunks WHERE doc_id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

/// The stored bytes of a document and the id of its newest chunk.
fn doc_bytes_at(conn: &Connection, id: &str) -> Result<Option<(Vec<u8>, i64)>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT bytes, id FROM chunks WHERE doc_id = ?1 ORDER BY id")?;
    let mut rows = stmt.query([id])?;
    let mut out: Option<(Vec<u8>, i64)> = None;
    while let Some(row) = rows.next()? {
        let chunk = row.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
        let entry = out.get_or_insert_with(|| (Vec::new(), 0));
        entry.0.extend_from_slice(chunk);
        entry.1 = row.get(1)?;
    }
    Ok(out)
}

/// Loads a stored document with Automerge's strict options (fail on any partial load, check
/// the heads' hashes).
fn load_strict(conn: &Connection, id: &str) -> Result<AutoCommit, StoreError> {
    let bytes = doc_bytes(conn, id)?.unwrap_or_default();
    domain::load_stored(&bytes).map_err(|source| StoreError::Document {
        id: id.to_owned(),
        source,
    })
}

/// Loads a stored document strictly and checks it against its kind's schema and header:
/// what `doctor` runs on every document.
pub fn check_document(store: &Store, row: &DocRow) -> Result<(), StoreError> {
    let mut doc = load_strict(&store.conn, &row.id)?;
    let err = |source| StoreError::Document {
        id: row.id.clone(),
        source,
    };
    let meta = domain::check_any(&doc).map_err(err)?;
    if meta.id != row.id || meta.scope != row.scope || meta.kind != row.kind.as_str() {
        return Err(err(DomainError::Invalid(
            "the header does not match the database's record".into(),
        )));
    }
    let mut heads = doc.get_heads();
    heads.sort();
    let recorded = store.doc_header(&row.id)?.map(|(header, mut recorded)| {
        recorded.sort();
        (header, recorded)
    });
    if recorded != Some((meta, heads)) {
        return Err(err(DomainError::Invalid(
            "the header and heads recorded beside the document are missing or stale".into(),
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use domain::{DocKind, DocMeta, Note, Scope};
    use libp2p_identity::Keypair;

    use super::{Store, StoreError};

    /// A new note document and its header, created by a fresh device.
    fn note(id: &str) -> (automerge::AutoCommit, DocMeta) {
        note_in(id, |_| Scope::Workspace, 1)
    }

    /// [`note`] in the scope `scope` gives for its creator, created at `created_at`.
    fn note_in(
        id: &str,
        scope: impl FnOnce(&str) -> Scope,
        created_at: i64,
    ) -> (automerge::AutoCommit, DocMeta) {
        let key = Keypair::generate_ed25519();
        let creator = key.public().to_peer_id().to_string();
        let meta = DocMeta::new_signed(
            &key,
            id,
            DocKind::Note,
            &scope(&creator),
            "ws",
            created_at,
            &[],
        )
        .unwrap();
        let model = Note::new(meta.clone(), "Title", "Body", &[], &[]).unwrap();
        let doc = domain::create(domain::actor_for(&key.public().to_peer_id()), &model).unwrap();
        (doc, meta)
    }

    /// Applies `edit` to the note `doc` as its creator would.
    fn edit_as_creator(
        doc: &mut automerge::AutoCommit,
        meta: &DocMeta,
        edit: impl FnOnce(&mut Note),
    ) {
        let by = domain::Author {
            id: &meta.created_by,
            admin: false,
        };
        domain::change::<Note, _>(doc, by, |n| {
            edit(n);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn the_header_and_heads_are_recorded_with_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("db")).unwrap();
        let (mut doc, meta) = note("n1");
        store
            .write(|tx| tx.insert_doc(&meta, DocKind::Note, &mut doc))
            .unwrap();
        let recorded = store.doc_header("n1").unwrap().unwrap();
        assert_eq!(recorded, (meta.clone(), doc.get_heads()));

        let before = doc.get_heads();
        edit_as_creator(&mut doc, &meta, |n| n.title = "Another title".into());
        let chunk = store
            .write(|tx| tx.append(&meta, DocKind::Note, &mut doc, &before))
            .unwrap();
        assert!(chunk.is_some());
        let (_, heads) = store.doc_header("n1").unwrap().unwrap();
        assert_eq!(heads, doc.get_heads());
        assert_ne!(heads, before);
        assert_eq!(store.doc_header("unknown").unwrap(), None);
        let row = store.documents(None).unwrap().remove(0);
        super::check_document(&store, &row).unwrap();
    }

    #[test]
    fn a_new_document_gets_its_index_rows_and_a_rewrite_replaces_them_all() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("db")).unwrap();
        let (mut doc, meta) = note("n1");
        // Made ready apart from the transaction, as the sync does on its worker threads.
        let ready = super::Ready::new(&meta, DocKind::Note, &mut doc).unwrap();
        store.write(|tx| tx.insert_ready(ready)).unwrap();
        let titles = |store: &Store| -> Vec<String> {
            store
                .notes(&super::NoteFilter::default(), None)
                .unwrap()
                .into_iter()
                .map(|n| n.title)
                .collect()
        };
        assert_eq!(titles(&store), ["Title"]);
        assert_eq!(store.search("Body", 10).unwrap().len(), 1);

        let before = doc.get_heads();
        edit_as_creator(&mut doc, &meta, |n| {
            n.title = "Renamed".into();
            n.body.update("Rewritten");
        });
        let ready = super::Ready::new(&meta, DocKind::Note, &mut doc).unwrap();
        store
            .write(|tx| tx.append_ready(ready, &before))
            .unwrap()
            .expect("something new to write");
        assert_eq!(titles(&store), ["Renamed"], "one row, the new one");
        assert_eq!(
            store.search("Body", 10).unwrap(),
            Vec::new(),
            "old text gone"
        );
        assert_eq!(store.search("Rewritten", 10).unwrap().len(), 1);
        assert_eq!(store.stale_index_entries().unwrap(), Vec::<String>::new());
        // Nothing new since: nothing written.
        let heads = doc.get_heads();
        let ready = super::Ready::new(&meta, DocKind::Note, &mut doc).unwrap();
        assert_eq!(
            store.write(|tx| tx.append_ready(ready, &heads)).unwrap(),
            None
        );
    }

    #[test]
    fn who_wrote_each_note_is_read_as_the_note_list_has_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("db")).unwrap();
        let (mut shared, by_first) = note("n1");
        // A personal note, created at another time.
        let (mut personal, mine) = note_in("n2", |owner| Scope::Personal(owner.into()), 3);
        let owner = mine.created_by.clone();
        store
            .write(|tx| {
                tx.insert_doc(&by_first, DocKind::Note, &mut shared)?;
                tx.insert_doc(&mine, DocKind::Note, &mut personal)
            })
            .unwrap();
        // Edited later: its update time moves, its creation time does not.
        let before = shared.get_heads();
        edit_as_creator(&mut shared, &by_first, |n| n.updated_at = 7);
        store
            .write(|tx| tx.append(&by_first, DocKind::Note, &mut shared, &before))
            .unwrap();

        let mut authored = store.authored().unwrap();
        authored.sort_by_key(|a| a.created_at);
        assert_eq!(
            authored,
            [
                super::Authored {
                    author: by_first.created_by.clone(),
                    created_at: 1,
                    scope: "workspace".into(),
                },
                super::Authored {
                    author: owner.clone(),
                    created_at: 3,
                    scope: format!("personal:{owner}"),
                },
            ]
        );
        // The same as the full rows the note list reads.
        let mut listed: Vec<super::Authored> = store
            .notes(&super::NoteFilter::default(), None)
            .unwrap()
            .into_iter()
            .map(|n| super::Authored {
                author: n.author,
                created_at: n.created_at,
                scope: n.scope,
            })
            .collect();
        listed.sort_by_key(|a| a.created_at);
        assert_eq!(authored, listed);
    }

    #[test]
    fn a_document_whose_model_does_not_carry_the_given_header_is_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("db")).unwrap();
        let (mut doc, _) = note("n1");
        let (_, other) = note("n1");
        let refused = store.write(|tx| tx.insert_doc(&other, DocKind::Note, &mut doc));
        assert!(matches!(refused, Err(StoreError::Document { .. })));
        assert_eq!(store.documents(None).unwrap(), Vec::new());
    }

    #[test]
    fn a_database_of_the_previous_data_format_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            // A database as format 1 left it: our application id, tables, no format setting.
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.pragma_update(None, "application_id", super::APPLICATION_ID)
                .unwrap();
            conn.execute_batch(
                "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 PRAGMA user_version = 6;",
            )
            .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path)
            .err()
            .expect("an old database is refused");
        assert!(matches!(err, StoreError::OldFormat { ref found, .. } if found == "1"));
        assert!(
            err.to_string()
                .contains("was written by an earlier version of Entrepairs (data format 1)"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before, "left as it was");
        // A database of this format opens.
        let new = dir.path().join("new");
        drop(Store::create(&new).unwrap());
        Store::open(&new).unwrap();
    }

    #[test]
    fn a_failed_savepoint_undoes_only_its_own_writes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("db")).unwrap();
        store
            .write(|tx| {
                tx.set_setting("kept", "1")?;
                let failed = tx.savepoint(|tx| {
                    tx.set_setting("undone", "2")?;
                    Err::<(), _>(StoreError::Missing("on purpose".into()))
                });
                assert!(failed.is_err());
                tx.savepoint(|tx| tx.set_setting("after", "3"))
            })
            .unwrap();
        assert_eq!(store.setting("kept").unwrap().as_deref(), Some("1"));
        assert_eq!(store.setting("undone").unwrap(), None);
        assert_eq!(store.setting("after").unwrap().as_deref(), Some("3"));
    }
}
