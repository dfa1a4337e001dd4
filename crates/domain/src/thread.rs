//! Community threads: a question or topic, replies, and at most one accepted answer.

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::note::check_body;
use crate::{DocKind, DocMeta, DomainError, TypedDoc, require_text};

/// One reply in a thread.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Post {
    /// Post id.
    #[key]
    pub id: String,
    /// Author's member id.
    pub author: String,
    /// Markdown body.
    pub body: Text,
    /// When, ms since the epoch.
    pub created_at: i64,
}

/// A thread document's model (scope: its community).
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Thread {
    /// Signed header.
    pub meta: DocMeta,
    /// The community id.
    pub community: String,
    /// Who opened the thread.
    pub author: String,
    /// Title, one line.
    pub title: String,
    /// The opening post.
    pub body: Text,
    /// Replies in order.
    pub posts: Vec<Post>,
    /// The accepted reply's id.
    pub accepted: Option<String>,
    /// Last activity, ms since the epoch.
    pub updated_at: i64,
    /// Hidden everywhere when set.
    pub deleted: bool,
}

impl TypedDoc for Thread {
    const KIND: DocKind = DocKind::Thread;
    fn meta(&self) -> &DocMeta {
        &self.meta
    }
    fn validate(&self) -> Result<(), DomainError> {
        // As for a note, the body's size is a rule on each edit (`rules::thread`).
        require_text("title", &self.title).map(drop)
    }
    fn check_write(
        before: Option<&Self>,
        after: &Self,
        by: crate::Author<'_>,
    ) -> Result<(), DomainError> {
        crate::rules::thread(before, after, by)
    }
}

impl Thread {
    /// A new thread in `community`.
    pub fn new(
        meta: DocMeta,
        community: &str,
        title: &str,
        body: &str,
    ) -> Result<Thread, DomainError> {
        check_body(body)?;
        if body.trim().is_empty() {
            return Err(DomainError::invalid("body must not be empty"));
        }
        Ok(Thread {
            community: community.to_owned(),
            author: meta.created_by.clone(),
            title: require_text("title", title)?,
            body: Text::with_value(body),
            posts: Vec::new(),
            accepted: None,
            updated_at: meta.created_at,
            deleted: false,
            meta,
        })
    }

    /// Appends a reply.
    pub fn reply(
        &mut self,
        id: &str,
        author: &str,
        body: &str,
        now: i64,
    ) -> Result<(), DomainError> {
        check_body(body)?;
        if body.trim().is_empty() {
            return Err(DomainError::invalid("body must not be empty"));
        }
        self.posts.push(Post {
            id: id.to_owned(),
            author: author.to_owned(),
            body: Text::with_value(body),
            created_at: now,
        });
        self.updated_at = now;
        Ok(())
    }

    /// Marks a reply as the accepted answer. Only the thread's author may accept.
    pub fn accept(&mut self, post: &str, by: &str, now: i64) -> Result<(), DomainError> {
        if by != self.author {
            return Err(DomainError::forbidden(crate::rules::ACCEPT));
        }
        let found = self
            .posts
            .iter()
            .find(|p| p.id == post || (post.len() >= 4 && p.id.starts_with(post)))
            .ok_or_else(|| DomainError::NotFound(format!("no reply '{post}' in this thread")))?;
        self.accepted = Some(found.id.clone());
        self.updated_at = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Scope, doc};
    use libp2p_identity::Keypair;

    #[test]
    fn replies_and_acceptance() {
        let key = Keypair::generate_ed25519();
        let me = key.public().to_peer_id().to_string();
        let meta = DocMeta::new_signed(
            &key,
            "t1",
            DocKind::Thread,
            &Scope::Community("c1".into()),
            "ws",
            0,
            &[],
        )
        .unwrap();
        let mut t = Thread::new(meta, "c1", "How to profile?", "perf or valgrind?").unwrap();
        t.reply("p-1234", "someone", "perf", 1).unwrap();
        assert!(t.reply("p2", &me, "  ", 2).is_err());
        assert!(
            t.accept("p-1234", "someone", 3).is_err(),
            "only the author accepts"
        );
        assert!(t.accept("nope", &me, 3).is_err());
        t.accept("p-12", &me, 3).unwrap();
        assert_eq!(t.accepted.as_deref(), Some("p-1234"));

        let actor = doc::actor_for(&key.public().to_peer_id());
        let mut am = doc::create(actor.clone(), &t).unwrap();
        let (_, back) = doc::load::<Thread>(&am.save(), actor).unwrap();
        assert_eq!(back, t);
    }
}
