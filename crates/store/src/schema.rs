//! The database schema and its migrations (`rusqlite_migration`, tracked in `user_version`).
//!
//! Migrations only ever get appended. `documents` and `chunks` are the source of truth; every
//! other table is a derived index that `index::clear` may drop and rebuild, except three that are
//! sources of truth too: `membership_log` (the workspace's signed membership entries, verified
//! once as they were added, append-only), `change_sigs` (each stored change's signature by its
//! author, sent with the change to other devices) and `refusals` (changes peers sent that were
//! refused, shown with the peer that sent them).

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::StoreError;

pub(crate) fn migrations() -> Migrations<'static> {
    // Data format 2 (signed changes, the membership log in its own table) starts the
    // migrations afresh: a database of format 1 is refused before any of them runs
    // (`Store::open`).
    Migrations::new(vec![
        M::up(
            "CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    CREATE TABLE documents (
        id     TEXT PRIMARY KEY,
        kind   TEXT NOT NULL,
        scope  TEXT NOT NULL,
        header TEXT,
        heads  BLOB
    ) STRICT;
    CREATE TABLE chunks (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL REFERENCES documents(id),
        kind   TEXT NOT NULL CHECK (kind IN ('snapshot', 'change')),
        bytes  BLOB NOT NULL
    ) STRICT;
    CREATE INDEX chunks_by_doc ON chunks(doc_id, id);
    CREATE TABLE change_sigs (
        doc_id TEXT NOT NULL,
        hash   BLOB NOT NULL,
        sig    BLOB NOT NULL,
        PRIMARY KEY (doc_id, hash)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE membership_log (
        seq   INTEGER PRIMARY KEY,
        hash  TEXT NOT NULL UNIQUE,
        entry TEXT NOT NULL
    ) STRICT;
    CREATE TABLE refusals (
        id     INTEGER PRIMARY KEY,
        peer   TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        change BLOB NOT NULL,
        author TEXT NOT NULL,
        reason TEXT NOT NULL,
        at     INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX refusals_by_peer ON refusals(peer, at);
    CREATE TABLE peers (
        peer           TEXT PRIMARY KEY,
        addrs          TEXT NOT NULL,
        last_connected INTEGER,
        last_synced    INTEGER
    ) STRICT;
    CREATE TABLE peer_docs (
        peer   TEXT NOT NULL,
        doc    TEXT NOT NULL,
        digest BLOB NOT NULL,
        at     INTEGER NOT NULL,
        PRIMARY KEY (peer, doc)
    ) STRICT;

    CREATE TABLE note_index (
        id         TEXT PRIMARY KEY,
        title      TEXT NOT NULL,
        title_key  TEXT NOT NULL,
        scope      TEXT NOT NULL,
        author     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX note_by_title ON note_index(title_key);
    CREATE TABLE note_tags (note_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (note_id, tag)) STRICT;
    CREATE TABLE note_skills (note_id TEXT NOT NULL, skill TEXT NOT NULL, PRIMARY KEY (note_id, skill)) STRICT;
    CREATE TABLE note_links (note_id TEXT NOT NULL, target_key TEXT NOT NULL, PRIMARY KEY (note_id, target_key)) STRICT;
    CREATE INDEX links_by_target ON note_links(target_key);
    CREATE TABLE thread_index (
        id         TEXT PRIMARY KEY,
        community  TEXT NOT NULL,
        title      TEXT NOT NULL,
        author     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        replies    INTEGER NOT NULL,
        accepted   TEXT
    ) STRICT;
    CREATE INDEX thread_by_community ON thread_index(community, updated_at);
    CREATE VIRTUAL TABLE search USING fts5(
        doc_id UNINDEXED, kind UNINDEXED, title, body,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    -- FTS5 deletes fast only by rowid; this maps each document (or profile) to its rows.
    CREATE TABLE search_rows (
        row    INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL,
        kind   TEXT NOT NULL
    ) STRICT;
    CREATE INDEX search_rows_by_doc ON search_rows(doc_id);
    CREATE INDEX search_rows_by_kind ON search_rows(kind);
    CREATE TABLE action_index (
        id         TEXT PRIMARY KEY,
        doc_id     TEXT NOT NULL,
        doc_kind   TEXT NOT NULL,
        owner      TEXT NOT NULL,
        text       TEXT NOT NULL,
        due        INTEGER,
        done       INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX action_by_doc ON action_index(doc_id);
    CREATE TABLE contribution_index (
        id           TEXT PRIMARY KEY,
        doc_id       TEXT NOT NULL,
        doc_kind     TEXT NOT NULL,
        kind         TEXT NOT NULL,
        giver        TEXT NOT NULL,
        receivers    TEXT NOT NULL,
        minutes      INTEGER NOT NULL,
        created_at   INTEGER NOT NULL,
        confirmed_by TEXT
    ) STRICT;
    CREATE INDEX contribution_by_doc ON contribution_index(doc_id);
    CREATE TABLE session_index (
        id     TEXT PRIMARY KEY,
        format TEXT NOT NULL,
        title  TEXT NOT NULL,
        at     INTEGER NOT NULL,
        status TEXT NOT NULL,
        scope  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX session_by_time ON session_index(at);",
        ),
        // How each peer was last reached: direct, hole-punched or relayed.
        M::up("ALTER TABLE peers ADD COLUMN path TEXT;"),
    ])
}

/// Brings the database to the newest schema.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrations().to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::MigrationDefinition(
            rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
        ) => StoreError::TooNew,
        rusqlite_migration::Error::RusqliteError { err, .. } => StoreError::Sqlite(err),
        other => StoreError::Migration(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
