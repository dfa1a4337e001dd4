//! Notes: a Markdown body people type (Automerge text, so concurrent edits merge), tags,
//! linked skills and `[[Title]]` links to other notes.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::{DocKind, DocMeta, DomainError, TypedDoc, require_text};

/// Largest accepted note body, in bytes.
pub const MAX_BODY: usize = 1 << 20;

/// A note document's model.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Note {
    /// Signed header.
    pub meta: DocMeta,
    /// Who wrote the note (member id): the header's creator, for good (the write rules refuse
    /// any other, so a note cannot be created or rewritten in someone else's name).
    pub author: String,
    /// Title, one line.
    pub title: String,
    /// Markdown body.
    pub body: Text,
    /// Tags, as a set (map keys) so that concurrent additions merge.
    pub tags: BTreeMap<String, bool>,
    /// Linked skill ids, as a set.
    pub skills: BTreeMap<String, bool>,
    /// Last change, ms since the epoch.
    pub updated_at: i64,
    /// Who made the last change.
    pub updated_by: String,
    /// Deleted notes stay in the document (so a deletion syncs) but are hidden everywhere.
    pub deleted: bool,
}

impl TypedDoc for Note {
    const KIND: DocKind = DocKind::Note;
    fn meta(&self) -> &DocMeta {
        &self.meta
    }
    fn validate(&self) -> Result<(), DomainError> {
        // The body's size is a rule on each edit (`rules::note`), not an invariant of the
        // document: concurrent edits each within it may merge beyond it, and a merged note
        // still reads on every device.
        require_text("title", &self.title).map(drop)
    }
    fn check_write(
        before: Option<&Self>,
        after: &Self,
        by: crate::Author<'_>,
    ) -> Result<(), DomainError> {
        crate::rules::note(before, after, by)
    }
}

/// Refuses bodies too large to be a note.
pub fn check_body(body: &str) -> Result<(), DomainError> {
    if body.len() > MAX_BODY {
        return Err(DomainError::invalid(format!(
            "the body is larger than {} KiB",
            MAX_BODY / 1024
        )));
    }
    Ok(())
}

/// A tag as stored: trimmed, lower-case, without a leading `#`.
pub fn normalize_tag(tag: &str) -> Result<String, DomainError> {
    let tag = require_text("tag", tag.trim().trim_start_matches('#'))?;
    Ok(tag.to_lowercase())
}

impl Note {
    /// A new note.
    pub fn new(
        meta: DocMeta,
        title: &str,
        body: &str,
        tags: &[String],
        skills: &[String],
    ) -> Result<Note, DomainError> {
        check_body(body)?;
        let author = meta.created_by.clone();
        let now = meta.created_at;
        let mut note = Note {
            title: require_text("title", title)?,
            body: Text::with_value(body),
            tags: BTreeMap::new(),
            skills: skills.iter().map(|s| (s.clone(), true)).collect(),
            updated_at: now,
            updated_by: author.clone(),
            author,
            deleted: false,
            meta,
        };
        for tag in tags {
            note.add_tag(tag)?;
        }
        Ok(note)
    }

    /// Adds a tag.
    pub fn add_tag(&mut self, tag: &str) -> Result<(), DomainError> {
        self.tags.insert(normalize_tag(tag)?, true);
        Ok(())
    }

    /// Removes a tag; an error if the note does not have it.
    pub fn remove_tag(&mut self, tag: &str) -> Result<(), DomainError> {
        let tag = normalize_tag(tag)?;
        self.tags
            .remove(&tag)
            .map(|_| ())
            .ok_or_else(|| DomainError::invalid(format!("the note has no tag '{tag}'")))
    }

    /// Replaces the body by diffing, so that a concurrent edit elsewhere in the text survives.
    pub fn set_body(&mut self, body: &str) -> Result<(), DomainError> {
        check_body(body)?;
        self.body.update(body);
        Ok(())
    }

    /// Sorted tags.
    pub fn tag_list(&self) -> Vec<String> {
        self.tags.keys().cloned().collect()
    }

    /// Sorted linked skill ids.
    pub fn skill_list(&self) -> Vec<String> {
        self.skills.keys().cloned().collect()
    }

    /// The `[[Title]]` links of the body.
    pub fn links(&self) -> Vec<String> {
        parse_links(self.body.as_str())
    }
}

/// The targets of `[[Title]]` and `[[Title|shown text]]` links, in order, without duplicates.
pub fn parse_links(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("[[") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("]]") else { break };
        let inner = &after[..end];
        let target = inner.split('|').next().unwrap_or_default().trim();
        if !target.is_empty() && !target.contains(['[', '\n']) && !out.iter().any(|t| t == target) {
            out.push(target.to_owned());
        }
        rest = &after[end + 2..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Scope, doc};
    use automerge::AutoCommit;
    use libp2p_identity::Keypair;
    use proptest::prelude::*;

    pub(super) fn new_note(key: &Keypair, body: &str) -> Note {
        let meta =
            DocMeta::new_signed(key, "n1", DocKind::Note, &Scope::Workspace, "ws", 5, &[]).unwrap();
        Note::new(
            meta,
            "Onboarding",
            body,
            &["#Rust".into(), "howto".into()],
            &["rust".into()],
        )
        .unwrap()
    }

    #[test]
    fn links_are_parsed() {
        for (body, want) in [
            (
                "see [[Onboarding]] and [[ Git | git tips ]]",
                vec!["Onboarding", "Git"],
            ),
            ("[[A]] [[A]] [[]] [[unclosed", vec!["A"]),
            ("no links", vec![]),
            ("[[x\ny]] [[Ok]]", vec!["Ok"]),
        ] {
            assert_eq!(parse_links(body), want, "{body:?}");
        }
    }

    #[test]
    fn tags_are_normalized() {
        let key = Keypair::generate_ed25519();
        let mut note = new_note(&key, "");
        assert_eq!(note.tag_list(), ["howto", "rust"]);
        note.remove_tag("RUST").unwrap();
        assert!(note.remove_tag("rust").is_err());
        assert!(note.add_tag("  #  ").is_err());
    }

    #[test]
    fn note_round_trips_and_rejects_wrong_kind() {
        let key = Keypair::generate_ed25519();
        let actor = doc::actor_for(&key.public().to_peer_id());
        let note = new_note(&key, "body with [[Link]]");
        let mut am = doc::create(actor.clone(), &note).unwrap();
        let bytes = am.save();
        let (_, back) = doc::load::<Note>(&bytes, actor.clone()).unwrap();
        assert_eq!(back, note);
        let err = doc::load::<crate::Thread>(&bytes, actor.clone())
            .unwrap_err()
            .to_string();
        assert!(err.contains("thread"), "{err}");
        assert!(doc::load::<Note>(b"garbage", actor.clone()).is_err());
        assert!(doc::load::<Note>(&bytes[..bytes.len() / 2], actor).is_err());
    }

    #[test]
    fn failed_edit_changes_nothing() {
        let key = Keypair::generate_ed25519();
        let actor = doc::actor_for(&key.public().to_peer_id());
        let mut am = doc::create(actor, &new_note(&key, "x")).unwrap();
        let heads = am.get_heads();
        let me = key.public().to_peer_id().to_string();
        let by = crate::Author {
            id: &me,
            admin: false,
        };
        let err = doc::change::<Note, _>(&mut am, by, |n| {
            n.title = "  ".into();
            Ok(())
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "title must not be empty");
        let err = doc::change::<Note, _>(&mut am, by, |n| {
            n.meta.scope = "private".into();
            Ok(())
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "a document's header cannot be changed");
        assert_eq!(am.get_heads(), heads);
    }

    /// Regression: editing a body after a non-ASCII character failed with "index out of
    /// bounds" (autosurgeon edits in UTF-8 bytes, Automerge counted code points).
    #[test]
    fn bodies_with_accents_can_be_edited_and_merged() {
        let key = Keypair::generate_ed25519();
        let actor = doc::actor_for(&key.public().to_peer_id());
        let mut one =
            doc::create(actor, &new_note(&key, "Réunion d'équipe — ordre du jour")).unwrap();
        let other = Keypair::generate_ed25519().public().to_peer_id();
        let mut two = doc::fork_for(&mut one, &other);
        let (me, other) = (key.public().to_peer_id().to_string(), other.to_string());
        fn by(id: &str) -> crate::Author<'_> {
            crate::Author { id, admin: false }
        }
        doc::change::<Note, _>(&mut one, by(&me), |n| {
            n.set_body("Réunion d'équipe — ordre du jour : café ☕")
        })
        .unwrap();
        doc::change::<Note, _>(&mut two, by(&other), |n| {
            n.updated_by = other.clone();
            n.set_body("Réunion d'équipe élargie — ordre du jour")
        })
        .unwrap();
        one.merge(&mut two).unwrap();
        let merged = doc::hydrate_doc::<Note>(&one).unwrap();
        assert_eq!(
            merged.body.as_str(),
            "Réunion d'équipe élargie — ordre du jour : café ☕"
        );
        let (_, loaded) =
            doc::load::<Note>(&one.save(), doc::actor_for(&key.public().to_peer_id())).unwrap();
        assert_eq!(loaded.body.as_str(), merged.body.as_str());
    }

    /// One random edit of a note.
    #[derive(Debug, Clone)]
    enum Edit {
        Title(String),
        Splice { at: usize, del: usize, text: String },
        AddTag(String),
        RemoveTag(String),
        Delete,
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            "[a-zA-Zé ]{1,12}".prop_map(Edit::Title),
            (0usize..40, 0usize..6, "[a-z \n]{0,8}").prop_map(|(at, del, text)| Edit::Splice {
                at,
                del,
                text
            }),
            "[a-d]".prop_map(Edit::AddTag),
            "[a-d]".prop_map(Edit::RemoveTag),
            Just(Edit::Delete),
        ]
    }

    fn apply(doc: &mut AutoCommit, edit: &Edit) {
        let me = crate::signing::author_of(doc.get_actor())
            .map(|(peer, _)| peer.to_string())
            .unwrap_or_default();
        let by = crate::Author {
            id: &me,
            admin: false,
        };
        let _ = doc::change::<Note, _>(doc, by, |n| {
            n.updated_by = me.clone();
            match edit {
                Edit::Title(t) => n.title = t.clone(),
                Edit::Splice { at, del, text } => {
                    // Positions are UTF-8 byte offsets on character boundaries.
                    let body = n.body.as_str();
                    let bounds: Vec<usize> = body
                        .char_indices()
                        .map(|(i, _)| i)
                        .chain([body.len()])
                        .collect();
                    let start = bounds[(*at).min(bounds.len() - 1)];
                    let end = bounds[(bounds.iter().position(|b| *b == start).unwrap_or(0) + del)
                        .min(bounds.len() - 1)];
                    n.body.splice(start, (end - start) as isize, text);
                }
                Edit::AddTag(t) => n.add_tag(t)?,
                Edit::RemoveTag(t) => n.remove_tag(t)?,
                Edit::Delete => n.deleted = true,
            }
            Ok(())
        });
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Concurrent edits of one note on two replicas, merged in either order, give the same
        /// heads and the same typed model, and every character typed on either side survives
        /// unless it was deleted there.
        #[test]
        fn concurrent_edits_merge_in_any_order(
            left in proptest::collection::vec(edit(), 0..12),
            right in proptest::collection::vec(edit(), 0..12),
        ) {
            let a = Keypair::generate_ed25519();
            let b = Keypair::generate_ed25519();
            let mut one = doc::create(doc::actor_for(&a.public().to_peer_id()), &new_note(&a, "shared start")).unwrap();
            let mut two = doc::fork_for(&mut one, &b.public().to_peer_id());
            for e in &left { apply(&mut one, e); }
            for e in &right { apply(&mut two, e); }

            let mut ab = one.fork();
            ab.merge(&mut two).unwrap();
            let mut ba = two.fork();
            ba.merge(&mut one).unwrap();
            prop_assert_eq!(ab.get_heads(), ba.get_heads());
            let model_ab = doc::hydrate_doc::<Note>(&ab).unwrap();
            let model_ba = doc::hydrate_doc::<Note>(&ba).unwrap();
            prop_assert_eq!(&model_ab, &model_ba);

            // Save → load of the merged document gives the same model.
            let (_, loaded) = doc::load::<Note>(&ab.save(), doc::actor_for(&a.public().to_peer_id())).unwrap();
            prop_assert_eq!(loaded, model_ab);
        }
    }
}

#[cfg(test)]
mod merged_size {
    use automerge::AutoCommit;

    use super::*;
    use crate::{Keypair, doc};

    fn edit(
        doc: &mut AutoCommit,
        key: &Keypair,
        f: impl FnOnce(&mut Note),
    ) -> Result<(), DomainError> {
        let me = key.public().to_peer_id().to_string();
        let by = crate::Author {
            id: &me,
            admin: false,
        };
        doc::change::<Note, _>(doc, by, |n| {
            n.updated_by = me.clone();
            f(n);
            Ok(())
        })
    }

    /// Two members each add within the limit at once; the merged body is over it. Every device
    /// still reads the note (a merge that fails to read would be dropped by some and kept by
    /// others), edits that leave the body alone still pass, and one that grows it is refused.
    #[test]
    fn concurrent_edits_within_the_limit_may_merge_beyond_it() {
        let (a, b) = (Keypair::generate_ed25519(), Keypair::generate_ed25519());
        let mut one = doc::create(
            doc::actor_for(&a.public().to_peer_id()),
            &tests::new_note(&a, "start"),
        )
        .unwrap();
        let mut two = doc::fork_for(&mut one, &b.public().to_peer_id());
        let big = "x".repeat(MAX_BODY * 2 / 3);
        edit(&mut one, &a, |n| n.body.splice(0, 0, &big)).unwrap();
        edit(&mut two, &b, |n| n.body.splice(0, 0, &big)).unwrap();
        one.merge(&mut two).unwrap();
        let merged = doc::hydrate_doc::<Note>(&one).expect("the merged note reads");
        assert!(merged.body.as_str().len() > MAX_BODY);
        edit(&mut one, &a, |n| n.title = "Renamed".into()).expect("a title edit passes");
        let refused = edit(&mut one, &a, |n| n.body.splice(0, 0, "more")).unwrap_err();
        assert_eq!(
            refused.to_string(),
            check_body(&"x".repeat(MAX_BODY + 1))
                .unwrap_err()
                .to_string()
        );
    }
}
