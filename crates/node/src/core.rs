//! The state owned by the store thread: the device key, the open database and the workspace
//! it belongs to, with the helpers every operation uses to read and change typed documents.

use std::cell::{Ref, RefCell};
use std::fs;
use std::path::Path;

use automerge::ActorId;
use domain::signing::{Signatures, sign_new};
use domain::{Author, DocKind, DocMeta, DomainError, Keypair, Scope, TypedDoc, Workspace};
use store::{Store, StoreError, Tx};
use sync::membership::{Log, Members};
use tokio::sync::broadcast;

use crate::{DB_FILE, Event, KEY_FILE, NodeError, identity};

/// The store thread's state. Operations are methods on it (see `ops`), reached through
/// [`crate::Node::call`].
pub struct Core {
    pub(crate) store: Store,
    pub(crate) key: Keypair,
    pub(crate) me: String,
    pub(crate) actor: ActorId,
    pub(crate) workspace_id: String,
    pub(crate) events: broadcast::Sender<Event>,
    /// Set by [`crate::Node::shutdown`]: the store thread stops after the current job.
    pub(crate) stopping: Option<tokio::sync::oneshot::Sender<()>>,
    /// The sync engine and its document cache, while the network runs.
    pub(crate) sync: Option<crate::runtime::SyncRuntime>,
    /// The membership log and its evaluation, read again when the stored log grows (also
    /// through another process on the same data directory).
    log: RefCell<Option<LogView>>,
    /// The workspace document's model and the newest chunk it was read from: read again when
    /// a write (here or through another process) added a chunk to it.
    workspace: RefCell<Option<(i64, Workspace)>>,
}

/// The membership log as last read from the store, with what it evaluates to.
pub(crate) struct LogView {
    /// The store's mark when it was read ([`Store::membership_mark`]).
    mark: i64,
    /// The verified entries.
    pub(crate) log: Log,
    /// Their evaluation.
    pub(crate) members: Members,
}

impl Core {
    pub(crate) fn init(
        dir: &Path,
        name: &str,
        workspace: &str,
        events: broadcast::Sender<Event>,
    ) -> Result<Core, NodeError> {
        let shown = dir.display().to_string();
        domain::require_text("name", name)?;
        domain::require_text("workspace name", workspace)?;
        if dir.join(DB_FILE).exists() {
            return Err(NodeError::AlreadyInitialised(shown));
        }
        if dir.exists() {
            let entries =
                fs::read_dir(dir).map_err(NodeError::io(format!("cannot read {shown}")))?;
            for entry in entries {
                let entry = entry.map_err(NodeError::io(format!("cannot read {shown}")))?;
                let file = entry.file_name();
                // What an interrupted `init` may have left is ours to reuse or replace.
                let ours = file == KEY_FILE
                    || file
                        .to_string_lossy()
                        .starts_with(&format!("{DB_FILE}.init"));
                if !ours {
                    return Err(NodeError::NotEmpty(shown));
                }
            }
        }
        identity::create_dir(dir)?;
        let key_path = dir.join(KEY_FILE);
        let key = if key_path.exists() {
            identity::load(&key_path)?
        } else {
            identity::create(&key_path)?
        };
        let me = key.public().to_peer_id();
        let now = now();
        let workspace_id = new_id();
        let meta = DocMeta::new_signed(
            &key,
            &workspace_id,
            DocKind::Workspace,
            &Scope::Workspace,
            &workspace_id,
            now,
            &[],
        )?;
        let model = Workspace::new(meta, workspace, name, now)?;
        let genesis = sync::membership::Entry {
            prev: Vec::new(),
            author: me.to_string(),
            at: now,
            op: sync::membership::Op::Create {
                workspace: workspace_id.clone(),
                name: name.trim().to_owned(),
            },
        };
        let genesis = sync::membership::SignedEntry::sign(&key, genesis)
            .map_err(|e| NodeError::Invalid(e.to_string()))?;
        let mut doc = domain::create(domain::actor_for(&me), &model)?;
        let sigs = sign_new(&key, &workspace_id, &mut doc, &[])?;

        // Build the database under a temporary name and move it into place once complete, so
        // that a crash during `init` never leaves a half-made workspace behind.
        let tmp = dir.join(format!("{DB_FILE}.init"));
        for leftover in ["", "-wal", "-shm", "-journal"] {
            let _ = fs::remove_file(dir.join(format!("{DB_FILE}.init{leftover}")));
        }
        {
            let mut store = Store::create(&tmp)?;
            store.write(|tx| {
                tx.set_setting("workspace_id", &workspace_id)?;
                tx.set_setting("member_id", &me.to_string())?;
                tx.add_membership_entry(&genesis.hash(), &genesis.encode())?;
                tx.insert_doc(&model.meta, DocKind::Workspace, &mut doc)?;
                tx.add_signatures(&workspace_id, &sigs)
            })?;
        }
        fs::rename(&tmp, dir.join(DB_FILE)).map_err(NodeError::io(format!(
            "cannot create the database in {shown}"
        )))?;
        identity::sync_dir(dir)?;
        Self::open(dir, events)
    }

    pub(crate) fn open(dir: &Path, events: broadcast::Sender<Event>) -> Result<Core, NodeError> {
        let shown = dir.display().to_string();
        if !dir.is_dir() {
            return Err(NodeError::NoDataDir(shown));
        }
        let store = match Store::open(&dir.join(DB_FILE)) {
            Ok(store) => store,
            Err(StoreError::Missing(_) | StoreError::NotOurs(_)) => {
                return Err(NodeError::NotOurs(shown));
            }
            Err(other) => return Err(other.into()),
        };
        let key = identity::load(&dir.join(KEY_FILE))?;
        let me = key.public().to_peer_id();
        let workspace_id = store
            .setting("workspace_id")?
            .ok_or_else(|| NodeError::NotOurs(shown.clone()))?;
        if store.setting("member_id")?.as_deref() != Some(me.to_string().as_str()) {
            return Err(NodeError::Invalid(format!(
                "the device key in {shown} does not belong to this database"
            )));
        }
        Ok(Core {
            store,
            actor: domain::actor_for(&me),
            me: me.to_string(),
            key,
            workspace_id,
            events,
            stopping: None,
            sync: None,
            log: RefCell::new(None),
            workspace: RefCell::new(None),
        })
    }

    /// The membership log and its evaluation, read again if the stored log grew.
    pub(crate) fn log_view(&self) -> Result<Ref<'_, LogView>, NodeError> {
        let mark = self.store.membership_mark()?;
        let fresh = self.log.borrow().as_ref().is_some_and(|v| v.mark == mark);
        if !fresh {
            let entries = self.store.membership_entries()?;
            let log = Log::from_verified(
                &self.workspace_id,
                entries
                    .iter()
                    .filter_map(|(_, e)| sync::membership::SignedEntry::decode(e).ok()),
            )
            .map_err(|e| NodeError::Invalid(format!("the membership log does not verify: {e}")))?;
            let members = log.evaluate().map_err(|e| {
                NodeError::Invalid(format!("the membership log does not verify: {e}"))
            })?;
            *self.log.borrow_mut() = Some(LogView { mark, log, members });
        }
        Ref::filter_map(self.log.borrow(), Option::as_ref)
            .map_err(|_| NodeError::Invalid("the membership log could not be read".into()))
    }

    /// Forgets the evaluated membership log (after appending to it in this process).
    pub(crate) fn forget_log(&self) {
        *self.log.borrow_mut() = None;
    }

    /// This device's member id.
    pub fn member_id(&self) -> &str {
        &self.me
    }

    /// A fresh id for a document this device creates (it names its creator).
    pub(crate) fn new_doc_id(&self) -> String {
        domain::doc_id(&self.me, &new_id())
    }

    /// The workspace id.
    pub fn workspace_id(&self) -> &str {
        &self.workspace_id
    }

    /// Reads and verifies a document's model.
    pub(crate) fn read<T: TypedDoc>(&self, id: &str) -> Result<T, NodeError> {
        self.read_at(id).map(|(model, _)| model)
    }

    /// [`Core::read`] with the id of the newest chunk it was read from.
    fn read_at<T: TypedDoc>(&self, id: &str) -> Result<(T, i64), NodeError> {
        let (bytes, chunk) = self
            .store
            .doc_bytes_at(id)?
            .ok_or_else(|| NodeError::NotFound(format!("no {} '{id}'", T::KIND)))?;
        let (_, model) = domain::load::<T>(&bytes, self.actor.clone()).map_err(|source| {
            StoreError::Document {
                id: id.to_owned(),
                source,
            }
        })?;
        Ok((model, chunk))
    }

    /// The workspace document's model. Every screen reads it, so it is kept between reads
    /// and loaded again only when the stored document has a newer chunk: chunk ids only grow
    /// (SQLite's AUTOINCREMENT, and reads here see committed writes only).
    pub(crate) fn workspace(&self) -> Result<Workspace, NodeError> {
        let newest = self.store.newest_chunk(&self.workspace_id)?;
        if let Some((chunk, ws)) = self.workspace.borrow().as_ref()
            && Some(*chunk) == newest
        {
            return Ok(ws.clone());
        }
        let (model, chunk) = self.read_at::<Workspace>(&self.workspace_id)?;
        let ws = model.resolved();
        *self.workspace.borrow_mut() = Some((chunk, ws.clone()));
        Ok(ws)
    }

    /// Finds the one document of `kind` whose id is `query` or starts with it (at least 4
    /// characters), so people can type short ids.
    pub(crate) fn resolve_id(&self, kind: DocKind, query: &str) -> Result<String, NodeError> {
        let query = query.trim();
        let missing = || NodeError::NotFound(format!("no {kind} with id '{query}'"));
        if !domain::valid_id(query) {
            return Err(missing());
        }
        let found = self.store.ids_with_prefix(kind, query)?;
        if found.iter().any(|id| id == query) {
            return Ok(query.to_owned());
        }
        match found.as_slice() {
            [one] if query.len() >= 4 => Ok(one.clone()),
            [] | [_] => Err(missing()),
            _ => Err(NodeError::Invalid(format!(
                "'{query}' matches several {kind}s; type more of the id"
            ))),
        }
    }

    /// Runs `f` in one durable write transaction and, once it has committed, announces the
    /// documents it changed.
    pub(crate) fn write<R>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_, '_>) -> Result<R, NodeError>,
    ) -> Result<R, NodeError> {
        Ok(self.write_from(false, f)?.0)
    }

    /// [`Core::write`] for what the sync engine merged from a peer; also returns the newest
    /// chunk id before and after the write. The write holds SQLite's write lock, so the chunks
    /// in between are exactly this write's: the sync runtime, which already offered them to the
    /// other peers, skips them instead of reloading the documents to offer them again.
    pub(crate) fn write_synced<R>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_, '_>) -> Result<R, NodeError>,
    ) -> Result<(R, Option<(i64, i64)>), NodeError> {
        self.write_from(true, f)
    }

    fn write_from<R>(
        &mut self,
        synced: bool,
        f: impl FnOnce(&mut Writer<'_, '_>) -> Result<R, NodeError>,
    ) -> Result<(R, Option<(i64, i64)>), NodeError> {
        // This device writes with the rights its member has now; what it receives is judged on
        // rights once held (`exchange::standing_in`), which never go back.
        let admin = self.log_view()?.members.is_admin(&self.me);
        let Core {
            store,
            key,
            me,
            actor,
            workspace_id,
            ..
        } = self;
        let (out, changed, chunks) = store.write(|tx| {
            let before = if synced { tx.last_chunk()? } else { -1 };
            let mut w = Writer {
                tx,
                key,
                me,
                admin,
                actor,
                workspace_id,
                now: now(),
                changed: Vec::new(),
            };
            let out = f(&mut w)?;
            let chunks = if synced {
                Some((before, tx.last_chunk()?))
            } else {
                None
            };
            Ok::<_, NodeError>((out, w.changed, chunks))
        })?;

        if changed.iter().any(|(_, kind)| *kind == DocKind::Workspace) {
            // The sync runtime reads the workspace again on next use.
            if let Some(rt) = self.sync.as_mut() {
                rt.invalidate_view();
            }
        }
        for (id, kind) in changed {
            // No subscriber is not an error: the CLI has none.
            let _ = self.events.send(Event::DocChanged { id, kind });
        }
        Ok((out, chunks))
    }
}

/// What an operation may do inside a write transaction.
pub(crate) struct Writer<'a, 'b> {
    tx: &'a Tx<'b>,
    key: &'a Keypair,
    pub(crate) me: &'a str,
    /// Whether this member is an admin now (what the write rules ask of local writes).
    admin: bool,
    actor: &'a ActorId,
    pub(crate) workspace_id: &'a str,
    pub(crate) now: i64,
    changed: Vec<(String, DocKind)>,
}

impl Writer<'_, '_> {
    /// A signed header for a new document created by this device now.
    pub(crate) fn meta(
        &self,
        id: &str,
        kind: DocKind,
        scope: &Scope,
        participants: &[String],
    ) -> Result<DocMeta, NodeError> {
        self.meta_at(id, kind, scope, participants, self.now)
    }

    /// A signed header for a new document created by this device, dated `created_at` (an
    /// import keeps the original dates).
    pub(crate) fn meta_at(
        &self,
        id: &str,
        kind: DocKind,
        scope: &Scope,
        participants: &[String],
        created_at: i64,
    ) -> Result<DocMeta, NodeError> {
        Ok(DocMeta::new_signed(
            self.key,
            id,
            kind,
            scope,
            self.workspace_id,
            created_at,
            participants,
        )?)
    }

    /// Whether a document exists.
    pub(crate) fn exists(&self, id: &str) -> Result<bool, NodeError> {
        Ok(self.tx.doc_bytes(id)?.is_some())
    }

    /// This device's member, as the write rules see it.
    pub(crate) fn author(&self) -> Author<'_> {
        Author {
            id: self.me,
            admin: self.admin,
        }
    }

    /// Stores a new document, its creation signed by this device.
    pub(crate) fn create<T: TypedDoc>(&mut self, model: &T) -> Result<(), NodeError> {
        let meta = model.meta();
        // The rules every other device applies to this creation when it arrives.
        domain::check_write(None, model, self.author())?;
        let mut doc = domain::create(self.actor.clone(), model)?;
        let sigs = sign_new(self.key, &meta.id, &mut doc, &[])?;
        self.tx.insert_doc(meta, T::KIND, &mut doc)?;
        self.tx.add_signatures(&meta.id, &sigs)?;
        self.changed.push((meta.id.clone(), T::KIND));
        Ok(())
    }

    /// Stores a document received whole and already admitted (every change judged), with the
    /// signatures of its changes.
    pub(crate) fn insert_admitted(
        &mut self,
        meta: &DocMeta,
        kind: DocKind,
        doc: &mut automerge::AutoCommit,
        sigs: &Signatures,
    ) -> Result<(), NodeError> {
        self.tx.insert_doc(meta, kind, doc)?;
        self.tx.add_signatures(&meta.id, sigs)?;
        self.changed.push((meta.id.clone(), kind));
        Ok(())
    }

    /// Stores changes to a stored document that were admitted, with their signatures. `before`
    /// are the heads `doc` had when it was read from the store in this transaction.
    pub(crate) fn append_admitted(
        &mut self,
        meta: &DocMeta,
        kind: DocKind,
        doc: &mut automerge::AutoCommit,
        before: &[automerge::ChangeHash],
        sigs: &Signatures,
    ) -> Result<(), NodeError> {
        self.tx.add_signatures(&meta.id, sigs)?;
        if self.tx.append(meta, kind, doc, before)?.is_some() {
            self.changed.push((meta.id.clone(), kind));
        }
        Ok(())
    }

    /// The stored bytes of a document, read inside this transaction.
    pub(crate) fn doc_bytes(&self, id: &str) -> Result<Option<Vec<u8>>, NodeError> {
        Ok(self.tx.doc_bytes(id)?)
    }

    /// Appends a verified membership entry; returns whether it was new.
    pub(crate) fn add_membership_entry(&self, hash: &str, entry: &str) -> Result<bool, NodeError> {
        Ok(self.tx.add_membership_entry(hash, entry)?)
    }

    /// Applies `edit` to a stored document, read inside this transaction, and appends the
    /// resulting change. Nothing is written if `edit` fails or changes nothing.
    pub(crate) fn update<T: TypedDoc, R>(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut T) -> Result<R, DomainError>,
    ) -> Result<R, NodeError> {
        let bytes = self
            .tx
            .doc_bytes(id)?
            .ok_or_else(|| NodeError::NotFound(format!("no {} '{id}'", T::KIND)))?;
        let doc_err = |source| StoreError::Document {
            id: id.to_owned(),
            source,
        };
        let (mut doc, model) = domain::load::<T>(&bytes, self.actor.clone()).map_err(doc_err)?;
        let before = doc.get_heads();
        let out = domain::change::<T, R>(&mut doc, self.author(), edit)?;
        let sigs = sign_new(self.key, id, &mut doc, &before)?;
        self.tx.add_signatures(id, &sigs)?;
        if self
            .tx
            .append(model.meta(), T::KIND, &mut doc, &before)?
            .is_some()
        {
            self.changed.push((id.to_owned(), T::KIND));
        }
        Ok(out)
    }

    /// Runs `f` in a savepoint: if it fails, what it wrote is undone and the rest of the
    /// transaction goes on.
    pub(crate) fn savepoint<R>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<R, NodeError>,
    ) -> Result<R, NodeError> {
        let tx = self.tx;
        let announced = self.changed.len();
        let out = tx.savepoint(|_| f(self));
        if out.is_err() {
            self.changed.truncate(announced);
        }
        out
    }

    /// Stores a document the sync changed in memory. `base` is the newest stored chunk it was
    /// loaded at and its heads then: if nothing was stored since, it is written as it is (its
    /// header must still be `meta`); otherwise, or without a base, it is merged into what is
    /// stored. `ready`: the document made ready to be written beforehand, used where it is
    /// written as it is. Returns the document's newest chunk if what is stored is now exactly
    /// `doc`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn store_synced(
        &mut self,
        id: &str,
        kind: DocKind,
        meta: &DocMeta,
        doc: &mut automerge::AutoCommit,
        base: Option<(i64, &[automerge::ChangeHash])>,
        sigs: &Signatures,
        ready: Option<store::Ready>,
    ) -> Result<Option<i64>, NodeError> {
        self.tx.add_signatures(id, sigs)?;
        match base {
            Some((chunk, heads)) if self.tx.newest_chunk(id)? == Some(chunk) => {
                // Writing it checks it still carries `meta` (the index reads it against it).
                let written = match ready {
                    Some(ready) => self.tx.append_ready(ready, heads)?,
                    None => self.tx.append(meta, kind, doc, heads)?,
                };
                match written {
                    Some(written) => {
                        self.changed.push((id.to_owned(), kind));
                        Ok(Some(written))
                    }
                    None => Ok(Some(chunk)),
                }
            }
            _ => {
                if !self.merge(meta, kind, doc, ready)? {
                    return Ok(None);
                }
                Ok(self.tx.newest_chunk(id)?)
            }
        }
    }

    /// Merges `incoming`, whose verified header is `meta` and whose changes were all admitted
    /// (their signatures stored with them), into the stored document (or stores it if new) and
    /// appends what was new to this device. Returns whether what is stored is now exactly
    /// `incoming` (false: the stored document had changes `incoming` lacks).
    fn merge(
        &mut self,
        meta: &DocMeta,
        kind: DocKind,
        incoming: &mut automerge::AutoCommit,
        ready: Option<store::Ready>,
    ) -> Result<bool, NodeError> {
        let id = meta.id.as_str();
        let doc_err = |e: automerge::AutomergeError| StoreError::Document {
            id: id.to_owned(),
            source: DomainError::Corrupt(e.to_string()),
        };
        // Whatever is written is checked against `meta` by the index (`Tx::insert_doc`,
        // `Tx::append`); the stored document is checked here, since merging another document
        // that happens to share its id must not happen at all.
        match self.tx.doc_bytes(id)? {
            None => match ready {
                Some(ready) => self.tx.insert_ready(ready)?,
                None => self.tx.insert_doc(meta, kind, incoming)?,
            },
            Some(bytes) => {
                let mut doc = domain::load_stored(&bytes)?.with_actor(self.actor.clone());
                // Same id, other header: another document (or a forgery), never merged.
                if domain::has_header(&doc, meta).is_err() {
                    return Err(NodeError::Invalid(format!(
                        "document {id} arrived with a different header than ours"
                    )));
                }
                let before = doc.get_heads();
                doc.merge(incoming).map_err(doc_err)?;
                let exact = doc.get_heads() == incoming.get_heads();
                if self.tx.append(meta, kind, &mut doc, &before)?.is_none() {
                    return Ok(exact);
                }
                self.changed.push((id.to_owned(), kind));
                return Ok(exact);
            }
        }
        self.changed.push((id.to_owned(), kind));
        Ok(true)
    }

    /// [`Writer::update`] of the workspace document.
    pub(crate) fn update_workspace<R>(
        &mut self,
        edit: impl FnOnce(&mut Workspace) -> Result<R, DomainError>,
    ) -> Result<R, NodeError> {
        let id = self.workspace_id.to_owned();
        self.update::<Workspace, R>(&id, edit)
    }
}

/// Now, in ms since the Unix epoch.
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A fresh random id (of an entry inside a document; a document's own id is
/// [`Core::new_doc_id`]).
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
