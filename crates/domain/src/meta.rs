//! The signed header every document carries: who created it, what it is, who may see it.
//!
//! The header is written once, when the document is created, and signed with the creator's
//! device key. Loading a document verifies the signature against the public key embedded in the
//! creator's `PeerId` (ed25519 ids are self-certifying), so the scope and the participants of a
//! private document cannot be widened by anyone but by forging a signature.

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, Reconcile};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use libp2p_identity::{Keypair, PeerId, PublicKey};
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The schema version this build writes and the newest it reads.
pub const SCHEMA_VERSION: u64 = 2;

/// What a document holds. Each kind maps to one typed model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// The workspace: members, profiles, skills, claims, endorsements, communities.
    Workspace,
    /// One note.
    Note,
    /// One community thread with its replies.
    Thread,
    /// One mentoring relationship (private).
    Mentoring,
    /// One peer review (private).
    Review,
    /// One guided session.
    Session,
}

impl DocKind {
    /// The stable name stored in documents and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Workspace => "workspace",
            DocKind::Note => "note",
            DocKind::Thread => "thread",
            DocKind::Mentoring => "mentoring",
            DocKind::Review => "review",
            DocKind::Session => "session",
        }
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DocKind {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "workspace" => Ok(DocKind::Workspace),
            "note" => Ok(DocKind::Note),
            "thread" => Ok(DocKind::Thread),
            "mentoring" => Ok(DocKind::Mentoring),
            "review" => Ok(DocKind::Review),
            "session" => Ok(DocKind::Session),
            other => Err(DomainError::invalid(format!(
                "unknown document kind '{other}'"
            ))),
        }
    }
}

/// Who a document reaches (DESIGN.md, "Documents, scopes and who may see what").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Every member's devices.
    Workspace,
    /// The members of one community, by community id.
    Community(String),
    /// Only the participants fixed in the signed header.
    Private,
    /// Only the owner's own devices, by member id.
    Personal(String),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Workspace => f.write_str("workspace"),
            Scope::Community(id) => write!(f, "community:{id}"),
            Scope::Private => f.write_str("private"),
            Scope::Personal(owner) => write!(f, "personal:{owner}"),
        }
    }
}

impl FromStr for Scope {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            DomainError::invalid(format!(
                "invalid scope '{s}': expected workspace, personal, private or community:ID"
            ))
        };
        match s.split_once(':') {
            None if s == "workspace" => Ok(Scope::Workspace),
            None if s == "private" => Ok(Scope::Private),
            Some(("community", id)) if valid_id(id) => Ok(Scope::Community(id.to_owned())),
            Some(("personal", owner)) if valid_id(owner) => Ok(Scope::Personal(owner.to_owned())),
            _ => Err(bad()),
        }
    }
}

/// How many of its creator's id's last characters a document id ends with.
const TAG_LEN: usize = 10;

/// The tag a document id ends with: the last characters of its creator's member id (an
/// ed25519 `PeerId` in base58, so ten characters are some 58 bits of the creator's key). Nobody
/// can create a document under an id another member's document has, to be the first some
/// devices receive and so keep the real one out.
pub fn creator_tag(created_by: &str) -> &str {
    let start = created_by
        .char_indices()
        .rev()
        .nth(TAG_LEN - 1)
        .map_or(0, |(i, _)| i);
    &created_by[start..]
}

/// A new document id for `created_by`: `fresh` (a random id), then the creator's tag.
pub fn doc_id(created_by: &str, fresh: &str) -> String {
    format!("{fresh}-{}", creator_tag(created_by))
}

/// Ids are printable ASCII without separators; anything else coming from a peer or a file is
/// refused before it reaches an index or a file name.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The signed header at the root of every document.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct DocMeta {
    /// Schema version the document was created with.
    pub schema: u64,
    /// The document id (a UUID, or the workspace id).
    pub id: String,
    /// The kind, as [`DocKind::as_str`].
    pub kind: String,
    /// The scope, as [`Scope`]'s display form.
    pub scope: String,
    /// The workspace the document belongs to.
    pub workspace: String,
    /// Member id (device `PeerId`) of the creator, whose key signed this header.
    pub created_by: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: i64,
    /// The fixed participants of a private document (sorted); empty for other scopes.
    pub participants: Vec<String>,
    /// Base64 ed25519 signature of [`DocMeta::signing_bytes`] by `created_by`.
    pub signature: String,
}

impl DocMeta {
    /// Builds and signs the header of a new document.
    pub fn new_signed(
        key: &Keypair,
        id: &str,
        kind: DocKind,
        scope: &Scope,
        workspace: &str,
        created_at: i64,
        participants: &[String],
    ) -> Result<DocMeta, DomainError> {
        let mut participants = participants.to_vec();
        participants.sort();
        participants.dedup();
        let mut meta = DocMeta {
            schema: SCHEMA_VERSION,
            id: id.to_owned(),
            kind: kind.as_str().to_owned(),
            scope: scope.to_string(),
            workspace: workspace.to_owned(),
            created_by: key.public().to_peer_id().to_string(),
            created_at,
            participants,
            signature: String::new(),
        };
        meta.check_shape()?;
        let signature = key
            .sign(&meta.signing_bytes())
            .map_err(|e| DomainError::invalid(format!("cannot sign the header: {e}")))?;
        meta.signature = B64.encode(signature);
        Ok(meta)
    }

    /// Whether the document's id ends with its creator's tag ([`doc_id`]): what a document
    /// received for the first time must show. The workspace document is the exception: its id
    /// is the workspace's (the one id a workspace document may have, which access checks).
    pub fn id_fits_creator(&self) -> bool {
        self.kind == DocKind::Workspace.as_str()
            || self
                .id
                .strip_suffix(creator_tag(&self.created_by))
                .is_some_and(|rest| rest.ends_with('-') && rest.len() > 1)
    }

    /// The parsed kind.
    pub fn doc_kind(&self) -> Result<DocKind, DomainError> {
        self.kind.parse()
    }

    /// The parsed scope.
    pub fn parsed_scope(&self) -> Result<Scope, DomainError> {
        self.scope.parse()
    }

    /// Checks that the document is private to exactly the two members `a` and `b`; `what`
    /// names the document in the error ("a review is private to …").
    pub fn require_private_pair(&self, a: &str, b: &str, what: &str) -> Result<(), DomainError> {
        let mut pair = vec![a.to_owned(), b.to_owned()];
        pair.sort();
        if self.parsed_scope()? != Scope::Private || pair != self.participants {
            return Err(DomainError::invalid(format!(
                "{what} is private to its two participants"
            )));
        }
        Ok(())
    }

    /// The bytes covered by the signature: every field but the signature, each length-prefixed
    /// so that no two different headers share an encoding.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut out = b"entrepairs/doc-meta/v1".to_vec();
        let schema = self.schema.to_string();
        let created_at = self.created_at.to_string();
        let fields = [
            schema.as_str(),
            &self.id,
            &self.kind,
            &self.scope,
            &self.workspace,
            &self.created_by,
            created_at.as_str(),
        ];
        for field in fields
            .into_iter()
            .chain(self.participants.iter().map(String::as_str))
        {
            out.extend_from_slice(&(field.len() as u64).to_le_bytes());
            out.extend_from_slice(field.as_bytes());
        }
        out
    }

    /// Checks the header's internal rules (valid ids, scope rules) without the signature.
    fn check_shape(&self) -> Result<(), DomainError> {
        let bad = |reason: String| DomainError::BadSignature {
            id: self.id.clone(),
            reason,
        };
        if !valid_id(&self.id) {
            return Err(bad("the document id is not a valid id".into()));
        }
        if !valid_id(&self.workspace) {
            return Err(bad("the workspace id is not a valid id".into()));
        }
        self.doc_kind()?;
        let scope = self.parsed_scope()?;
        let mut sorted = self.participants.clone();
        sorted.sort();
        sorted.dedup();
        if sorted != self.participants {
            return Err(bad("participants are not sorted and unique".into()));
        }
        match scope {
            Scope::Private => {
                if !self.participants.contains(&self.created_by) {
                    return Err(bad(
                        "a private document's creator must be a participant".into()
                    ));
                }
                if self.participants.len() < 2 {
                    return Err(bad(
                        "a private document needs at least two participants".into()
                    ));
                }
            }
            Scope::Personal(ref owner) if *owner != self.created_by => {
                return Err(bad("a personal document belongs to its creator".into()));
            }
            _ if !self.participants.is_empty() => {
                return Err(bad("only private documents name participants".into()));
            }
            _ => {}
        }
        Ok(())
    }

    /// Verifies the header: shape, schema version and the creator's signature.
    pub fn verify(&self) -> Result<(), DomainError> {
        if self.schema > SCHEMA_VERSION {
            return Err(DomainError::NewerSchema {
                found: self.schema,
                supported: SCHEMA_VERSION,
            });
        }
        self.check_shape()?;
        let bad = |reason: &str| DomainError::BadSignature {
            id: self.id.clone(),
            reason: reason.to_owned(),
        };
        let peer: PeerId = self
            .created_by
            .parse()
            .map_err(|_| bad("the creator is not a valid member id"))?;
        let public = public_key_of(&peer).ok_or_else(|| bad("the creator id embeds no key"))?;
        let signature = B64
            .decode(&self.signature)
            .map_err(|_| bad("the signature is not base64"))?;
        if public.verify(&self.signing_bytes(), &signature) {
            Ok(())
        } else {
            Err(bad("the signature does not match the creator's key"))
        }
    }
}

/// The public key embedded in an ed25519 `PeerId` (an identity multihash of the key).
pub fn public_key_of(peer: &PeerId) -> Option<PublicKey> {
    let multihash = peer.as_ref();
    // 0x00 is the identity multihash: the digest *is* the protobuf-encoded public key.
    if multihash.code() != 0 {
        return None;
    }
    PublicKey::try_decode_protobuf(multihash.digest()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Keypair {
        Keypair::generate_ed25519()
    }

    #[test]
    fn scopes_round_trip_and_reject_garbage() {
        for s in [
            "workspace",
            "private",
            "community:abc-1",
            "personal:12D3Koo",
        ] {
            assert_eq!(s.parse::<Scope>().unwrap().to_string(), s);
        }
        for s in [
            "",
            "community:",
            "personal",
            "team:x",
            "community:a b",
            "community:é",
        ] {
            assert!(s.parse::<Scope>().is_err(), "{s:?} should be refused");
        }
    }

    #[test]
    fn signed_private_header_verifies_and_detects_tampering() {
        let alice = key();
        let bob = key().public().to_peer_id().to_string();
        let me = alice.public().to_peer_id().to_string();
        let meta = DocMeta::new_signed(
            &alice,
            "doc-1",
            DocKind::Note,
            &Scope::Private,
            "ws",
            1,
            &[bob.clone(), me.clone()],
        )
        .unwrap();
        meta.verify().unwrap();

        let carol = key().public().to_peer_id().to_string();
        let mut widened = meta.clone();
        widened.participants.push(carol);
        widened.participants.sort();
        assert!(matches!(
            widened.verify(),
            Err(DomainError::BadSignature { .. })
        ));

        let mut rescoped = meta.clone();
        rescoped.scope = "workspace".into();
        rescoped.participants.clear();
        assert!(matches!(
            rescoped.verify(),
            Err(DomainError::BadSignature { .. })
        ));

        let mut impostor = meta.clone();
        impostor.created_by = bob;
        assert!(impostor.verify().is_err());

        let mut newer = meta;
        newer.schema = SCHEMA_VERSION + 1;
        assert!(matches!(
            newer.verify(),
            Err(DomainError::NewerSchema { .. })
        ));
    }

    #[test]
    fn scope_rules_are_enforced_at_creation() {
        let alice = key();
        let me = alice.public().to_peer_id().to_string();
        let lonely =
            DocMeta::new_signed(&alice, "d", DocKind::Note, &Scope::Private, "w", 0, &[me]);
        assert!(lonely.is_err(), "a private document needs two participants");
        let other = key().public().to_peer_id().to_string();
        let stolen = DocMeta::new_signed(
            &alice,
            "d",
            DocKind::Note,
            &Scope::Personal(other),
            "w",
            0,
            &[],
        );
        assert!(
            stolen.is_err(),
            "a personal document belongs to its creator"
        );
    }
}
