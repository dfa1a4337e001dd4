//! What peers say to each other, and its bounded binary encoding.
//!
//! A frame is `version (1 byte) · tag (1 byte) · fields`, every variable field prefixed by its
//! length as a u32 (big-endian). Decoding untrusted bytes never panics and never allocates more
//! than the frame's own size: every length is checked against what remains before use.

use automerge::ChangeHash;
use domain::signing::{SIGNATURE_LEN, Signature, Signatures};

use crate::membership::MAX_ENTRY_BYTES;

/// Largest frame accepted, in bytes.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;
/// Longest document id.
pub const MAX_ID: usize = 128;
/// Most documents in one summary.
pub const MAX_SUMMARY_DOCS: usize = 200_000;

/// Most signatures one message carries (each change it holds has one).
pub const MAX_SIGNATURES: usize = 1_000_000;

/// Version 2: changes travel with their authors' signatures, and the membership log travels
/// on its own.
const VERSION: u8 = 2;
const TAG_SUMMARY: u8 = 1;
const TAG_SYNC: u8 = 2;
const TAG_DIGEST: u8 = 3;
const TAG_BATCH: u8 = 4;
const TAG_DOC: u8 = 5;
const TAG_LOG_HEADS: u8 = 6;
const TAG_LOG_ENTRIES: u8 = 7;
/// Bytes of one signed change on the wire: its hash, then its signature.
const SIGNED: usize = 32 + SIGNATURE_LEN;

/// A document as summarised: its id and a digest of its heads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DocDigest {
    /// Document id.
    pub id: String,
    /// SHA-256 of its sorted heads.
    pub heads: [u8; 32],
}

/// One message between two peers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// One hash over everything shared with the receiver (see [`summary_digest`]): sent first on
    /// connecting, so that peers already in sync exchange one small frame each way and stop.
    Digest {
        /// How many documents the digest covers.
        docs: u32,
        /// [`summary_digest`] of those documents.
        digest: [u8; 32],
    },
    /// The documents the sender may share with the receiver, with their heads' digests.
    Summary(Vec<DocDigest>),
    /// One Automerge sync message for one document, with the signatures of the changes it
    /// carries.
    Sync {
        /// Document id.
        doc: String,
        /// An encoded `automerge::sync::Message`.
        data: Vec<u8>,
        /// The signature of each change in `data`.
        sigs: Signatures,
    },
    /// A whole saved document, for a peer whose summary does not list it at all: one message
    /// instead of Automerge's three-message handshake; with the signature of every change.
    Doc {
        /// Document id.
        doc: String,
        /// The document as saved (`AutoCommit::save`, possibly followed by changes).
        bytes: Vec<u8>,
        /// The signature of each of its changes.
        sigs: Signatures,
    },
    /// The hashes of the sender's newest membership entries (sent first on connecting): the
    /// receiver answers with the entries the sender lacks.
    LogHeads(Vec<[u8; 32]>),
    /// Signed membership entries the receiver lacks, each after the entries it follows.
    LogEntries(Vec<String>),
    /// Several messages to the same peer in one frame (never nested): a sync of thousands of
    /// documents takes a few frames instead of one request per document.
    Batch(Vec<Message>),
}

/// Why a frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Larger than [`MAX_FRAME`].
    #[error("frame of {0} bytes exceeds the limit")]
    TooLarge(usize),
    /// Ends before a field does.
    #[error("truncated frame")]
    Truncated,
    /// Unknown version or tag, or bytes after the last field.
    #[error("malformed frame: {0}")]
    Malformed(&'static str),
}

impl Message {
    /// The frame bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![VERSION];
        match self {
            Message::Summary(docs) => {
                out.push(TAG_SUMMARY);
                out.extend_from_slice(&(docs.len() as u32).to_be_bytes());
                for d in docs {
                    put(&mut out, d.id.as_bytes());
                    out.extend_from_slice(&d.heads);
                }
            }
            Message::Digest { docs, digest } => {
                out.push(TAG_DIGEST);
                out.extend_from_slice(&docs.to_be_bytes());
                out.extend_from_slice(digest);
            }
            Message::Sync { doc, data, sigs } => {
                out.push(TAG_SYNC);
                put(&mut out, doc.as_bytes());
                put(&mut out, data);
                put_sigs(&mut out, sigs);
            }
            Message::Doc { doc, bytes, sigs } => {
                out.push(TAG_DOC);
                put(&mut out, doc.as_bytes());
                put(&mut out, bytes);
                put_sigs(&mut out, sigs);
            }
            Message::LogHeads(heads) => {
                out.push(TAG_LOG_HEADS);
                out.extend_from_slice(&(heads.len() as u32).to_be_bytes());
                for h in heads {
                    out.extend_from_slice(h);
                }
            }
            Message::LogEntries(entries) => {
                out.push(TAG_LOG_ENTRIES);
                out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
                for e in entries {
                    put(&mut out, e.as_bytes());
                }
            }
            Message::Batch(msgs) => {
                out.push(TAG_BATCH);
                out.extend_from_slice(&(msgs.len() as u32).to_be_bytes());
                for m in msgs {
                    put(&mut out, &m.encode());
                }
            }
        }
        out
    }

    /// The length of [`Message::encode`]'s output, without encoding.
    pub fn encoded_len(&self) -> usize {
        2 + match self {
            Message::Digest { .. } => 4 + 32,
            Message::Summary(docs) => 4 + docs.iter().map(|d| 4 + d.id.len() + 32).sum::<usize>(),
            Message::Sync { doc, data, sigs } => {
                4 + doc.len() + 4 + data.len() + 4 + sigs.len() * SIGNED
            }
            Message::Doc { doc, bytes, sigs } => {
                4 + doc.len() + 4 + bytes.len() + 4 + sigs.len() * SIGNED
            }
            Message::LogHeads(heads) => 4 + heads.len() * 32,
            Message::LogEntries(entries) => 4 + entries.iter().map(|e| 4 + e.len()).sum::<usize>(),
            Message::Batch(msgs) => 4 + msgs.iter().map(|m| 4 + m.encoded_len()).sum::<usize>(),
        }
    }

    /// Parses a frame from a peer.
    pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
        if bytes.len() > MAX_FRAME {
            return Err(DecodeError::TooLarge(bytes.len()));
        }
        let mut r = Reader(bytes);
        if r.byte()? != VERSION {
            return Err(DecodeError::Malformed("unknown version"));
        }
        let msg = match r.byte()? {
            TAG_SUMMARY => {
                let n = r.u32()? as usize;
                // Each entry takes at least 4 + 1 + 32 bytes: a count larger than that is a lie.
                if n > MAX_SUMMARY_DOCS || n > r.0.len() / 37 {
                    return Err(DecodeError::Malformed("summary count"));
                }
                let mut docs = Vec::with_capacity(n);
                for _ in 0..n {
                    let id = r.id()?;
                    let heads: [u8; 32] =
                        r.take(32)?.try_into().map_err(|_| DecodeError::Truncated)?;
                    docs.push(DocDigest { id, heads });
                }
                Message::Summary(docs)
            }
            TAG_DIGEST => {
                let docs = r.u32()?;
                let digest: [u8; 32] =
                    r.take(32)?.try_into().map_err(|_| DecodeError::Truncated)?;
                Message::Digest { docs, digest }
            }
            TAG_SYNC => {
                let doc = r.id()?;
                let data = r.field()?.to_vec();
                let sigs = r.sigs()?;
                Message::Sync { doc, data, sigs }
            }
            TAG_DOC => {
                let doc = r.id()?;
                let bytes = r.field()?.to_vec();
                let sigs = r.sigs()?;
                Message::Doc { doc, bytes, sigs }
            }
            TAG_LOG_HEADS => {
                let n = r.u32()? as usize;
                if n > r.0.len() / 32 {
                    return Err(DecodeError::Malformed("log heads count"));
                }
                let mut heads = Vec::with_capacity(n);
                for _ in 0..n {
                    heads.push(r.take(32)?.try_into().map_err(|_| DecodeError::Truncated)?);
                }
                Message::LogHeads(heads)
            }
            TAG_LOG_ENTRIES => {
                let n = r.u32()? as usize;
                // Each entry takes at least 4 bytes.
                if n > r.0.len() / 4 {
                    return Err(DecodeError::Malformed("log entries count"));
                }
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let raw = r.field()?;
                    if raw.len() > MAX_ENTRY_BYTES {
                        return Err(DecodeError::Malformed("membership entry too large"));
                    }
                    let text = std::str::from_utf8(raw)
                        .map_err(|_| DecodeError::Malformed("membership entry is not UTF-8"))?;
                    entries.push(text.to_owned());
                }
                Message::LogEntries(entries)
            }
            TAG_BATCH => {
                let n = r.u32()? as usize;
                // Each inner message takes at least 4 + 2 bytes.
                if n > r.0.len() / 6 {
                    return Err(DecodeError::Malformed("batch count"));
                }
                let mut msgs = Vec::with_capacity(n);
                for _ in 0..n {
                    match Message::decode(r.field()?)? {
                        Message::Batch(_) => return Err(DecodeError::Malformed("nested batch")),
                        m => msgs.push(m),
                    }
                }
                Message::Batch(msgs)
            }
            _ => return Err(DecodeError::Malformed("unknown tag")),
        };
        if !r.0.is_empty() {
            return Err(DecodeError::Malformed("trailing bytes"));
        }
        Ok(msg)
    }
}

/// One SHA-256 over a sorted list of documents and their heads digests: equal on two peers
/// exactly when they announce the same documents at the same heads.
pub fn summary_digest(docs: &[DocDigest]) -> [u8; 32] {
    use sha2::{Digest as _, Sha256};
    let mut h = Sha256::new();
    for d in docs {
        h.update((d.id.len() as u32).to_be_bytes());
        h.update(d.id.as_bytes());
        h.update(d.heads);
    }
    h.finalize().into()
}

fn put_sigs(out: &mut Vec<u8>, sigs: &Signatures) {
    out.extend_from_slice(&(sigs.len() as u32).to_be_bytes());
    for (hash, sig) in sigs {
        out.extend_from_slice(&hash.0);
        out.extend_from_slice(sig);
    }
}

fn put(out: &mut Vec<u8>, field: &[u8]) {
    out.extend_from_slice(&(field.len() as u32).to_be_bytes());
    out.extend_from_slice(field);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.0.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn field(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn sigs(&mut self) -> Result<Signatures, DecodeError> {
        let n = self.u32()? as usize;
        if n > MAX_SIGNATURES || n > self.0.len() / SIGNED {
            return Err(DecodeError::Malformed("signature count"));
        }
        let mut sigs = Signatures::new();
        for _ in 0..n {
            let hash: [u8; 32] = self
                .take(32)?
                .try_into()
                .map_err(|_| DecodeError::Truncated)?;
            let sig: Signature = self
                .take(SIGNATURE_LEN)?
                .try_into()
                .map_err(|_| DecodeError::Truncated)?;
            // One encoding per set: sorted by hash, each once (a frame re-encodes as it came).
            if sigs
                .last_key_value()
                .is_some_and(|(last, _)| last.0 >= hash)
            {
                return Err(DecodeError::Malformed("signatures out of order"));
            }
            sigs.insert(ChangeHash(hash), sig);
        }
        Ok(sigs)
    }
    fn id(&mut self) -> Result<String, DecodeError> {
        let raw = self.field()?;
        if raw.is_empty() || raw.len() > MAX_ID {
            return Err(DecodeError::Malformed("id length"));
        }
        let id = std::str::from_utf8(raw).map_err(|_| DecodeError::Malformed("id is not UTF-8"))?;
        if !domain::valid_id(id) {
            return Err(DecodeError::Malformed("invalid id"));
        }
        Ok(id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_bad_frames() {
        let msgs = [
            Message::Summary(vec![
                DocDigest {
                    id: "a-1".into(),
                    heads: [7; 32],
                },
                DocDigest {
                    id: "b".into(),
                    heads: [0; 32],
                },
            ]),
            Message::Summary(vec![]),
            Message::Digest {
                docs: 3,
                digest: [9; 32],
            },
            Message::Batch(vec![
                Message::Sync {
                    doc: "doc-1".into(),
                    data: vec![4, 5],
                    sigs: Signatures::new(),
                },
                Message::Summary(vec![]),
            ]),
            Message::Batch(vec![]),
            Message::Doc {
                doc: "doc-2".into(),
                bytes: vec![1, 2, 3, 4],
                sigs: Signatures::from([
                    (ChangeHash([3; 32]), [4; 64]),
                    (ChangeHash([5; 32]), [6; 64]),
                ]),
            },
            Message::Sync {
                doc: "doc-9".into(),
                data: vec![1, 2, 3],
                sigs: Signatures::from([(ChangeHash([1; 32]), [2; 64])]),
            },
            Message::LogHeads(vec![[1; 32], [2; 32]]),
            Message::LogHeads(vec![]),
            Message::LogEntries(vec!["{}".into(), String::new()]),
        ];
        for m in &msgs {
            let bytes = m.encode();
            assert_eq!(m.encoded_len(), bytes.len(), "{m:?}");
            assert_eq!(&Message::decode(&bytes).unwrap(), m);
            for cut in 0..bytes.len() {
                assert!(
                    Message::decode(&bytes[..cut]).is_err(),
                    "prefix of {cut} bytes"
                );
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(Message::decode(&longer).is_err());
        }
        // A count that promises more entries than the frame could hold is refused up front.
        let mut lying = vec![VERSION, TAG_SUMMARY];
        lying.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            Message::decode(&lying),
            Err(DecodeError::Malformed("summary count"))
        );
        assert!(matches!(
            Message::decode(&vec![0; MAX_FRAME + 1]),
            Err(DecodeError::TooLarge(_))
        ));
        // Signatures are listed sorted by change hash, each once.
        let mut unsorted = Message::Sync {
            doc: "d".into(),
            data: vec![],
            sigs: Signatures::from([
                (ChangeHash([1; 32]), [0; 64]),
                (ChangeHash([2; 32]), [0; 64]),
            ]),
        }
        .encode();
        let first = unsorted.len() - 2 * (32 + 64);
        unsorted[first..first + 32].copy_from_slice(&[3; 32]);
        assert_eq!(
            Message::decode(&unsorted),
            Err(DecodeError::Malformed("signatures out of order"))
        );
        let nested = Message::Batch(vec![Message::Batch(vec![])]).encode();
        assert_eq!(
            Message::decode(&nested),
            Err(DecodeError::Malformed("nested batch"))
        );
        let bad_id = Message::Sync {
            doc: "../etc".into(),
            data: vec![],
            sigs: Signatures::new(),
        }
        .encode();
        assert!(Message::decode(&bad_id).is_err());
    }
}
