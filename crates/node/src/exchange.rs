//! Documents crossing devices: the bytes of a stored document, and the receiving side that
//! verifies an incoming document and merges it — only if this device is entitled to hold it.
//! The network layer moves these bytes; the rules of who may hold what are checked here, on
//! every receipt, against the local (verified) workspace.
//!
//! Joining is device-first: `Node::init_device` creates only the key, an admin adds its id to
//! the workspace (`add_member`), and `Node::join` stores the workspace received from the admin.

use std::fs;
use std::path::Path;

use automerge::AutoCommit;
use domain::{DocKind, DocMeta, Workspace};
use store::Store;

use crate::core::Core;
use crate::{DB_FILE, KEY_FILE, Node, NodeError, identity};

/// Loads untrusted bytes and reads their signed header, verified.
fn header_of(bytes: &[u8]) -> Result<(AutoCommit, DocMeta), NodeError> {
    let doc = domain::load_doc(bytes)?;
    let meta = domain::check_any(&doc)?;
    Ok((doc, meta))
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

    /// The stored bytes of a document (a valid input of [`Core::receive`] elsewhere).
    pub fn document_bytes(&self, id: &str) -> Result<Vec<u8>, NodeError> {
        self.store
            .doc_bytes(id)?
            .ok_or_else(|| NodeError::NotFound(format!("no document '{id}'")))
    }

    /// Verifies an incoming document and merges it into the local copy (or stores it if new).
    /// Refused, with nothing changed: bytes that are not a valid document, a forged header, a
    /// document of another workspace, or one this device's member is not entitled to hold.
    /// Returns the document id.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<String, NodeError> {
        let (mut incoming, meta) = header_of(bytes)?;
        let kind = meta.doc_kind()?;
        let ws = self.workspace()?;
        if kind == DocKind::Workspace && meta.id != self.workspace_id {
            return Err(NodeError::Invalid(
                "this document belongs to another workspace".into(),
            ));
        }
        let members = self.members_of(&ws)?;
        if !sync::access::entitled(&members, &ws, &meta, &self.me) {
            return Err(NodeError::Invalid(format!(
                "this device is not entitled to document {}",
                meta.id
            )));
        }
        let id = meta.id.clone();
        self.write(|w| w.merge(&meta, kind, &mut incoming))?;
        Ok(id)
    }
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
        fs::create_dir_all(dir).map_err(NodeError::io(format!("cannot create {shown}")))?;
        let key_path = dir.join(KEY_FILE);
        let key = if key_path.exists() {
            identity::load(&key_path)?
        } else {
            identity::create(&key_path)?
        };
        Ok(key.public().to_peer_id().to_string())
    }

    /// Stores the workspace received from an admin in a directory made by
    /// [`Node::init_device`], once it names this device as a member, and opens it.
    pub async fn join(dir: &Path, workspace: &[u8]) -> Result<Node, NodeError> {
        let shown = dir.display().to_string();
        if dir.join(DB_FILE).exists() {
            return Err(NodeError::AlreadyInitialised(shown));
        }
        let key = identity::load(&dir.join(KEY_FILE))?;
        let me = key.public().to_peer_id().to_string();
        let (mut doc, meta) = header_of(workspace)?;
        if meta.doc_kind()? != DocKind::Workspace {
            return Err(NodeError::Invalid(
                "this is not a workspace document".into(),
            ));
        }
        let ws = domain::hydrate_doc::<Workspace>(&doc)?;
        let members = sync::membership::evaluate(&meta.id, &ws.membership)
            .map_err(|e| NodeError::Invalid(format!("the membership log does not verify: {e}")))?;
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
                tx.insert_doc(&meta, DocKind::Workspace, &mut doc)
            })?;
        }
        fs::rename(&tmp, dir.join(DB_FILE)).map_err(NodeError::io(format!(
            "cannot create the database in {shown}"
        )))?;
        identity::sync_dir(dir)?;
        Node::open(dir).await
    }

    /// See [`Core::document_bytes`].
    pub async fn document_bytes(&self, id: String) -> Result<Vec<u8>, NodeError> {
        self.call(move |c| c.document_bytes(&id)).await
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
