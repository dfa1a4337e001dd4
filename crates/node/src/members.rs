//! Membership: the workspace's signed log, evaluated by `sync::membership`, and the admin
//! operations that append to it. Rights come from the log only; the workspace's `members` map
//! holds profiles.

use std::collections::BTreeSet;

use domain::{DomainError, Role as ProfileRole, Workspace};
use sync::membership::{self, Entry, Members, Op, Role, SignedEntry};

use crate::core::{Core, Writer};
use crate::{Node, NodeError};

pub use ipc::views::MemberView;

/// Every entry known for this workspace: those in the document and those seen before.
fn entries(core: &Core, ws: &Workspace) -> Result<Vec<String>, NodeError> {
    let mut all: BTreeSet<String> = core.store.membership_entries()?.into_iter().collect();
    all.extend(ws.membership.iter().cloned());
    Ok(all.into_iter().collect())
}

impl Core {
    /// The current members, from the verified log.
    pub fn members(&self) -> Result<Members, NodeError> {
        let ws = self.workspace()?;
        self.members_of(&ws)
    }

    pub(crate) fn members_of(&self, ws: &Workspace) -> Result<Members, NodeError> {
        membership::evaluate(&self.workspace_id, &entries(self, ws)?)
            .map_err(|e| NodeError::Invalid(format!("the membership log does not verify: {e}")))
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
                role: match info.role {
                    Role::Admin => "admin".into(),
                    Role::Member => "member".into(),
                },
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

    /// Appends a signed entry by this device (after checking it will take effect) and applies
    /// the profile change that goes with it, in one transaction.
    pub(crate) fn append_entry(&mut self, op: Op) -> Result<String, NodeError> {
        self.append_entry_with(op, |_, _| Ok(()))
    }

    /// [`Core::append_entry`], with a further change to the workspace document (given the
    /// transaction's time) committed in the same transaction.
    pub(crate) fn append_entry_with(
        &mut self,
        op: Op,
        also: impl FnOnce(&mut Workspace, i64) -> Result<(), DomainError>,
    ) -> Result<String, NodeError> {
        let ws = self.workspace()?;
        let known = entries(self, &ws)?;
        let before = membership::evaluate(&self.workspace_id, &known)
            .map_err(|e| NodeError::Invalid(format!("the membership log does not verify: {e}")))?;
        let entry = Entry {
            prev: before.heads.clone(),
            author: self.me.clone(),
            at: crate::core::now(),
            op: op.clone(),
        };
        let signed =
            SignedEntry::sign(&self.key, entry).map_err(|e| NodeError::Invalid(e.to_string()))?;
        let encoded = signed.encode();
        let mut next = known.clone();
        next.push(encoded.clone());
        let after = membership::evaluate(&self.workspace_id, &next)
            .map_err(|e| NodeError::Invalid(format!("the membership log does not verify: {e}")))?;
        let hash = signed.hash();
        let hash_out = hash.clone();
        if let Some((_, reason)) = after.rejected.iter().find(|(h, _)| *h == hash) {
            return Err(NodeError::Invalid(format!("refused: {reason}")));
        }
        self.write(|w: &mut Writer<'_, '_>| {
            let now = w.now;
            w.update_workspace(|ws| {
                ws.membership.push(encoded);
                match &op {
                    Op::Add { member, name, role } => {
                        let role = if *role == Role::Admin {
                            ProfileRole::Admin
                        } else {
                            ProfileRole::Member
                        };
                        let profile = ws.members.entry(member.clone());
                        profile.or_insert(domain::Member::new(member, name, role, now)?);
                    }
                    Op::Redeem { name, .. } => {
                        let author = signed.entry.author.clone();
                        let role = after.members.get(&author).map_or(ProfileRole::Member, |m| {
                            if m.role == Role::Admin {
                                ProfileRole::Admin
                            } else {
                                ProfileRole::Member
                            }
                        });
                        ws.members
                            .entry(author.clone())
                            .or_insert(domain::Member::new(&author, name, role, now)?);
                    }
                    Op::Promote { member } => {
                        if let Some(m) = ws.members.get_mut(member) {
                            m.role = ProfileRole::Admin.as_str().into();
                        }
                    }
                    Op::Remove { .. }
                    | Op::Create { .. }
                    | Op::Invite { .. }
                    | Op::JoinCommunity { .. }
                    | Op::LeaveCommunity { .. } => {}
                }
                also(ws, now)
            })
        })?;
        Ok(hash_out)
    }

    /// `member add` (admins): adds a member by id.
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
        let id = self.resolve_member_id(member)?;
        if id == self.me {
            return Err(NodeError::Invalid("you cannot remove yourself".into()));
        }
        self.append_entry(Op::Remove { member: id.clone() })?;
        Ok(id)
    }

    /// `member promote` (admins).
    pub fn promote_member(&mut self, member: &str) -> Result<String, NodeError> {
        let id = self.resolve_member_id(member)?;
        if self.members()?.is_admin(&id) {
            return Err(NodeError::Invalid("already an admin".into()));
        }
        self.append_entry(Op::Promote { member: id.clone() })?;
        Ok(id)
    }

    pub(crate) fn resolve_member_id(&self, member: &str) -> Result<String, NodeError> {
        let members = self.members()?;
        if members.is_member(member.trim()) {
            return Ok(member.trim().to_owned());
        }
        let ws = self.workspace()?;
        let found = ws.resolve_member(member)?;
        if members.is_member(&found.id) {
            Ok(found.id.clone())
        } else {
            Err(NodeError::NotFound(format!(
                "{} is not a current member",
                found.name
            )))
        }
    }
}

impl Node {
    /// See [`Core::member_list`].
    pub async fn member_list(&self) -> Result<Vec<MemberView>, NodeError> {
        self.call(|c| c.member_list()).await
    }
    /// See [`Core::remove_member`].
    pub async fn remove_member(&self, member: String) -> Result<String, NodeError> {
        self.call(move |c| c.remove_member(&member)).await
    }
    /// See [`Core::promote_member`].
    pub async fn promote_member(&self, member: String) -> Result<String, NodeError> {
        self.call(move |c| c.promote_member(&member)).await
    }
}
