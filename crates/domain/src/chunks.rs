//! A bound on what Automerge would inflate from untrusted bytes, checked before Automerge sees
//! them.
//!
//! Automerge stores compressed change chunks and DEFLATE-compressed columns inside document and
//! bundle chunks, and inflates them without a limit: a few hundred kilobytes can claim gigabytes.
//! [`check_inflation`] walks the chunk layout (magic, checksum, type, LEB128 length; the column
//! metadata of document and bundle chunks) and inflates every compressed part into a sink with a
//! budget, so that a bomb is refused with an error after at most `budget` bytes of work and no
//! allocation beyond a fixed buffer.

use std::io::{self, Read};

use crate::DomainError;

/// The most bytes one message or one loaded document may inflate to (128 MiB). A real document
/// of this app compresses far below that; a larger claim is refused as hostile.
pub const MAX_INFLATED: u64 = 128 << 20;

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT: u8 = 0;
const CHANGE: u8 = 1;
const COMPRESSED_CHANGE: u8 = 2;
const BUNDLE: u8 = 3;
/// The bit of a column specification that marks its data as DEFLATE-compressed.
const DEFLATE_BIT: u64 = 0b1000;
const HASH_LEN: usize = 32;

/// Checks that the concatenated chunks in `bytes` inflate to at most `budget` bytes in total and
/// takes what they inflate to from `budget`. Errors: a part that would inflate beyond what is
/// left, invalid DEFLATE data, or a chunk whose layout cannot be read (Automerge would refuse it
/// too).
pub fn check_inflation(bytes: &[u8], budget: &mut u64) -> Result<(), DomainError> {
    let mut input = Cursor(bytes);
    while !input.0.is_empty() {
        let magic = input.take(4)?;
        if magic != MAGIC {
            return Err(corrupt(
                "a chunk does not start with Automerge's magic bytes",
            ));
        }
        input.take(4)?; // checksum, verified by Automerge
        let kind = input.take(1)?[0];
        let len = input.len_prefix()?;
        let mut body = Cursor(input.take(len)?);
        match kind {
            DOCUMENT => {
                body.skip_actors()?;
                body.skip_hashes()?;
                let changes = body.columns()?;
                let ops = body.columns()?;
                body.inflate_columns(&changes, budget)?;
                body.inflate_columns(&ops, budget)?;
            }
            BUNDLE => {
                body.skip_hashes()?;
                body.skip_actors()?;
                let changes = body.columns()?;
                body.inflate_columns(&changes, budget)?;
                let ops = body.columns()?;
                body.inflate_columns(&ops, budget)?;
            }
            // Automerge refuses compressed columns inside a change chunk.
            CHANGE => {}
            COMPRESSED_CHANGE => inflate(body.0, budget)?,
            other => return Err(corrupt(&format!("unknown chunk type {other}"))),
        }
    }
    Ok(())
}

/// What kind of chunk one piece of Automerge's storage format is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkKind {
    /// A whole document.
    Document,
    /// One change, plain or compressed.
    Change,
    /// Several changes in columns.
    Bundle,
}

/// Splits concatenated chunks into each chunk's bytes (header included) and kind, reading only
/// their headers.
pub(crate) fn split(bytes: &[u8]) -> Result<Vec<(ChunkKind, &[u8])>, DomainError> {
    let mut out = Vec::new();
    let mut input = Cursor(bytes);
    while !input.0.is_empty() {
        let start = input.0;
        if input.take(4)? != MAGIC {
            return Err(corrupt(
                "a chunk does not start with Automerge's magic bytes",
            ));
        }
        input.take(4)?;
        let kind = match input.take(1)?[0] {
            DOCUMENT => ChunkKind::Document,
            CHANGE | COMPRESSED_CHANGE => ChunkKind::Change,
            BUNDLE => ChunkKind::Bundle,
            other => return Err(corrupt(&format!("unknown chunk type {other}"))),
        };
        let len = input.len_prefix()?;
        input.take(len)?;
        out.push((kind, &start[..start.len() - input.0.len()]));
    }
    Ok(out)
}

/// Inflates `data` into a sink, failing once it yields more than `budget` bytes.
fn inflate(data: &[u8], budget: &mut u64) -> Result<(), DomainError> {
    let mut decoder = flate2::read::DeflateDecoder::new(data).take(budget.saturating_add(1));
    let produced = io::copy(&mut decoder, &mut io::sink())
        .map_err(|e| corrupt(&format!("invalid compressed data: {e}")))?;
    if produced > *budget {
        return Err(DomainError::Corrupt(format!(
            "compressed data inflates beyond the limit of {MAX_INFLATED} bytes"
        )));
    }
    *budget -= produced;
    Ok(())
}

fn corrupt(what: &str) -> DomainError {
    DomainError::Corrupt(what.to_owned())
}

/// One column's specification and data length.
struct Column {
    deflated: bool,
    len: usize,
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DomainError> {
        if n > self.0.len() {
            return Err(corrupt("a chunk is truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn uleb(&mut self) -> Result<u64, DomainError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1)?[0];
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                break;
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(corrupt("a length does not fit in 64 bits"))
    }

    /// A LEB128 length that must fit in what is left of the input.
    fn len_prefix(&mut self) -> Result<usize, DomainError> {
        let len = self.uleb()?;
        usize::try_from(len)
            .ok()
            .filter(|&l| l <= self.0.len())
            .ok_or_else(|| corrupt("a length points beyond the end of the chunk"))
    }

    fn skip_actors(&mut self) -> Result<(), DomainError> {
        let count = self.uleb()?;
        for _ in 0..count {
            let len = self.len_prefix()?;
            self.take(len)?;
        }
        Ok(())
    }

    fn skip_hashes(&mut self) -> Result<(), DomainError> {
        let count = self.uleb()?;
        let len = usize::try_from(count)
            .ok()
            .and_then(|c| c.checked_mul(HASH_LEN))
            .ok_or_else(|| corrupt("too many hashes"))?;
        self.take(len)?;
        Ok(())
    }

    fn columns(&mut self) -> Result<Vec<Column>, DomainError> {
        let count = self.uleb()?;
        let mut columns = Vec::new();
        for _ in 0..count {
            let spec = self.uleb()?;
            let len = self.len_prefix()?;
            columns.push(Column {
                deflated: spec & DEFLATE_BIT != 0,
                len,
            });
        }
        Ok(columns)
    }

    fn inflate_columns(&mut self, columns: &[Column], budget: &mut u64) -> Result<(), DomainError> {
        for column in columns {
            let data = self.take(column.len)?;
            if column.deflated {
                inflate(data, budget)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use automerge::{AutoCommit, ObjType, ROOT, transaction::Transactable};

    use super::*;

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).expect("in memory");
        encoder.finish().expect("in memory")
    }

    fn uleb(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn chunk(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend([0; 4]);
        out.push(kind);
        uleb(body.len() as u64, &mut out);
        out.extend(body);
        out
    }

    /// 200 MiB of zeros: about 2 MiB with fast compression, well inside one 16 MiB frame.
    fn bomb() -> Vec<u8> {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        let block = vec![0u8; 1 << 20];
        for _ in 0..200 {
            encoder.write_all(&block).expect("in memory");
        }
        encoder.finish().expect("in memory")
    }

    fn real_document() -> AutoCommit {
        let mut doc = AutoCommit::new();
        let text = doc
            .put_object(ROOT, "body", ObjType::Text)
            .expect("fresh doc");
        for i in 0..300 {
            doc.splice_text(&text, 0, 0, &format!("ligne {i} — été\n"))
                .expect("fresh doc");
            doc.put(ROOT, format!("k{}", i % 17), i).expect("fresh doc");
            doc.commit();
        }
        doc
    }

    #[test]
    fn real_documents_and_changes_pass_and_count_what_they_inflate() {
        let mut doc = real_document();
        let saved = doc.save();
        let mut budget = MAX_INFLATED;
        check_inflation(&saved, &mut budget).expect("a real document");
        assert!(
            budget < MAX_INFLATED,
            "a 300-change document has compressed columns"
        );
        let mut budget = MAX_INFLATED;
        check_inflation(&doc.save_nocompress(), &mut budget).expect("uncompressed");
        assert_eq!(budget, MAX_INFLATED);
        let changes: Vec<u8> = doc
            .get_changes(&[])
            .iter()
            .flat_map(|c| c.raw_bytes().to_vec())
            .collect();
        check_inflation(&changes, &mut MAX_INFLATED.clone()).expect("changes");
        // Whatever Automerge sends during a sync passes too.
        let mut other = AutoCommit::new();
        let (mut a, mut b) = (automerge::sync::State::new(), automerge::sync::State::new());
        use automerge::sync::SyncDoc;
        for _ in 0..10 {
            if let Some(m) = doc.sync().generate_sync_message(&mut a) {
                let m = automerge::sync::Message::decode(&m.encode()).expect("own message");
                for part in m.changes.iter() {
                    check_inflation(part, &mut MAX_INFLATED.clone()).expect("sync part");
                }
                other.sync().receive_sync_message(&mut b, m).expect("own");
            }
            if let Some(m) = other.sync().generate_sync_message(&mut b) {
                doc.sync().receive_sync_message(&mut a, m).expect("own");
            }
        }
        assert_eq!(other.get_heads(), doc.get_heads());
    }

    #[test]
    fn a_compressed_change_bomb_is_refused() {
        let bomb = chunk(COMPRESSED_CHANGE, &bomb());
        assert!(bomb.len() < 4 << 20, "{}", bomb.len());
        let mut budget = MAX_INFLATED;
        let err = check_inflation(&bomb, &mut budget).expect_err("a bomb");
        assert!(err.to_string().contains("beyond the limit"), "{err}");
        // Also behind an honest chunk, and for the library's own loader.
        let mut doc = real_document();
        let mut both = doc.save();
        both.extend(&bomb);
        assert!(check_inflation(&both, &mut MAX_INFLATED.clone()).is_err());
        assert!(crate::load_doc(&both).is_err());
    }

    #[test]
    fn a_deflated_column_bomb_in_a_document_or_bundle_is_refused() {
        let data = bomb();
        for kind in [DOCUMENT, BUNDLE] {
            let mut body = Vec::new();
            uleb(0, &mut body); // actors (document) or deps (bundle)
            uleb(0, &mut body); // heads (document) or actors (bundle)
            uleb(1, &mut body); // one change column, deflated
            uleb((1 << 4) | DEFLATE_BIT, &mut body);
            uleb(data.len() as u64, &mut body);
            if kind == BUNDLE {
                body.extend(&data);
                uleb(0, &mut body);
            } else {
                uleb(0, &mut body);
                body.extend(&data);
            }
            let err = check_inflation(&chunk(kind, &body), &mut MAX_INFLATED.clone())
                .expect_err("a bomb");
            assert!(
                err.to_string().contains("beyond the limit"),
                "{kind}: {err}"
            );
            assert!(crate::load_doc(&chunk(kind, &body)).is_err());
        }
    }

    #[test]
    fn small_compressed_parts_within_the_budget_pass_and_are_counted() {
        let part = chunk(COMPRESSED_CHANGE, &deflate(&[7; 1000]));
        let mut budget = 5000;
        check_inflation(&part, &mut budget).expect("small");
        assert_eq!(budget, 4000);
        // The budget spans the whole input.
        let five: Vec<u8> = part.iter().copied().cycle().take(part.len() * 5).collect();
        let mut budget = 4999;
        assert!(check_inflation(&five, &mut budget).is_err());
    }

    #[test]
    fn truncated_and_lying_layouts_are_errors_not_panics() {
        let mut doc = real_document();
        let saved = doc.save();
        for cut in 0..saved.len().min(400) {
            let _ = check_inflation(&saved[..cut], &mut MAX_INFLATED.clone());
        }
        assert!(check_inflation(&saved[..saved.len() - 1], &mut MAX_INFLATED.clone()).is_err());
        // A length of 2^63 and a hash count that overflows.
        let mut lying = MAGIC.to_vec();
        lying.extend([0; 4]);
        lying.push(DOCUMENT);
        lying.extend([0xff; 9]);
        lying.push(0x01);
        assert!(check_inflation(&lying, &mut MAX_INFLATED.clone()).is_err());
        let mut body = Vec::new();
        uleb(0, &mut body);
        uleb(u64::MAX / 2, &mut body);
        assert!(check_inflation(&chunk(DOCUMENT, &body), &mut MAX_INFLATED.clone()).is_err());
        assert!(check_inflation(&chunk(9, &[]), &mut MAX_INFLATED.clone()).is_err());
        assert!(check_inflation(b"not a chunk", &mut MAX_INFLATED.clone()).is_err());
        assert!(check_inflation(&[], &mut MAX_INFLATED.clone()).is_ok());
    }
}
