//! Documents crossing devices outside a network sync: a document as a signed file (its bytes
//! and the signature of each of its changes), the receiving side that admits such a file —
//! every change judged as a sync judges it — only if this device is entitled to hold it, and
//! the package a joining device starts from (the whole membership log and the workspace).
//!
//! Joining is device-first: `Node::init_device` creates only the key, an admin adds its id to
//! the log (`add_member`), and `Node::join` stores the package received from the admin.

use std::fs;
use std::path::Path;

use domain::signing::Signatures;
use domain::{DocKind, DocMeta, Standing};
use store::Store;
use sync::membership::{Log, Members};
use sync::protocol::Message;

use crate::core::Core;
use crate::{DB_FILE, KEY_FILE, Node, NodeError, identity};

/// What the log says of an author, as the admission of changes asks it: facts that only grow
/// (`Members::authors`), so a verdict never depends on when a change arrives.
pub(crate) fn standing_in(members: &Members, author: &str) -> Standing {
    if members.authors.contains(author) {
        Standing::Member {
            admin: members.author_admins.contains(author),
        }
    } else {
        Standing::Unknown
    }
}

/// Reads a signed document file: the document id it names, its bytes and its signatures.
fn read_file(file: &[u8]) -> Result<(String, Vec<u8>, Signatures), NodeError> {
    match Message::decode(file) {
        Ok(Message::Doc { doc, bytes, sigs }) => Ok((doc, bytes, sigs)),
        _ => Err(NodeError::Invalid(
            "this is not an Entrepairs document file".into(),
        )),
    }
}

/// The signatures of the changes `admission` accepted (a file may carry others: never kept).
fn kept(admission: &domain::Admission, sigs: &Signatures) -> Signatures {
    admission
        .accepted
        .iter()
        .filter_map(|h| sigs.get(h).map(|s| (*h, *s)))
        .collect()
}

/// The one-line error for changes an admission did not take.
fn refusal(admission: &domain::Admission) -> NodeError {
    if let Some(r) = admission.refused.first() {
        return NodeError::Invalid(format!("refused: {}", r.reason));
    }
    NodeError::Invalid("refused: a change is by a device the membership log does not know".into())
}

impl Core {
    /// The ids of every document this device holds.
    pub fn document_ids(&self) -> Result<Vec<String>, NodeError> {
        Ok(self
            .store
            .documents(None)?
            .into_iter()
            .map(|r| r.id)
            .collect())
    }

    /// A stored document as a signed file (a valid input of [`Core::receive`] elsewhere).
    pub fn document_bytes(&self, id: &str) -> Result<Vec<u8>, NodeError> {
        let bytes = self
            .store
            .doc_bytes(id)?
            .ok_or_else(|| NodeError::NotFound(format!("no document '{id}'")))?;
        let sigs = self.store.signatures(id, None)?;
        Ok(Message::Doc {
            doc: id.to_owned(),
            bytes,
            sigs,
        }
        .encode())
    }

    /// The Automerge bytes of a stored document, as saved (what the benchmark's in-process
    /// floor loads).
    pub fn saved_document(&self, id: &str) -> Result<Vec<u8>, NodeError> {
        self.store
            .doc_bytes(id)?
            .ok_or_else(|| NodeError::NotFound(format!("no document '{id}'")))
    }

    /// What a device joining this workspace starts from: the whole membership log and the
    /// workspace document, signed.
    pub fn join_package(&self) -> Result<Vec<u8>, NodeError> {
        let mut parts: Vec<Message> = Vec::new();
        let entries = self.log_view()?.log.encoded();
        let mut part = Vec::new();
        let mut size = 0;
        for e in entries {
            if size + e.len() > 512 * 1024 && !part.is_empty() {
                parts.push(Message::LogEntries(std::mem::take(&mut part)));
                size = 0;
            }
            size += e.len();
            part.push(e);
        }
        parts.push(Message::LogEntries(part));
        let workspace = Message::decode(&self.document_bytes(&self.workspace_id)?)
            .map_err(|e| NodeError::Invalid(e.to_string()))?;
        parts.push(workspace);
        Ok(Message::Batch(parts).encode())
    }

    /// Admits a signed document file from another device: merged into the local copy (or
    /// stored if new) only if every change in it passes (signature by a member, the write
    /// rules for its author). Refused, with nothing changed: a file that is not a valid signed
    /// document, a forged header, a document of another workspace, one this device's member is
    /// not entitled to hold, or any refused change. Returns the document id.
    pub fn receive(&mut self, file: &[u8]) -> Result<String, NodeError> {
        let (named, bytes, sigs) = read_file(file)?;
        let incoming = domain::load_doc(&bytes)?;
        let meta = domain::read_meta(&incoming)?;
        if meta.id != named {
            return Err(NodeError::Invalid(
                "the file names another document than the one it holds".into(),
            ));
        }
        let kind = meta.doc_kind()?;
        if !meta.id_fits_creator() && self.store.doc_bytes(&meta.id)?.is_none() {
            return Err(NodeError::Invalid(
                "refused: a document's id must name its creator".into(),
            ));
        }
        if kind == DocKind::Workspace && meta.id != self.workspace_id {
            return Err(NodeError::Invalid(
                "this document belongs to another workspace".into(),
            ));
        }
        let members = self.members()?;
        if !sync::access::entitled(&members, &self.workspace_id, &meta, &self.me) {
            return Err(NodeError::Invalid(format!(
                "this device is not entitled to document {}",
                meta.id
            )));
        }
        let standing = move |m: &str| standing_in(&members, m);
        let actor = self.actor.clone();
        let id = meta.id.clone();
        self.write(|w| {
            match w.doc_bytes(&meta.id)? {
                None => {
                    let (doc, admission) = domain::admit_whole(incoming, &meta, &sigs, &standing);
                    if !admission.complete() {
                        return Err(refusal(&admission));
                    }
                    let mut doc = doc.with_actor(actor);
                    w.insert_admitted(&meta, kind, &mut doc, &kept(&admission, &sigs))
                }
                Some(stored) => {
                    let mut held = domain::load_stored(&stored)?.with_actor(actor);
                    // Same id, other header: another document (or a forgery), never merged.
                    domain::has_header(&held, &meta).map_err(|_| {
                        NodeError::Invalid(format!(
                            "document {} arrived with a different header than ours",
                            meta.id
                        ))
                    })?;
                    let mut incoming = incoming;
                    let changes = held.get_changes_added(&mut incoming);
                    let before = held.get_heads();
                    let admission = domain::admit(&mut held, &meta, changes, &sigs, &standing);
                    if !admission.complete() {
                        return Err(refusal(&admission));
                    }
                    w.append_admitted(&meta, kind, &mut held, &before, &kept(&admission, &sigs))
                }
            }
        })?;
        Ok(id)
    }
}

/// A join package, read and checked: the verified log, the workspace's header, document and
/// signatures.
struct Package {
    log: Log,
    members: Members,
    meta: DocMeta,
    workspace: automerge::AutoCommit,
    sigs: Signatures,
}

/// Reads a join package from another device (untrusted): every log entry verified, the
/// workspace document's header verified and every change of it admitted.
fn read_package(package: &[u8]) -> Result<Package, NodeError> {
    let bad = || NodeError::Invalid("this is not an Entrepairs join package".into());
    let Ok(Message::Batch(parts)) = Message::decode(package) else {
        return Err(bad());
    };
    let mut entries: Vec<String> = Vec::new();
    let mut doc = None;
    for part in parts {
        match part {
            Message::LogEntries(e) => entries.extend(e),
            Message::Doc {
                doc: id,
                bytes,
                sigs,
            } if doc.is_none() => doc = Some((id, bytes, sigs)),
            _ => return Err(bad()),
        }
    }
    let (named, bytes, sigs) = doc.ok_or_else(bad)?;
    let loaded = domain::load_doc(&bytes)?;
    let meta = domain::read_meta(&loaded)?;
    if meta.doc_kind()? != DocKind::Workspace || meta.id != named || !meta.id_fits_creator() {
        return Err(NodeError::Invalid(
            "the package does not hold a workspace document".into(),
        ));
    }
    let mut log = Log::new(&meta.id);
    for e in &entries {
        log.insert(e)
            .map_err(|e| NodeError::Invalid(format!("the membership log does not verify: {e}")))?;
    }
    let members = log
        .evaluate()
        .map_err(|e| NodeError::Invalid(format!("the membership log does not verify: {e}")))?;
    // The log's creation entry and the workspace's signed header name the same founder: nobody
    // hands a newcomer a log rooted at themselves.
    if members.founder != meta.created_by {
        return Err(NodeError::Invalid(
            "the membership log was not started by the workspace's founder".into(),
        ));
    }
    let standing = |m: &str| standing_in(&members, m);
    let (workspace, admission) = domain::admit_whole(loaded, &meta, &sigs, &standing);
    if !admission.complete() {
        return Err(refusal(&admission));
    }
    Ok(Package {
        log,
        members,
        meta,
        workspace,
        sigs: kept(&admission, &sigs),
    })
}

impl Node {
    /// See [`Core::document_ids`].
    pub async fn document_ids(&self) -> Result<Vec<String>, NodeError> {
        self.call(|c| c.document_ids()).await
    }

    /// Creates a data directory holding only this device's key, and returns the device's
    /// member id, to be given to an admin before [`Node::join`].
    pub fn init_device(dir: &Path) -> Result<String, NodeError> {
        let shown = dir.display().to_string();
        if dir.join(DB_FILE).exists() {
            return Err(NodeError::AlreadyInitialised(shown));
        }
        identity::create_dir(dir)?;
        let key_path = dir.join(KEY_FILE);
        let key = if key_path.exists() {
            identity::load(&key_path)?
        } else {
            identity::create(&key_path)?
        };
        Ok(key.public().to_peer_id().to_string())
    }

    /// The device key [`Node::init_device`] made in `dir`, for a process that runs this device's
    /// network alone (the benchmark's relay host).
    pub fn device_key(dir: &Path) -> Result<domain::Keypair, NodeError> {
        identity::load(&dir.join(KEY_FILE))
    }

    /// Stores the join package received from a member (see [`Core::join_package`]) in a
    /// directory made by [`Node::init_device`], once its log makes this device a member, and
    /// opens it; this member then writes their own profile.
    pub async fn join(dir: &Path, package: &[u8]) -> Result<Node, NodeError> {
        Node::join_workspace(dir, package, None).await
    }

    /// [`Node::join`], refusing a package of another workspace than `expected` (the one the
    /// invite ticket names).
    pub(crate) async fn join_workspace(
        dir: &Path,
        package: &[u8],
        expected: Option<&str>,
    ) -> Result<Node, NodeError> {
        let shown = dir.display().to_string();
        if dir.join(DB_FILE).exists() {
            return Err(NodeError::AlreadyInitialised(shown));
        }
        let key = identity::load(&dir.join(KEY_FILE))?;
        let me = key.public().to_peer_id().to_string();
        let Package {
            log,
            members,
            meta,
            mut workspace,
            sigs,
        } = read_package(package)?;
        if expected.is_some_and(|w| w != meta.id) {
            return Err(NodeError::Invalid(
                "the inviter sent another workspace than the ticket's".into(),
            ));
        }
        if !members.is_member(&me) {
            return Err(NodeError::Invalid(
                "this workspace does not list this device as a member yet".into(),
            ));
        }
        let tmp = dir.join(format!("{DB_FILE}.init"));
        let _ = fs::remove_file(&tmp);
        {
            let mut store = Store::create(&tmp)?;
            store.write(|tx| {
                tx.set_setting("workspace_id", &meta.id)?;
                tx.set_setting("member_id", &me)?;
                for entry in log.encoded() {
                    let hash = sync::membership::SignedEntry::decode(&entry)
                        .map(|e| e.hash())
                        .map_err(|e| NodeError::Invalid(e.to_string()))?;
                    tx.add_membership_entry(&hash, &entry)?;
                }
                tx.insert_doc(&meta, DocKind::Workspace, &mut workspace)?;
                tx.add_signatures(&meta.id, &sigs)?;
                Ok::<_, NodeError>(())
            })?;
        }
        fs::rename(&tmp, dir.join(DB_FILE)).map_err(NodeError::io(format!(
            "cannot create the database in {shown}"
        )))?;
        identity::sync_dir(dir)?;
        let node = Node::open(dir).await?;
        node.call(|c| c.ensure_profile()).await?;
        Ok(node)
    }

    /// See [`Core::document_bytes`].
    pub async fn document_bytes(&self, id: String) -> Result<Vec<u8>, NodeError> {
        self.call(move |c| c.document_bytes(&id)).await
    }

    /// See [`Core::saved_document`].
    pub async fn saved_document(&self, id: String) -> Result<Vec<u8>, NodeError> {
        self.call(move |c| c.saved_document(&id)).await
    }

    /// See [`Core::join_package`].
    pub async fn join_package(&self) -> Result<Vec<u8>, NodeError> {
        self.call(|c| c.join_package()).await
    }

    /// See [`Core::receive`].
    pub async fn receive(&self, bytes: Vec<u8>) -> Result<String, NodeError> {
        self.call(move |c| c.receive(&bytes)).await
    }

    /// See [`Core::add_member`](crate::Core::add_member).
    pub async fn add_member(&self, member: String, name: String) -> Result<(), NodeError> {
        self.call(move |c| c.add_member(&member, &name)).await
    }
}
