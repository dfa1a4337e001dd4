//! Derived indexes: the note list with tags, skills and `[[links]]`, the thread list, and the
//! full-text search table. Every row here is computed from a document by [`index_doc`]; none is
//! a source of truth.

use automerge::AutoCommit;
use domain::{
    ActionItem, Contribution, DocKind, DocMeta, DomainError, Mentoring, Note, Review, Session,
    Thread, TypedDoc, Workspace, fold, hydrate_doc, hydrate_with_header,
};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::StoreError;

/// A note as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRow {
    /// Note id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Scope.
    pub scope: String,
    /// Author's member id.
    pub author: String,
    /// Created, ms since the epoch.
    pub created_at: i64,
    /// Updated, ms since the epoch.
    pub updated_at: i64,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// Linked skill ids, sorted.
    pub skills: Vec<String>,
}

/// Who wrote a note, when, and where: what counting each member's notes needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authored {
    /// Author's member id.
    pub author: String,
    /// Created, ms since the epoch.
    pub created_at: i64,
    /// Scope (its wire form).
    pub scope: String,
}

/// A thread as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadRow {
    /// Thread id.
    pub id: String,
    /// Community id.
    pub community: String,
    /// Title.
    pub title: String,
    /// Author's member id.
    pub author: String,
    /// Created, ms since the epoch.
    pub created_at: i64,
    /// Last activity, ms since the epoch.
    pub updated_at: i64,
    /// Number of replies.
    pub replies: i64,
    /// Accepted reply id.
    pub accepted: Option<String>,
}

/// One full-text search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// Note id, thread id or member id.
    pub id: String,
    /// "note", "thread" or "profile".
    pub kind: String,
    /// Title or name.
    pub title: String,
    /// Matching excerpt, matches between `[` and `]`.
    pub snippet: String,
}

fn domain_err(id: &str) -> impl Fn(DomainError) -> StoreError + '_ {
    move |source| StoreError::Document {
        id: id.to_owned(),
        source,
    }
}

/// Recomputes every index row derived from one document, whose header `meta` was verified
/// (the document's model is checked against it, and validated).
pub(crate) fn index_doc(
    conn: &Connection,
    meta: &DocMeta,
    kind: DocKind,
    doc: &AutoCommit,
) -> Result<(), StoreError> {
    Indexed::read(meta, kind, doc)?.write(conn, &meta.id, Rows::Replace)
}

/// A document's model, read to compute its index rows: apart from the database, so that it can
/// be read on another thread than the one writing ([`crate::Ready`]).
pub(crate) enum Indexed {
    Workspace(Box<Workspace>),
    Note(Box<Note>),
    Thread(Box<Thread>),
    Mentoring(Box<Mentoring>),
    Review(Box<Review>),
    Session(Box<Session>),
}

/// Whether a document may already have index rows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    /// It may: they are replaced.
    Replace,
    /// It is new to the store: it has none.
    New,
}

impl Indexed {
    /// The model of `doc`, which must carry the verified header `meta` and be valid.
    pub(crate) fn read(
        meta: &DocMeta,
        kind: DocKind,
        doc: &AutoCommit,
    ) -> Result<Self, StoreError> {
        fn model<T: TypedDoc>(doc: &AutoCommit, meta: &DocMeta) -> Result<Box<T>, StoreError> {
            hydrate_with_header(doc, meta)
                .map(Box::new)
                .map_err(domain_err(&meta.id))
        }
        Ok(match kind {
            DocKind::Workspace => Self::Workspace(model(doc, meta)?),
            DocKind::Note => Self::Note(model(doc, meta)?),
            DocKind::Thread => Self::Thread(model(doc, meta)?),
            DocKind::Mentoring => Self::Mentoring(model(doc, meta)?),
            DocKind::Review => Self::Review(model(doc, meta)?),
            DocKind::Session => Self::Session(model(doc, meta)?),
        })
    }

    /// Writes the index rows of document `id` from this model.
    pub(crate) fn write(&self, conn: &Connection, id: &str, rows: Rows) -> Result<(), StoreError> {
        // The workspace's rows are the members' profiles, replaced whole.
        if let Self::Workspace(ws) = self {
            return index_workspace(conn, ws);
        }
        if rows == Rows::Replace {
            forget(conn, id)?;
        }
        match self {
            Self::Workspace(_) => Ok(()),
            Self::Note(note) => index_note(conn, id, note),
            Self::Thread(thread) => index_thread(conn, id, thread),
            Self::Mentoring(m) => {
                index_items(conn, id, DocKind::Mentoring, &m.actions, &m.contributions)
            }
            Self::Review(r) => index_items(conn, id, DocKind::Review, &[], &r.contributions),
            Self::Session(s) => {
                index_items(conn, id, DocKind::Session, &s.actions, &s.contributions)?;
                conn.prepare_cached(
                    "INSERT INTO session_index(id, format, title, at, status, scope) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![id, s.format, s.title, s.at, s.status, s.meta.scope])?;
                let mut body = String::new();
                for step in &s.steps {
                    body.push_str(step.notes.as_str());
                    body.push('\n');
                }
                body.push_str(&s.takeaways.join("\n"));
                add_search(conn, id, "session", &s.title, &body)
            }
        }
    }
}

/// The action items and contributions held by one document (none held before).
fn index_items(
    conn: &Connection,
    id: &str,
    kind: DocKind,
    actions: &[ActionItem],
    contributions: &[Contribution],
) -> Result<(), StoreError> {
    for a in actions {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO action_index(id, doc_id, doc_kind, owner, text, due, done, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![a.id, id, kind.as_str(), a.owner, a.text, a.due, a.done, a.created_at])?;
    }
    for c in contributions {
        let receivers = serde_json::to_string(&c.receivers).unwrap_or_else(|_| "[]".into());
        conn.prepare_cached(
            "INSERT OR REPLACE INTO contribution_index(id, doc_id, doc_kind, kind, giver, receivers, minutes, created_at, confirmed_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![c.id, id, kind.as_str(), c.kind, c.giver, receivers, c.minutes, c.created_at, c.confirmed_by])?;
    }
    Ok(())
}

fn index_workspace(conn: &Connection, ws: &Workspace) -> Result<(), StoreError> {
    conn.prepare_cached(
        "DELETE FROM search WHERE rowid IN (SELECT row FROM search_rows WHERE kind = 'profile')",
    )?
    .execute([])?;
    conn.prepare_cached("DELETE FROM search_rows WHERE kind = 'profile'")?
        .execute([])?;
    for m in ws.members.values() {
        let skills: Vec<String> = ws
            .claims_of(&m.id)
            // A claim of a merged skill is found under the skill it became.
            .filter_map(|c| ws.skills.get(ws.canonical(&c.skill)))
            .flat_map(|s| {
                let mut names = vec![s.label_fr.clone()];
                if s.label_en != s.label_fr {
                    names.push(s.label_en.clone());
                }
                names.extend(s.synonyms.iter().cloned());
                names
            })
            .collect();
        let body = [
            m.title.as_str(),
            &m.team,
            &m.location,
            &m.languages.join(" "),
            &skills.join(", "),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
        add_search(conn, &m.id, "profile", &m.name, &body)?;
    }
    Ok(())
}

fn forget(conn: &Connection, id: &str) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM note_index WHERE id = ?1",
        "DELETE FROM note_tags WHERE note_id = ?1",
        "DELETE FROM note_skills WHERE note_id = ?1",
        "DELETE FROM note_links WHERE note_id = ?1",
        "DELETE FROM thread_index WHERE id = ?1",
        // FTS5 finds rows fast only by rowid: `search_rows` maps documents to theirs.
        "DELETE FROM search WHERE rowid IN (SELECT row FROM search_rows WHERE doc_id = ?1)",
        "DELETE FROM search_rows WHERE doc_id = ?1",
        "DELETE FROM action_index WHERE doc_id = ?1",
        "DELETE FROM contribution_index WHERE doc_id = ?1",
        "DELETE FROM session_index WHERE id = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([id])?;
    }
    Ok(())
}

/// A note's rows (none held before).
fn index_note(conn: &Connection, id: &str, note: &Note) -> Result<(), StoreError> {
    if note.deleted {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO note_index(id, title, title_key, scope, author, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        note.title,
        fold(&note.title),
        note.meta.scope,
        note.author,
        note.meta.created_at,
        note.updated_at
    ])?;
    for tag in note.tags.keys() {
        conn.prepare_cached("INSERT INTO note_tags(note_id, tag) VALUES (?1, ?2)")?
            .execute(params![id, tag])?;
    }
    for skill in note.skills.keys() {
        conn.prepare_cached("INSERT INTO note_skills(note_id, skill) VALUES (?1, ?2)")?
            .execute(params![id, skill])?;
    }
    for target in note.links() {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO note_links(note_id, target_key) VALUES (?1, ?2)",
        )?
        .execute(params![id, fold(&target)])?;
    }
    let body = format!("{}\n{}", note.body.as_str(), note.tag_list().join(" "));
    add_search(conn, id, "note", &note.title, &body)?;
    Ok(())
}

/// A thread's rows (none held before).
fn index_thread(conn: &Connection, id: &str, thread: &Thread) -> Result<(), StoreError> {
    if thread.deleted {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO thread_index(id, community, title, author, created_at, updated_at, replies, accepted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        thread.community,
        thread.title,
        thread.author,
        thread.meta.created_at,
        thread.updated_at,
        thread.posts.len() as i64,
        thread.accepted
    ])?;
    let mut body = thread.body.as_str().to_owned();
    for post in &thread.posts {
        body.push('\n');
        body.push_str(post.body.as_str());
    }
    add_search(conn, id, "thread", &thread.title, &body)?;
    Ok(())
}

/// Adds a row to the full-text index, and its rowid to `search_rows`.
fn add_search(
    conn: &Connection,
    id: &str,
    kind: &str,
    title: &str,
    body: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO search(doc_id, kind, title, body) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![id, kind, title, body])?;
    let row = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO search_rows(row, doc_id, kind) VALUES (?1, ?2, ?3)")?
        .execute(params![row, id, kind])?;
    Ok(())
}

/// Empties every derived table.
pub(crate) fn clear(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "DELETE FROM note_index; DELETE FROM note_tags; DELETE FROM note_skills;
         DELETE FROM note_links; DELETE FROM thread_index; DELETE FROM search; DELETE FROM search_rows;
         DELETE FROM action_index; DELETE FROM contribution_index; DELETE FROM session_index;",
    )?;
    Ok(())
}

/// Documents whose index rows disagree with the document itself.
pub(crate) fn stale(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let docs: Vec<(String, String)> = {
        let mut stmt = conn.prepare("SELECT id, kind FROM documents ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut out = Vec::new();
    for (id, kind) in docs {
        let doc = crate::load_strict(conn, &id)?;
        let indexed_title = |table: &str| -> Result<Option<String>, StoreError> {
            Ok(conn
                .query_row(
                    &format!("SELECT title FROM {table} WHERE id = ?1"),
                    [&id],
                    |r| r.get(0),
                )
                .optional()?)
        };
        let searchable: i64 = conn.query_row(
            "SELECT count(*) FROM search
             WHERE rowid IN (SELECT row FROM search_rows WHERE doc_id = ?1)",
            [&id],
            |r| r.get(0),
        )?;
        let fine = match kind.as_str() {
            "note" => {
                let note = hydrate_doc::<Note>(&doc).map_err(domain_err(&id))?;
                let want = (!note.deleted).then(|| note.title.clone());
                indexed_title("note_index")? == want && searchable == i64::from(!note.deleted)
            }
            "thread" => {
                let thread = hydrate_doc::<Thread>(&doc).map_err(domain_err(&id))?;
                let want = (!thread.deleted).then(|| thread.title.clone());
                indexed_title("thread_index")? == want && searchable == i64::from(!thread.deleted)
            }
            "mentoring" | "review" | "session" => {
                let (actions, contributions) = match kind.as_str() {
                    "mentoring" => {
                        let m = hydrate_doc::<Mentoring>(&doc).map_err(domain_err(&id))?;
                        (m.actions.len(), m.contributions.len())
                    }
                    "review" => (
                        0,
                        hydrate_doc::<Review>(&doc)
                            .map_err(domain_err(&id))?
                            .contributions
                            .len(),
                    ),
                    _ => {
                        let s = hydrate_doc::<Session>(&doc).map_err(domain_err(&id))?;
                        (s.actions.len(), s.contributions.len())
                    }
                };
                let count = |table: &str| -> Result<i64, StoreError> {
                    Ok(conn.query_row(
                        &format!("SELECT count(*) FROM {table} WHERE doc_id = ?1"),
                        [&id],
                        |r| r.get(0),
                    )?)
                };
                count("action_index")? == actions as i64
                    && count("contribution_index")? == contributions as i64
            }
            _ => {
                let ws = hydrate_doc::<Workspace>(&doc).map_err(domain_err(&id))?;
                let profiles: i64 = conn.query_row(
                    "SELECT count(*) FROM search
                     WHERE rowid IN (SELECT row FROM search_rows WHERE kind = 'profile')",
                    [],
                    |r| r.get(0),
                )?;
                profiles == ws.members.len() as i64
            }
        };
        if !fine {
            out.push(id);
        }
    }
    Ok(out)
}

fn json_list(v: Option<String>) -> Vec<String> {
    match v.and_then(|s| serde_json::from_str::<Value>(&s).ok()) {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

const NOTE_COLUMNS: &str = "n.id, n.title, n.scope, n.author, n.created_at, n.updated_at,
    (SELECT json_group_array(tag) FROM (SELECT tag FROM note_tags WHERE note_id = n.id ORDER BY tag)),
    (SELECT json_group_array(skill) FROM (SELECT skill FROM note_skills WHERE note_id = n.id ORDER BY skill))";

fn note_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<NoteRow> {
    Ok(NoteRow {
        id: r.get(0)?,
        title: r.get(1)?,
        scope: r.get(2)?,
        author: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        tags: json_list(r.get(6)?),
        skills: json_list(r.get(7)?),
    })
}

/// Which notes a list shows: each filter given narrows it.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoteFilter<'a> {
    /// Carrying this tag.
    pub tag: Option<&'a str>,
    /// Linked to one of these skill ids (none given: any note).
    pub skills: &'a [String],
    /// In this scope (its wire form).
    pub scope: Option<&'a str>,
    /// Whose title contains this, case and accents aside.
    pub title: Option<&'a str>,
}

/// The `WHERE` clause of `filter` and its parameters, numbered from 1. Every value is bound,
/// and a filter's clause has the same text whatever its values (the skills go as one JSON
/// array), so each combination of filters is one cached statement.
fn note_filter(filter: &NoteFilter<'_>) -> (String, Vec<SqlValue>) {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    if let Some(tag) = filter.tag {
        params.push(SqlValue::Text(tag.to_owned()));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM note_tags t WHERE t.note_id = n.id AND t.tag = ?{})",
            params.len()
        ));
    }
    if !filter.skills.is_empty() {
        params.push(SqlValue::Text(
            Value::from(filter.skills.to_vec()).to_string(),
        ));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM note_skills s WHERE s.note_id = n.id \
             AND s.skill IN (SELECT value FROM json_each(?{})))",
            params.len()
        ));
    }
    if let Some(scope) = filter.scope {
        params.push(SqlValue::Text(scope.to_owned()));
        clauses.push(format!("n.scope = ?{}", params.len()));
    }
    if let Some(title) = filter.title {
        params.push(SqlValue::Text(fold(title)));
        clauses.push(format!("instr(n.title_key, ?{}) > 0", params.len()));
    }
    let clause = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (clause, params)
}

/// The notes `filter` keeps, newest first, the first `limit` of them (all when `None`).
pub(crate) fn notes(
    conn: &Connection,
    filter: &NoteFilter<'_>,
    limit: Option<u32>,
) -> Result<Vec<NoteRow>, StoreError> {
    let (clause, mut params) = note_filter(filter);
    params.push(SqlValue::Integer(limit.map_or(-1, i64::from)));
    let sql = format!(
        "SELECT {NOTE_COLUMNS} FROM note_index n {clause}
         ORDER BY n.updated_at DESC, n.id LIMIT ?{}",
        params.len()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(&params), note_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every note's [`Authored`], in no order, without the rest of its row.
pub(crate) fn authored(conn: &Connection) -> Result<Vec<Authored>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT author, created_at, scope FROM note_index")?;
    let rows = stmt.query_map([], |r| {
        Ok(Authored {
            author: r.get(0)?,
            created_at: r.get(1)?,
            scope: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many notes `filter` keeps.
pub(crate) fn count_notes(conn: &Connection, filter: &NoteFilter<'_>) -> Result<u64, StoreError> {
    let (clause, params) = note_filter(filter);
    let sql = format!("SELECT COUNT(*) FROM note_index n {clause}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let count: i64 = stmt.query_row(rusqlite::params_from_iter(&params), |r| r.get(0))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Every tag the notes carry and every skill id they are linked to, each sorted once.
pub(crate) fn note_facets(conn: &Connection) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let column = |sql: &str| -> Result<Vec<String>, StoreError> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    Ok((
        column("SELECT DISTINCT tag FROM note_tags ORDER BY tag")?,
        column("SELECT DISTINCT skill FROM note_skills ORDER BY skill")?,
    ))
}

pub(crate) fn backlinks(conn: &Connection, title: &str) -> Result<Vec<NoteRow>, StoreError> {
    let sql = format!(
        "SELECT {NOTE_COLUMNS} FROM note_index n JOIN note_links l ON l.note_id = n.id
         WHERE l.target_key = ?1 ORDER BY n.title, n.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([fold(title)], note_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn threads(conn: &Connection, community: &str) -> Result<Vec<ThreadRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, community, title, author, created_at, updated_at, replies, accepted
         FROM thread_index WHERE community = ?1 ORDER BY updated_at DESC, id",
    )?;
    let rows = stmt.query_map([community], |r| {
        Ok(ThreadRow {
            id: r.get(0)?,
            community: r.get(1)?,
            title: r.get(2)?,
            author: r.get(3)?,
            created_at: r.get(4)?,
            updated_at: r.get(5)?,
            replies: r.get(6)?,
            accepted: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Turns what a person typed into an FTS5 query that cannot be a syntax error: every word is
/// quoted and matched as a prefix, all words required.
fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split_whitespace()
        .map(|w| w.replace('"', ""))
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

pub(crate) fn search(
    conn: &Connection,
    query: &str,
    limit: usize,
) -> Result<Vec<SearchHit>, StoreError> {
    let Some(fts) = fts_query(query) else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT doc_id, kind, title, snippet(search, -1, '[', ']', '…', 12)
         FROM search WHERE search MATCH ?1 ORDER BY rank LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![fts, limit as i64], |r| {
        Ok(SearchHit {
            id: r.get(0)?,
            kind: r.get(1)?,
            title: r.get(2)?,
            snippet: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An action item as indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRow {
    /// Action id.
    pub id: String,
    /// The document holding it.
    pub doc_id: String,
    /// That document's kind.
    pub doc_kind: String,
    /// Owner's member id.
    pub owner: String,
    /// What to do.
    pub text: String,
    /// Due day, ms.
    pub due: Option<i64>,
    /// Done.
    pub done: bool,
    /// Created, ms.
    pub created_at: i64,
}

/// A contribution as indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionRow {
    /// Contribution id.
    pub id: String,
    /// The document holding it.
    pub doc_id: String,
    /// That document's kind.
    pub doc_kind: String,
    /// What it was.
    pub kind: String,
    /// Who gave.
    pub giver: String,
    /// Who received.
    pub receivers: Vec<String>,
    /// Minutes.
    pub minutes: u32,
    /// Created, ms.
    pub created_at: i64,
    /// Who confirmed it.
    pub confirmed_by: Option<String>,
}

/// A session as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Session id.
    pub id: String,
    /// Format id.
    pub format: String,
    /// Title.
    pub title: String,
    /// Planned start, ms.
    pub at: i64,
    /// planned, running or closed.
    pub status: String,
    /// Scope.
    pub scope: String,
}

pub(crate) fn actions(conn: &Connection) -> Result<Vec<ActionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, doc_id, doc_kind, owner, text, due, done, created_at FROM action_index
         ORDER BY done, due IS NULL, due, created_at, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ActionRow {
            id: r.get(0)?,
            doc_id: r.get(1)?,
            doc_kind: r.get(2)?,
            owner: r.get(3)?,
            text: r.get(4)?,
            due: r.get(5)?,
            done: r.get(6)?,
            created_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn contributions(conn: &Connection) -> Result<Vec<ContributionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, doc_id, doc_kind, kind, giver, receivers, minutes, created_at, confirmed_by
         FROM contribution_index ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ContributionRow {
            id: r.get(0)?,
            doc_id: r.get(1)?,
            doc_kind: r.get(2)?,
            kind: r.get(3)?,
            giver: r.get(4)?,
            receivers: json_list(r.get(5)?),
            minutes: r.get(6)?,
            created_at: r.get(7)?,
            confirmed_by: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn sessions(conn: &Connection) -> Result<Vec<SessionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, format, title, at, status, scope FROM session_index ORDER BY at, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(SessionRow {
            id: r.get(0)?,
            format: r.get(1)?,
            title: r.get(2)?,
            at: r.get(3)?,
            status: r.get(4)?,
            scope: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn fts_queries_are_always_valid() {
        for (input, want) in [
            ("rust", Some("\"rust\"*")),
            ("  a  \"b ", Some("\"a\"* \"b\"*")),
            ("\"\" ", None),
            ("", None),
            ("NEAR( OR *", Some("\"NEAR(\"* \"OR\"* \"*\"*")),
        ] {
            assert_eq!(fts_query(input).as_deref(), want, "{input:?}");
        }
    }
}
