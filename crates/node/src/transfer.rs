//! `export` and `import`: everything the user holds as one JSON file (plus one Markdown file
//! per note, for reading and for other tools), and back.
//!
//! Import validates the whole file before writing anything, then adds every record that is not
//! already present in one transaction: it never overwrites or deletes what the user has, and a
//! second import of the same file adds nothing. It never writes in another member's name: of the
//! workspace it takes the importer's own profile, claims and endorsements, and the skills and
//! communities as the importer's additions (others' entries are counted in `not_theirs` and left
//! out); notes and threads are re-created and signed by this device as the importer's, those
//! written by someone else starting with "*Imported from NAME.*"; mentoring relationships,
//! reviews and sessions are reported, not imported.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use domain::time::{rfc3339, serde_ms};
use domain::{
    Community, DocKind, DomainError, Endorsement, Level, Member, Note, Scope, Skill, SkillClaim,
    Thread, Workspace, claim_key, normalize_tag, require_text, slug, valid_id,
};
use serde::{Deserialize, Serialize};

use crate::core::Core;
use crate::views::{Counts, ExportSummary, ImportSummary};
use crate::{NodeError, identity};

/// Name of the JSON file inside an export directory.
pub const EXPORT_FILE: &str = "entrepairs-export.json";
const FORMAT: &str = "entrepairs-export";
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct ExportFile {
    format: String,
    version: u32,
    #[serde(with = "serde_ms")]
    exported_at: i64,
    exported_by: String,
    workspace: ExportWorkspace,
    notes: Vec<ExportNote>,
    threads: Vec<ExportThread>,
    /// Mentoring relationships, reviews and sessions, as `show --json` gives them: exported for
    /// reading and archiving; `import` does not re-create them (their participants' signatures
    /// cannot be re-made by another device) and says so.
    #[serde(default)]
    mentoring: Vec<serde_json::Value>,
    #[serde(default)]
    reviews: Vec<serde_json::Value>,
    #[serde(default)]
    sessions: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExportWorkspace {
    id: String,
    name: String,
    members: Vec<Member>,
    skills: Vec<Skill>,
    claims: Vec<SkillClaim>,
    endorsements: Vec<Endorsement>,
    communities: Vec<Community>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExportNote {
    id: String,
    title: String,
    body: String,
    scope: String,
    author: String,
    tags: Vec<String>,
    skills: Vec<String>,
    #[serde(with = "serde_ms")]
    created_at: i64,
    #[serde(with = "serde_ms")]
    updated_at: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExportThread {
    id: String,
    community: String,
    title: String,
    body: String,
    author: String,
    accepted: Option<String>,
    #[serde(with = "serde_ms")]
    created_at: i64,
    #[serde(with = "serde_ms")]
    updated_at: i64,
    posts: Vec<ExportPost>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExportPost {
    id: String,
    author: String,
    body: String,
    #[serde(with = "serde_ms")]
    created_at: i64,
}

impl Core {
    /// `export --out DIR`.
    pub fn export(&self, dir: &Path) -> Result<ExportSummary, NodeError> {
        let ws = self.workspace()?;
        let mut notes = Vec::new();
        for row in self.store.documents(Some(DocKind::Note))? {
            let n: Note = self.read(&row.id)?;
            if n.deleted {
                continue;
            }
            notes.push(ExportNote {
                id: row.id,
                title: n.title.clone(),
                body: n.body.as_str().to_owned(),
                scope: n.meta.scope.clone(),
                author: n.author.clone(),
                tags: n.tag_list(),
                skills: n.skill_list(),
                created_at: n.meta.created_at,
                updated_at: n.updated_at,
            });
        }
        let mut threads = Vec::new();
        for row in self.store.documents(Some(DocKind::Thread))? {
            let t: Thread = self.read(&row.id)?;
            if t.deleted {
                continue;
            }
            threads.push(ExportThread {
                id: row.id,
                community: t.community.clone(),
                title: t.title.clone(),
                body: t.body.as_str().to_owned(),
                author: t.author.clone(),
                accepted: t.accepted.clone(),
                created_at: t.meta.created_at,
                updated_at: t.updated_at,
                posts: t
                    .posts
                    .iter()
                    .map(|p| ExportPost {
                        id: p.id.clone(),
                        author: p.author.clone(),
                        body: p.body.as_str().to_owned(),
                        created_at: p.created_at,
                    })
                    .collect(),
            });
        }
        let to_json = |v: Result<serde_json::Value, serde_json::Error>| {
            v.map_err(|e| NodeError::Invalid(format!("cannot encode the export: {e}")))
        };
        let mentoring = self
            .mentorings()?
            .iter()
            .map(|m| to_json(serde_json::to_value(m)))
            .collect::<Result<_, _>>()?;
        let reviews = self
            .reviews()?
            .iter()
            .map(|r| to_json(serde_json::to_value(r)))
            .collect::<Result<_, _>>()?;
        let mut sessions = Vec::new();
        for row in self.store.sessions()? {
            sessions.push(to_json(serde_json::to_value(self.session(&row.id)?))?);
        }
        let file = ExportFile {
            format: FORMAT.into(),
            version: VERSION,
            exported_at: crate::core::now(),
            exported_by: self.me.clone(),
            workspace: ExportWorkspace {
                id: ws.meta.id.clone(),
                name: ws.name.clone(),
                members: ws.members.values().cloned().collect(),
                skills: ws.skills.values().cloned().collect(),
                claims: ws.claims.values().cloned().collect(),
                endorsements: ws.endorsements.values().cloned().collect(),
                communities: ws.communities.values().cloned().collect(),
            },
            notes,
            threads,
            mentoring,
            reviews,
            sessions,
        };
        let exported = counts(&file);
        let path = write_export(dir, &file, &ws)?;
        Ok(ExportSummary {
            dir: dir.display().to_string(),
            file: path.display().to_string(),
            exported,
        })
    }

    /// `import --from DIR`.
    pub fn import(&mut self, dir: &Path) -> Result<ImportSummary, NodeError> {
        let path = dir.join(EXPORT_FILE);
        let text = fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => NodeError::NotFound(format!(
                "{} holds no {EXPORT_FILE}; give the directory written by `entrepairs export`",
                dir.display()
            )),
            _ => NodeError::Io {
                what: format!("cannot read {}", path.display()),
                source: e,
            },
        })?;
        let file: ExportFile = serde_json::from_str(&text).map_err(|e| {
            NodeError::Invalid(format!("{} is not a valid export: {e}", path.display()))
        })?;
        let ws = self.workspace()?;
        validate(&file, &ws).map_err(|e| {
            NodeError::Invalid(format!("{} is not a valid export: {e}", path.display()))
        })?;

        let me = self.me.clone();
        let mut added = Counts::default();
        let mut skipped = Counts::default();
        let mut not_theirs = Counts::default();
        let names: BTreeMap<String, String> = file
            .workspace
            .members
            .iter()
            .map(|m| (m.id.clone(), m.name.clone()))
            .collect();
        // Nobody writes in another member's name, an import included: what the export
        // attributes to someone else is refused (profiles, claims, endorsements), or — for
        // what people wrote for everyone (notes, threads) — stored as written by the importer
        // with the original author named in the text.
        let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
        self.write(|w| {
            let now = w.now;
            w.update_workspace(|ws| {
                let x = &file.workspace;
                let (a, s, n) = (&mut added, &mut skipped, &mut not_theirs);
                let own_profile: Vec<Member> =
                    x.members.iter().filter(|m| m.id == me).cloned().collect();
                n.members += x.members.len() - own_profile.len();
                add_missing(
                    &mut ws.members,
                    &own_profile,
                    |m| m.id.clone(),
                    &mut a.members,
                    &mut s.members,
                );
                // The catalogue's entries become the importer's additions.
                let skills: Vec<Skill> = x
                    .skills
                    .iter()
                    .map(|k| Skill {
                        created_by: me.clone(),
                        created_at: now,
                        ..k.clone()
                    })
                    .collect();
                add_missing(
                    &mut ws.skills,
                    &skills,
                    |k| k.id.clone(),
                    &mut a.skills,
                    &mut s.skills,
                );
                let claims: Vec<SkillClaim> = x
                    .claims
                    .iter()
                    .filter(|c| c.member == me)
                    .cloned()
                    .collect();
                n.claims += x.claims.len() - claims.len();
                add_missing(
                    &mut ws.claims,
                    &claims,
                    |c| claim_key(&c.member, &c.skill),
                    &mut a.claims,
                    &mut s.claims,
                );
                let endorsements: Vec<Endorsement> = x
                    .endorsements
                    .iter()
                    .filter(|e| e.from == me)
                    .cloned()
                    .collect();
                n.endorsements += x.endorsements.len() - endorsements.len();
                add_missing(
                    &mut ws.endorsements,
                    &endorsements,
                    |e| e.id.clone(),
                    &mut a.endorsements,
                    &mut s.endorsements,
                );
                let communities: Vec<Community> = x
                    .communities
                    .iter()
                    .map(|c| Community {
                        created_by: me.clone(),
                        ..c.clone()
                    })
                    .collect();
                add_missing(
                    &mut ws.communities,
                    &communities,
                    |c| c.id.clone(),
                    &mut a.communities,
                    &mut s.communities,
                );
                Ok(())
            })?;
            for n in &file.notes {
                let id = imported_id(&n.id, &me);
                // A document still held (the original, or an earlier import of it) is skipped:
                // importing one's own export back adds nothing.
                if w.exists(&n.id)? || w.exists(&id)? {
                    skipped.notes += 1;
                    continue;
                }
                let scope = match n.scope.parse::<Scope>()? {
                    Scope::Personal(_) => Scope::Personal(me.clone()),
                    other => other,
                };
                let meta = w.meta_at(&id, DocKind::Note, &scope, &[], n.created_at)?;
                let body = if n.author == me {
                    n.body.clone()
                } else {
                    not_theirs.notes += 1;
                    format!("*Imported from {}.*\n\n{}", name(&n.author), n.body)
                };
                let mut note = Note::new(meta, &n.title, &body, &n.tags, &n.skills)?;
                note.updated_at = n.updated_at;
                w.create(&note)?;
                added.notes += 1;
            }
            for t in &file.threads {
                let id = imported_id(&t.id, &me);
                if w.exists(&t.id)? || w.exists(&id)? {
                    skipped.threads += 1;
                    continue;
                }
                let meta = w.meta_at(
                    &id,
                    DocKind::Thread,
                    &Scope::Community(t.community.clone()),
                    &[],
                    t.created_at,
                )?;
                let quoted = |author: &str, body: &str| {
                    if author == me {
                        body.to_owned()
                    } else {
                        format!("*Imported from {}.*\n\n{body}", name(author))
                    }
                };
                if t.author != me || t.posts.iter().any(|p| p.author != me) {
                    not_theirs.threads += 1;
                }
                let mut thread =
                    Thread::new(meta, &t.community, &t.title, &quoted(&t.author, &t.body))?;
                for p in &t.posts {
                    thread.reply(&p.id, &me, &quoted(&p.author, &p.body), p.created_at)?;
                }
                thread.accepted = t.accepted.clone();
                thread.updated_at = t.updated_at;
                w.create(&thread)?;
                added.threads += 1;
            }
            Ok(())
        })?;
        let not_imported = file.mentoring.len() + file.reviews.len() + file.sessions.len();
        Ok(ImportSummary {
            added,
            skipped,
            not_imported,
            not_theirs,
        })
    }
}

/// The id a document of an export gets when `me` imports it: the importer creates it, so its id
/// ends with the importer's tag (`domain::doc_id`), after the original id without its own tag.
/// The same export imported twice gives the same ids, so the second import skips them.
fn imported_id(original: &str, me: &str) -> String {
    let fresh = match original.rsplit_once('-') {
        Some((rest, tag)) if tag.len() == domain::creator_tag(me).len() && !rest.is_empty() => rest,
        _ => original,
    };
    domain::doc_id(me, fresh)
}

/// Inserts each record whose key is missing from `map`, counting what was added and skipped.
fn add_missing<V: Clone>(
    map: &mut BTreeMap<String, V>,
    records: &[V],
    key: impl Fn(&V) -> String,
    added: &mut usize,
    skipped: &mut usize,
) {
    for record in records {
        match map.entry(key(record)) {
            Entry::Occupied(_) => *skipped += 1,
            Entry::Vacant(slot) => {
                slot.insert(record.clone());
                *added += 1;
            }
        }
    }
}

fn counts(file: &ExportFile) -> Counts {
    let x = &file.workspace;
    Counts {
        members: x.members.len(),
        skills: x.skills.len(),
        claims: x.claims.len(),
        endorsements: x.endorsements.len(),
        communities: x.communities.len(),
        notes: file.notes.len(),
        threads: file.threads.len(),
        mentoring: file.mentoring.len(),
        reviews: file.reviews.len(),
        sessions: file.sessions.len(),
    }
}

/// Checks every record of an export before anything is written.
fn validate(file: &ExportFile, local: &Workspace) -> Result<(), DomainError> {
    let bad = |what: String| DomainError::Invalid(what);
    if file.format != FORMAT {
        return Err(bad(format!(
            "format is '{}', expected '{FORMAT}'",
            file.format
        )));
    }
    if file.version != VERSION {
        return Err(bad(format!(
            "version {} is not supported (this build reads version {VERSION})",
            file.version
        )));
    }
    let x = &file.workspace;
    let id = |what: &str, id: &str| -> Result<(), DomainError> {
        if valid_id(id) {
            Ok(())
        } else {
            Err(bad(format!("{what} has an invalid id '{id}'")))
        }
    };
    let mut members: BTreeSet<&str> = local.members.keys().map(String::as_str).collect();
    for m in &x.members {
        id("a member", &m.id)?;
        require_text("member name", &m.name)?;
        members.insert(&m.id);
    }
    let mut skills: BTreeSet<&str> = local.skills.keys().map(String::as_str).collect();
    for s in &x.skills {
        id("a skill", &s.id)?;
        require_text("skill label", &s.label_en)?;
        require_text("skill label", &s.label_fr)?;
        skills.insert(&s.id);
    }
    let member = |m: &str| -> Result<(), DomainError> {
        if members.contains(m) {
            Ok(())
        } else {
            Err(bad(format!("unknown member '{m}'")))
        }
    };
    let skill = |s: &str| -> Result<(), DomainError> {
        if skills.contains(s) {
            Ok(())
        } else {
            Err(bad(format!("unknown skill '{s}'")))
        }
    };
    for c in &x.claims {
        member(&c.member)?;
        skill(&c.skill)?;
        Level::from_number(u64::from(c.level))?;
    }
    for e in &x.endorsements {
        id("an endorsement", &e.id)?;
        member(&e.from)?;
        member(&e.to)?;
        skill(&e.skill)?;
    }
    let mut communities: BTreeSet<&str> = local.communities.keys().map(String::as_str).collect();
    for c in &x.communities {
        id("a community", &c.id)?;
        require_text("community name", &c.name)?;
        communities.insert(&c.id);
    }
    for n in &file.notes {
        id("a note", &n.id)?;
        require_text("note title", &n.title)?;
        domain::note::check_body(&n.body)?;
        for t in &n.tags {
            normalize_tag(t)?;
        }
        for s in &n.skills {
            skill(s)?;
        }
        if let Scope::Community(c) = n.scope.parse::<Scope>()?
            && !communities.contains(c.as_str())
        {
            return Err(bad(format!(
                "note {} belongs to unknown community '{c}'",
                n.id
            )));
        }
    }
    for t in &file.threads {
        id("a thread", &t.id)?;
        require_text("thread title", &t.title)?;
        if !communities.contains(t.community.as_str()) {
            return Err(bad(format!(
                "thread {} belongs to unknown community '{}'",
                t.id, t.community
            )));
        }
        for p in &t.posts {
            id("a reply", &p.id)?;
        }
        if let Some(a) = &t.accepted
            && !t.posts.iter().any(|p| &p.id == a)
        {
            return Err(bad(format!(
                "thread {} accepts an unknown reply '{a}'",
                t.id
            )));
        }
    }
    Ok(())
}

/// Writes the JSON file (atomically) and one Markdown file per note into `dir`. A directory
/// holding other files than a previous export is refused rather than mixed into.
fn write_export(dir: &Path, file: &ExportFile, ws: &Workspace) -> Result<PathBuf, NodeError> {
    let shown = dir.display().to_string();
    if dir.exists() {
        let has_export = dir.join(EXPORT_FILE).is_file();
        let empty = fs::read_dir(dir)
            .map_err(NodeError::io(format!("cannot read {shown}")))?
            .next()
            .is_none();
        if !has_export && !empty {
            return Err(NodeError::NotEmpty(shown));
        }
    }
    let notes_dir = dir.join("notes");
    fs::create_dir_all(&notes_dir).map_err(NodeError::io(format!(
        "cannot create {}",
        notes_dir.display()
    )))?;
    for entry in fs::read_dir(&notes_dir).map_err(NodeError::io(format!(
        "cannot read {}",
        notes_dir.display()
    )))? {
        let path = entry
            .map_err(NodeError::io("cannot list old notes"))?
            .path();
        if path.extension().is_some_and(|e| e == "md") {
            fs::remove_file(&path)
                .map_err(NodeError::io(format!("cannot replace {}", path.display())))?;
        }
    }
    for n in &file.notes {
        let stem: String = slug(&n.title).chars().take(60).collect();
        let short: String = n.id.chars().take(8).collect();
        let path = notes_dir.join(format!(
            "{}{}{short}.md",
            stem,
            if stem.is_empty() { "" } else { "-" }
        ));
        let author = ws
            .members
            .get(&n.author)
            .map_or(n.author.as_str(), |m| m.name.as_str());
        let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let list = |v: &[String]| v.iter().map(|s| quoted(s)).collect::<Vec<_>>().join(", ");
        let markdown = format!(
            "---\nid: {}\ntitle: {}\nauthor: {}\ntags: [{}]\nskills: [{}]\ncreated: {}\nupdated: {}\n---\n\n{}\n",
            n.id,
            quoted(&n.title),
            quoted(author),
            list(&n.tags),
            list(&n.skills),
            rfc3339(n.created_at),
            rfc3339(n.updated_at),
            n.body
        );
        fs::write(&path, markdown)
            .map_err(NodeError::io(format!("cannot write {}", path.display())))?;
    }
    let json = serde_json::to_vec_pretty(file)
        .map_err(|e| NodeError::Invalid(format!("cannot encode the export: {e}")))?;
    let path = dir.join(EXPORT_FILE);
    let tmp = dir.join(format!("{EXPORT_FILE}.tmp"));
    fs::write(&tmp, json).map_err(NodeError::io(format!("cannot write {}", tmp.display())))?;
    fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(NodeError::io(format!("cannot write {}", tmp.display())))?;
    fs::rename(&tmp, &path).map_err(NodeError::io(format!("cannot write {}", path.display())))?;
    identity::sync_dir(dir)?;
    Ok(path)
}
