//! Membership: the workspace's signed log (`sync::membership`), kept in its own table and
//! evaluated once each time it grows, and the operations that append to it. Rights come from
//! the log only; the workspace document's `members` map holds profiles, each written by its
//! member.

use std::collections::BTreeMap;

use sync::membership::{Entry, InviteStatus, Members, Op, Role, SignedEntry};

/// The most membership entries one member may have in the log (joining and leaving
/// communities, mostly), and one admin (who also invites, adds and removes): bounds that keep
/// room in the log (`sync::membership::MAX_LOG_ENTRIES`) for everyone else.
const MAX_ENTRIES_PER_MEMBER: usize = 1_000;
const MAX_ENTRIES_PER_ADMIN: usize = 5_000;

use crate::core::Core;
use crate::{Node, NodeError};

pub use ipc::views::{InviteView, MemberView};

impl Core {
    /// The current members, from the verified log.
    pub fn members(&self) -> Result<Members, NodeError> {
        Ok(self.log_view()?.members.clone())
    }

    /// `member list`.
    pub fn member_list(&self) -> Result<Vec<MemberView>, NodeError> {
        let members = self.members()?;
        let ws = self.workspace()?;
        let mut out: Vec<MemberView> = members
            .members
            .iter()
            .map(|(id, info)| MemberView {
                member_id: id.clone(),
                name: ws
                    .members
                    .get(id)
                    .map_or_else(|| info.name.clone(), |m| m.name.clone()),
                role: member_role(info.role),
                me: *id == self.me,
            })
            .collect();
        out.sort_by(|a, b| {
            domain::fold(&a.name)
                .cmp(&domain::fold(&b.name))
                .then_with(|| a.member_id.cmp(&b.member_id))
        });
        Ok(out)
    }

    /// Appends a signed entry by this device, after checking that it will take effect, and
    /// returns its hash.
    pub(crate) fn append_entry(&mut self, op: Op) -> Result<String, NodeError> {
        let (hash, encoded) = self.sign_entry(op)?;
        self.store
            .write(|tx| tx.add_membership_entry(&hash, &encoded).map(drop))?;
        self.log_appended();
        Ok(hash)
    }

    /// [`Core::append_entry`], with a change to the workspace document (given the
    /// transaction's time) committed in the same transaction.
    pub(crate) fn append_entry_with(
        &mut self,
        op: Op,
        also: impl FnOnce(&mut domain::Workspace, i64) -> Result<(), domain::DomainError>,
    ) -> Result<String, NodeError> {
        let (hash, encoded) = self.sign_entry(op)?;
        self.write(|w| {
            w.add_membership_entry(&hash, &encoded)?;
            let now = w.now;
            w.update_workspace(|ws| also(ws, now))
        })?;
        self.log_appended();
        Ok(hash)
    }

    /// A new entry by this device following the log's heads, signed, once evaluation says it
    /// will take effect: its hash and encoding.
    fn sign_entry(&self, op: Op) -> Result<(String, String), NodeError> {
        let view = self.log_view()?;
        let entry = Entry {
            prev: view.log.heads(),
            author: self.me.clone(),
            at: crate::core::now(),
            op,
        };
        let signed =
            SignedEntry::sign(&self.key, entry).map_err(|e| NodeError::Invalid(e.to_string()))?;
        let encoded = signed.encode();
        let mut next = view.log.clone();
        let hash = next
            .insert(&encoded)
            .map_err(|e| NodeError::Invalid(e.to_string()))?
            .unwrap_or_else(|| signed.hash());
        let after = next
            .evaluate()
            .map_err(|e| NodeError::Invalid(format!("the membership log does not verify: {e}")))?;
        if let Some((_, reason)) = after.rejected.iter().find(|(h, _)| *h == hash) {
            return Err(NodeError::Invalid(format!("refused: {reason}")));
        }
        Ok((hash, encoded))
    }

    /// The log grew in this process: read it again on next use and tell subscribers.
    fn log_appended(&mut self) {
        self.forget_log();
        // Rights are never judged on a stale member list: the sync runtime reads it again.
        if let Some(rt) = self.sync.as_mut() {
            rt.invalidate_view();
        }
        let _ = self.events.send(crate::Event::MembershipChanged);
    }

    /// Membership entries from a peer (untrusted): each verified once and stored if new, in one
    /// transaction. Returns how many were new. Entries that do not verify are skipped (and
    /// logged): they never reach the log.
    pub(crate) fn add_log_entries(&mut self, entries: &[String]) -> Result<usize, NodeError> {
        let fresh: Vec<(String, String)> = {
            let view = self.log_view()?;
            let mut log = view.log.clone();
            let mut members = view.members.clone();
            let mut per_author: BTreeMap<String, usize> = BTreeMap::new();
            for e in log.encoded() {
                if let Ok(signed) = SignedEntry::decode(&e) {
                    *per_author.entry(signed.entry.author).or_default() += 1;
                }
            }
            let mut pending: Vec<SignedEntry> = entries
                .iter()
                .filter_map(|e| SignedEntry::decode(e).ok())
                .filter(|e| !log.contains(&e.hash()))
                .collect();
            let mut fresh = Vec::new();
            // Only what a member wrote, following entries held, within each author's share, is
            // kept: a stranger's key or a flood of one member's entries cannot fill the log
            // (and so freeze it). An entry whose author is admitted by another entry of the same
            // batch is taken in the next round.
            loop {
                let before = fresh.len();
                let mut later = Vec::new();
                for entry in pending {
                    let author = entry.entry.author.clone();
                    let follows = entry.entry.prev.iter().all(|p| log.contains(p));
                    let share = if members.author_admins.contains(&author) {
                        MAX_ENTRIES_PER_ADMIN
                    } else {
                        MAX_ENTRIES_PER_MEMBER
                    };
                    let within = per_author.get(&author).copied().unwrap_or(0) < share;
                    if !follows || !members.authors.contains(&author) {
                        later.push(entry);
                        continue;
                    }
                    if !within {
                        tracing::warn!(author, "membership entries beyond the author's share");
                        continue;
                    }
                    let encoded = entry.encode();
                    match log.insert(&encoded) {
                        Ok(Some(hash)) => {
                            *per_author.entry(author).or_default() += 1;
                            fresh.push((hash, encoded));
                        }
                        Ok(None) => {}
                        Err(err) => tracing::warn!(error = %err, "membership entry refused"),
                    }
                }
                pending = later;
                if fresh.len() == before || pending.is_empty() {
                    break;
                }
                if let Ok(m) = log.evaluate() {
                    members = m;
                }
            }
            fresh
        };
        if fresh.is_empty() {
            return Ok(0);
        }
        self.store.write(|tx| {
            for (hash, entry) in &fresh {
                tx.add_membership_entry(hash, entry)?;
            }
            Ok::<_, NodeError>(())
        })?;
        self.log_appended();
        Ok(fresh.len())
    }

    /// `member add` (admins): adds a member by id. The member writes their own profile when
    /// their device first opens the workspace.
    pub fn add_member(&mut self, member: &str, name: &str) -> Result<(), NodeError> {
        member
            .parse::<domain::PeerId>()
            .map_err(|_| NodeError::Invalid(format!("'{member}' is not a member id")))?;
        domain::require_text("name", name)?;
        if self.members()?.is_member(member) {
            return Err(NodeError::Invalid(format!("{member} is already a member")));
        }
        self.append_entry(Op::Add {
            member: member.to_owned(),
            name: name.trim().to_owned(),
            role: Role::Member,
        })?;
        Ok(())
    }

    /// `member remove` (admins). What the removed member already holds stays theirs; nothing
    /// new reaches them.
    pub fn remove_member(&mut self, member: &str) -> Result<String, NodeError> {
        let id = self.resolve_current(member)?;
        if id == self.me {
            return Err(NodeError::Invalid("you cannot remove yourself".into()));
        }
        self.append_entry(Op::Remove { member: id.clone() })?;
        Ok(id)
    }

    /// `member promote` (admins).
    pub fn promote_member(&mut self, member: &str) -> Result<String, NodeError> {
        let id = self.resolve_current(member)?;
        if self.members()?.is_admin(&id) {
            return Err(NodeError::Invalid("already an admin".into()));
        }
        self.append_entry(Op::Promote { member: id.clone() })?;
        Ok(id)
    }

    /// `member demote` (admins): an admin becomes a plain member; their open invites die.
    pub fn demote_member(&mut self, member: &str) -> Result<String, NodeError> {
        let id = self.resolve_current(member)?;
        if !self.members()?.is_admin(&id) {
            return Err(NodeError::Invalid("not an admin".into()));
        }
        self.append_entry(Op::Demote { member: id.clone() })?;
        Ok(id)
    }

    /// `invite list`: every invite of the log with its state, newest expiry first.
    pub fn invite_list(&self) -> Result<Vec<InviteView>, NodeError> {
        let members = self.members()?;
        let now = crate::core::now();
        let mut out: Vec<InviteView> = members
            .invites
            .iter()
            .map(|(id, info)| InviteView {
                id: id.clone(),
                role: member_role(info.role),
                expires_at: domain::time::rfc3339(info.expires_at),
                status: match info.status(now) {
                    InviteStatus::Open => ipc::sets::InviteStatus::Open,
                    InviteStatus::Redeemed => ipc::sets::InviteStatus::Redeemed,
                    InviteStatus::Revoked => ipc::sets::InviteStatus::Revoked,
                    InviteStatus::Expired => ipc::sets::InviteStatus::Expired,
                },
                by: info.by.clone(),
                redeemed_by: info.redeemed_by.clone(),
            })
            .collect();
        out.sort_by(|a, b| b.expires_at.cmp(&a.expires_at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// `invite revoke ID`: an admin, or the invite's issuer, revokes an open invite.
    pub fn revoke_invite(&mut self, invite: &str) -> Result<(), NodeError> {
        let invite = invite.trim();
        let members = self.members()?;
        let Some(info) = members.invites.get(invite) else {
            return Err(NodeError::NotFound(format!("no invite '{invite}'")));
        };
        if info.redeemed_by.is_some() {
            return Err(NodeError::Invalid("this invite was already used".into()));
        }
        if info.revoked {
            return Err(NodeError::Invalid("this invite is already revoked".into()));
        }
        self.append_entry(Op::Revoke {
            invite: invite.to_owned(),
        })?;
        Ok(())
    }

    /// `invite code`: a single-use invite valid 10 minutes and the code that gives it away to
    /// whoever proves they hold it (see [`crate::code`]); replaces any code pending.
    pub(crate) fn invite_code(&mut self) -> Result<ipc::views::CodeInvite, NodeError> {
        use crate::code::{CODE_LIFETIME, CODE_TRIES, Code, Pending, SETTING};
        let addrs = self.listen_addrs()?;
        if addrs.is_empty() {
            return Err(NodeError::Invalid(
                "the network is not running: a code is answered by the running app or `entrepairs serve`".into(),
            ));
        }
        let ticket = self.create_invite(CODE_LIFETIME, sync::membership::Role::Member, &addrs)?;
        let invite = sync::ticket::Ticket::decode(&ticket)
            .map(|t| t.invite)
            .map_err(|e| NodeError::Invalid(e.to_string()))?;
        let code = Code::random();
        let pending = Pending {
            nameplate: code.nameplate,
            password: code.password.clone(),
            ticket,
            expires_at: crate::core::now() + CODE_LIFETIME.as_millis() as i64,
            tries_left: CODE_TRIES,
            invite: invite.clone(),
        };
        let text = serde_json::to_string(&pending).unwrap_or_default();
        self.store.set_setting(SETTING, &text)?;
        self.forget_code_sessions();
        Ok(ipc::views::CodeInvite {
            code: code.to_string(),
            expires_at: domain::time::rfc3339(pending.expires_at),
            tries_left: pending.tries_left,
            invite,
        })
    }

    /// The code still waiting for its newcomer: none once used or expired.
    pub(crate) fn pending_code(&self) -> Result<Option<ipc::views::CodeInvite>, NodeError> {
        use crate::code::{Code, Pending, SETTING};
        let pending = self
            .store
            .setting(SETTING)?
            .and_then(|text| serde_json::from_str::<Pending>(&text).ok());
        Ok(pending
            .filter(|p| p.expires_at > crate::core::now())
            .map(|p| ipc::views::CodeInvite {
                code: Code {
                    nameplate: p.nameplate,
                    password: p.password,
                }
                .to_string(),
                expires_at: domain::time::rfc3339(p.expires_at),
                tries_left: p.tries_left,
                invite: p.invite,
            }))
    }

    /// `relay list`: the workspace's relays.
    pub(crate) fn relays(&self) -> Result<Vec<String>, NodeError> {
        Ok(self.workspace()?.relays)
    }

    /// `relay add`: an admin names a relay, the address of a member's always-on device serving
    /// as one (`serve --relay`), ending in its id. It travels with the workspace to every
    /// member, who keep a reservation on it.
    pub(crate) fn add_relay(&mut self, addr: &str) -> Result<(), NodeError> {
        let addr = addr.trim();
        let members = self.members()?;
        if !members.is_admin(&self.me) {
            return Err(NodeError::Invalid("only an admin can add a relay".into()));
        }
        let parsed: net::Address = addr.parse().map_err(|_| {
            NodeError::Invalid(format!(
                "'{addr}' is not an address (like /ip4/203.0.113.5/tcp/4001/p2p/ID)"
            ))
        })?;
        if net::is_relayed(&parsed) {
            return Err(NodeError::Invalid(
                "a relay's own address cannot go through a relay".into(),
            ));
        }
        let Some(net::multiaddr::Protocol::P2p(relay)) = parsed.iter().last() else {
            return Err(NodeError::Invalid(format!(
                "'{addr}' does not end with the relay's id (/p2p/ID): `serve --relay` prints it"
            )));
        };
        if !members.is_member(&relay.to_string()) {
            return Err(NodeError::Invalid(format!(
                "{relay} is not a member's device: a relay serves members only, so it joins the                  workspace first"
            )));
        }
        let addr = parsed.to_string();
        self.write(|w| {
            w.update_workspace(|ws| {
                if !ws.relays.contains(&addr) {
                    ws.relays.push(addr);
                }
                Ok(())
            })
        })
    }

    /// `relay remove`: an admin stops naming a relay.
    pub(crate) fn remove_relay(&mut self, addr: &str) -> Result<(), NodeError> {
        let addr = addr.trim();
        if !self.members()?.is_admin(&self.me) {
            return Err(NodeError::Invalid(
                "only an admin can remove a relay".into(),
            ));
        }
        if !self.workspace()?.relays.iter().any(|r| r == addr) {
            return Err(NodeError::NotFound(format!(
                "no relay '{addr}' in this workspace"
            )));
        }
        self.write(|w| {
            w.update_workspace(|ws| {
                ws.relays.retain(|r| r != addr);
                Ok(())
            })
        })
    }

    /// A member's name: from their profile, else as the membership log admitted them, else
    /// their id.
    pub(crate) fn member_name(&self, id: &str) -> Result<String, NodeError> {
        if let Some(m) = self.workspace()?.members.get(id) {
            return Ok(m.name.clone());
        }
        let view = self.log_view()?;
        Ok(view
            .members
            .members
            .get(id)
            .map_or_else(|| id.to_owned(), |m| m.name.clone()))
    }

    /// The member a user names, by id or by name (case and accents ignored) when unique:
    /// anyone the log ever admitted, known by their profile's name or, before their profile
    /// arrived, by the name the log gave them.
    pub(crate) fn resolve_member_id(&self, query: &str) -> Result<String, NodeError> {
        let q = query.trim();
        let view = self.log_view()?;
        let members = &view.members;
        if members.ever_admitted.contains(q) {
            return Ok(q.to_owned());
        }
        let ws = self.workspace()?;
        let folded = domain::fold(q);
        let found: Vec<&String> = members
            .ever_admitted
            .iter()
            .filter(|id| {
                ws.members
                    .get(*id)
                    .map(|m| m.name.as_str())
                    .or_else(|| members.members.get(*id).map(|m| m.name.as_str()))
                    .is_some_and(|name| domain::fold(name) == folded)
            })
            .collect();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(NodeError::NotFound(format!(
                "no member with id or name '{q}'"
            ))),
            many => Err(NodeError::Invalid(format!(
                "'{q}' names {} members; use a member id ({})",
                many.len(),
                many.iter()
                    .map(|id| id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// [`Core::resolve_member_id`] for a current member.
    pub(crate) fn resolve_current(&self, query: &str) -> Result<String, NodeError> {
        let id = self.resolve_member_id(query)?;
        if self.members()?.is_member(&id) {
            Ok(id)
        } else {
            Err(NodeError::NotFound(format!(
                "{} is not a current member",
                query.trim()
            )))
        }
    }

    /// Writes this member's profile into the workspace document if it has none yet: a member
    /// added by an admin (or admitted by an invite) writes their own profile, since only they
    /// may. The name is the one the log gave them.
    pub(crate) fn ensure_profile(&mut self) -> Result<(), NodeError> {
        let members = self.members()?;
        let Some(info) = members.members.get(&self.me).cloned() else {
            return Ok(());
        };
        if self.workspace()?.members.contains_key(&self.me) {
            return Ok(());
        }
        let role = match info.role {
            Role::Admin => domain::Role::Admin,
            Role::Member => domain::Role::Member,
        };
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update_workspace(|ws| {
                ws.members
                    .insert(me.clone(), domain::Member::new(&me, &info.name, role, now)?);
                Ok(())
            })
        })
    }
}

/// A fresh invite as the app and the CLI show it: the ticket and how many hours it stays valid.
pub(crate) fn invite(
    ticket: String,
    expires_in: std::time::Duration,
) -> Result<ipc::Invite, NodeError> {
    let hours = u32::try_from(expires_in.as_secs().div_ceil(3600)).unwrap_or(u32::MAX);
    Ok(ipc::Invite { ticket, hours })
}

/// A role of the log as the views name it.
pub(crate) fn member_role(role: Role) -> ipc::sets::MemberRole {
    match role {
        Role::Admin => ipc::sets::MemberRole::Admin,
        Role::Member => ipc::sets::MemberRole::Member,
    }
}

impl Node {
    /// Every entry of the membership log, encoded (what a peer would be sent).
    pub async fn membership_entries(&self) -> Result<Vec<String>, NodeError> {
        self.call(|c| Ok(c.log_view()?.log.encoded())).await
    }

    /// Adds encoded membership log entries from elsewhere; returns how many were new.
    pub async fn add_membership_entries(&self, entries: Vec<String>) -> Result<usize, NodeError> {
        self.call(move |c| c.add_log_entries(&entries)).await
    }
}
