//! The membership log: signed entries, each naming the entries it follows (its `prev`
//! hashes), so the log is a hash-linked DAG that any peer can verify on its own.
//!
//! Evaluation orders the DAG deterministically (a topological order, ties broken by entry hash)
//! and replays it: an entry takes effect only if its signature is valid and its author had the
//! right to make it at that point (admins change membership; a newcomer may only redeem an
//! invite it holds the secret of). Entries that do not verify are reported and ignored, so two
//! peers holding the same entries always compute the same members.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use domain::{Keypair, PeerId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Largest accepted encoded entry, in bytes.
pub const MAX_ENTRY_BYTES: usize = 4096;

/// Why an entry or a log was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MembershipError {
    /// The entry cannot be decoded.
    #[error("malformed membership entry: {0}")]
    Malformed(String),
    /// The signature does not verify.
    #[error("membership entry signature does not verify")]
    BadSignature,
    /// The log has no valid creation entry for this workspace.
    #[error("the membership log has no valid creation entry for workspace {0}")]
    NoGenesis(String),
}

/// A role in the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// May change membership.
    Admin,
    /// May read and write the workspace's documents.
    Member,
}

/// What an entry does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Op {
    /// Creates the workspace; its author is the first admin.
    Create {
        /// Workspace id.
        workspace: String,
        /// Creator's display name.
        name: String,
    },
    /// An admin adds a member.
    Add {
        /// Member id (device `PeerId`).
        member: String,
        /// Display name.
        name: String,
        /// Role.
        role: Role,
    },
    /// An admin removes a member.
    Remove {
        /// Member id.
        member: String,
    },
    /// An admin makes a member an admin.
    Promote {
        /// Member id.
        member: String,
    },
    /// An admin issues a single-use invite; only the hash of its secret is logged.
    Invite {
        /// Invite id.
        invite: String,
        /// Role the newcomer gets.
        role: Role,
        /// Expiry, ms since the epoch.
        expires_at: i64,
        /// Hex SHA-256 of the secret.
        secret_sha256: String,
    },
    /// A member joins a community. Signed by that member: communities are circles any member
    /// may join, and nobody can put someone else in one.
    JoinCommunity {
        /// Community id (its name and description live in the workspace document).
        community: String,
    },
    /// A member leaves a community: signed by that member, or by an admin taking them out.
    LeaveCommunity {
        /// Community id.
        community: String,
        /// Member id.
        member: String,
    },
    /// A newcomer redeems an invite (signed by the newcomer's own key).
    Redeem {
        /// Invite id.
        invite: String,
        /// Newcomer's display name.
        name: String,
        /// The invite's secret, proving the newcomer was given the ticket.
        secret: String,
    },
}

/// The signed part of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Hashes of the entries this one follows (the author's current heads).
    pub prev: Vec<String>,
    /// Author's member id.
    pub author: String,
    /// Author's clock, ms since the epoch (informative; only invite expiry uses it).
    pub at: i64,
    /// The operation.
    pub op: Op,
}

/// An entry with its author's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedEntry {
    /// The entry.
    pub entry: Entry,
    /// Base64 ed25519 signature of the entry's canonical JSON.
    pub signature: String,
}

/// Hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn canonical(entry: &Entry) -> Vec<u8> {
    // Field order is fixed by the struct declarations, so this JSON is canonical.
    serde_json::to_vec(entry).unwrap_or_default()
}

impl SignedEntry {
    /// Signs `entry` with `key`; the entry's author must be that key's id.
    pub fn sign(key: &Keypair, entry: Entry) -> Result<SignedEntry, MembershipError> {
        if entry.author != key.public().to_peer_id().to_string() {
            return Err(MembershipError::Malformed(
                "the author is not the signing key".into(),
            ));
        }
        let signature = key
            .sign(&canonical(&entry))
            .map_err(|e| MembershipError::Malformed(e.to_string()))?;
        Ok(SignedEntry {
            entry,
            signature: B64.encode(signature),
        })
    }

    /// The entry's id: hex SHA-256 of its encoding.
    pub fn hash(&self) -> String {
        sha256_hex(self.encode().as_bytes())
    }

    /// The stored form (JSON).
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses a stored entry (untrusted), bounded in size. Does not verify the signature.
    pub fn decode(text: &str) -> Result<SignedEntry, MembershipError> {
        if text.len() > MAX_ENTRY_BYTES {
            return Err(MembershipError::Malformed(format!(
                "entry larger than {MAX_ENTRY_BYTES} bytes"
            )));
        }
        serde_json::from_str(text).map_err(|e| MembershipError::Malformed(e.to_string()))
    }

    /// Verifies the signature against the key embedded in the author's id.
    pub fn verify(&self) -> Result<(), MembershipError> {
        let peer: PeerId = self
            .entry
            .author
            .parse()
            .map_err(|_| MembershipError::Malformed("bad author id".into()))?;
        let key = domain::public_key_of(&peer).ok_or(MembershipError::BadSignature)?;
        let signature = B64
            .decode(&self.signature)
            .map_err(|_| MembershipError::BadSignature)?;
        if key.verify(&canonical(&self.entry), &signature) {
            Ok(())
        } else {
            Err(MembershipError::BadSignature)
        }
    }
}

/// A current member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberInfo {
    /// Display name given when added.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// An invite's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InviteInfo {
    /// Who issued it.
    pub by: String,
    /// Role granted.
    pub role: Role,
    /// Expiry, ms.
    pub expires_at: i64,
    /// Hex SHA-256 of the secret.
    pub secret_sha256: String,
    /// Who redeemed it, if anyone.
    pub redeemed_by: Option<String>,
}

/// The result of replaying a log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Members {
    /// Current members by id.
    pub members: BTreeMap<String, MemberInfo>,
    /// Members who were removed.
    pub removed: BTreeSet<String>,
    /// Invites by id.
    pub invites: BTreeMap<String, InviteInfo>,
    /// Members of each community, by community id (current workspace members only).
    pub communities: BTreeMap<String, BTreeSet<String>>,
    /// Hashes of the entries no other entry follows: the `prev` of the next entry.
    pub heads: Vec<String>,
    /// Entries that were ignored, with why: (hash, reason).
    pub rejected: Vec<(String, String)>,
}

impl Members {
    /// Whether `id` is a current member.
    pub fn is_member(&self, id: &str) -> bool {
        self.members.contains_key(id)
    }

    /// Whether `id` is a current member of `community`.
    pub fn in_community(&self, community: &str, id: &str) -> bool {
        self.is_member(id)
            && self
                .communities
                .get(community)
                .is_some_and(|c| c.contains(id))
    }

    /// The current members of `community`.
    pub fn community_members(&self, community: &str) -> Vec<String> {
        self.communities
            .get(community)
            .map(|c| c.iter().filter(|m| self.is_member(m)).cloned().collect())
            .unwrap_or_default()
    }

    /// Whether `id` is a current admin.
    pub fn is_admin(&self, id: &str) -> bool {
        self.members.get(id).is_some_and(|m| m.role == Role::Admin)
    }
}

/// Replays the log of `workspace` from its encoded entries (in any order, duplicates allowed).
pub fn evaluate(workspace: &str, encoded: &[String]) -> Result<Members, MembershipError> {
    let mut out = Members::default();
    let mut entries: BTreeMap<String, SignedEntry> = BTreeMap::new();
    for text in encoded {
        match SignedEntry::decode(text).and_then(|e| e.verify().map(|()| e)) {
            Ok(e) => {
                entries.insert(e.hash(), e);
            }
            Err(err) => out
                .rejected
                .push((sha256_hex(text.as_bytes()), err.to_string())),
        }
    }
    // Kahn's algorithm; among entries ready at once, the smallest hash goes first.
    // `waiting` counts, per entry, the distinct predecessors not applied yet; an entry naming a
    // predecessor that is not in the log never becomes ready.
    let mut waiting: BTreeMap<&str, usize> = BTreeMap::new();
    let mut followers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (h, e) in &entries {
        let prev: BTreeSet<&str> = e.entry.prev.iter().map(String::as_str).collect();
        waiting.insert(h, prev.len());
        for p in prev {
            followers.entry(p).or_default().push(h);
        }
    }
    let mut applied: BTreeSet<String> = BTreeSet::new();
    let mut ready: BTreeSet<&str> = entries
        .iter()
        .filter(|(_, e)| e.entry.prev.is_empty())
        .map(|(h, _)| h.as_str())
        .collect();
    let mut genesis_done = false;
    while let Some(hash) = ready.pop_first() {
        let e = &entries[hash];
        let verdict = apply(&mut out, workspace, e, genesis_done);
        match verdict {
            Ok(is_genesis) => genesis_done |= is_genesis,
            Err(reason) => out.rejected.push((hash.to_owned(), reason)),
        }
        applied.insert(hash.to_owned());
        for follower in followers.get(hash).into_iter().flatten() {
            if let Some(count) = waiting.get_mut(follower) {
                *count -= 1;
                if *count == 0 {
                    ready.insert(follower);
                }
            }
        }
    }
    for h in entries.keys().filter(|h| !applied.contains(*h)) {
        out.rejected
            .push((h.clone(), "follows an entry that is missing".into()));
    }
    if !genesis_done {
        return Err(MembershipError::NoGenesis(workspace.to_owned()));
    }
    // Sorted, so that the result does not depend on the order entries were stored in.
    out.rejected.sort();
    let followed: BTreeSet<&String> = entries.values().flat_map(|e| e.entry.prev.iter()).collect();
    out.heads = applied
        .iter()
        .filter(|h| !followed.contains(h))
        .cloned()
        .collect();
    Ok(out)
}

/// Applies one verified entry. Returns whether it was the creation entry.
fn apply(
    m: &mut Members,
    workspace: &str,
    e: &SignedEntry,
    genesis_done: bool,
) -> Result<bool, String> {
    let author = &e.entry.author;
    let admin = m.is_admin(author);
    match &e.entry.op {
        Op::Create { workspace: w, name } => {
            if genesis_done || !e.entry.prev.is_empty() || w != workspace {
                return Err("a second or foreign creation entry".into());
            }
            m.members.insert(
                author.clone(),
                MemberInfo {
                    name: name.clone(),
                    role: Role::Admin,
                },
            );
            return Ok(true);
        }
        _ if !genesis_done => return Err("precedes the creation entry".into()),
        Op::Add { member, name, role } => {
            if !admin {
                return Err("only an admin adds members".into());
            }
            if member.parse::<PeerId>().is_err() {
                return Err("not a member id".into());
            }
            m.removed.remove(member);
            m.members.insert(
                member.clone(),
                MemberInfo {
                    name: name.clone(),
                    role: *role,
                },
            );
        }
        Op::Remove { member } => {
            if !admin {
                return Err("only an admin removes members".into());
            }
            if m.members.remove(member).is_none() {
                return Err("not a member".into());
            }
            m.removed.insert(member.clone());
            for circle in m.communities.values_mut() {
                circle.remove(member);
            }
        }
        Op::Promote { member } => {
            if !admin {
                return Err("only an admin promotes members".into());
            }
            match m.members.get_mut(member) {
                Some(info) => info.role = Role::Admin,
                None => return Err("not a member".into()),
            }
        }
        Op::Invite {
            invite,
            role,
            expires_at,
            secret_sha256,
        } => {
            if !admin {
                return Err("only an admin invites".into());
            }
            if m.invites.contains_key(invite) {
                return Err("invite id reused".into());
            }
            m.invites.insert(
                invite.clone(),
                InviteInfo {
                    by: author.clone(),
                    role: *role,
                    expires_at: *expires_at,
                    secret_sha256: secret_sha256.clone(),
                    redeemed_by: None,
                },
            );
        }
        Op::JoinCommunity { community } => {
            if !m.is_member(author) {
                return Err("only a member joins a community".into());
            }
            if !domain::valid_id(community) {
                return Err("not a community id".into());
            }
            if !m
                .communities
                .entry(community.clone())
                .or_default()
                .insert(author.clone())
            {
                return Err("already in that community".into());
            }
        }
        Op::LeaveCommunity { community, member } => {
            if member != author && !admin {
                return Err("only the member or an admin takes a member out of a community".into());
            }
            if !m
                .communities
                .get_mut(community)
                .is_some_and(|c| c.remove(member))
            {
                return Err("not in that community".into());
            }
        }
        Op::Redeem {
            invite,
            name,
            secret,
        } => {
            let Some(info) = m.invites.get_mut(invite) else {
                return Err("unknown invite".into());
            };
            if info.redeemed_by.is_some() {
                return Err("invite already redeemed".into());
            }
            if sha256_hex(secret.as_bytes()) != info.secret_sha256 {
                return Err("wrong invite secret".into());
            }
            if e.entry.at > info.expires_at {
                return Err("invite expired".into());
            }
            if m.removed.contains(author) || m.members.contains_key(author) {
                return Err("already a member, or removed".into());
            }
            info.redeemed_by = Some(author.clone());
            let role = info.role;
            m.members.insert(
                author.clone(),
                MemberInfo {
                    name: name.clone(),
                    role,
                },
            );
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Device {
        key: Keypair,
        id: String,
    }

    fn device() -> Device {
        let key = Keypair::generate_ed25519();
        let id = key.public().to_peer_id().to_string();
        Device { key, id }
    }

    fn entry(d: &Device, prev: &[String], at: i64, op: Op) -> String {
        SignedEntry::sign(
            &d.key,
            Entry {
                prev: prev.to_vec(),
                author: d.id.clone(),
                at,
                op,
            },
        )
        .unwrap()
        .encode()
    }

    fn hash(e: &str) -> String {
        SignedEntry::decode(e).unwrap().hash()
    }

    #[test]
    fn admins_change_membership_and_invites_are_single_use() {
        let (a, b, c, d) = (device(), device(), device(), device());
        let g = entry(
            &a,
            &[],
            0,
            Op::Create {
                workspace: "w".into(),
                name: "A".into(),
            },
        );
        let add_b = entry(
            &a,
            &[hash(&g)],
            1,
            Op::Add {
                member: b.id.clone(),
                name: "B".into(),
                role: Role::Member,
            },
        );
        let inv = entry(
            &a,
            &[hash(&add_b)],
            2,
            Op::Invite {
                invite: "i1".into(),
                role: Role::Member,
                expires_at: 100,
                secret_sha256: sha256_hex(b"s3cret"),
            },
        );
        let redeem_c = entry(
            &c,
            &[hash(&inv)],
            3,
            Op::Redeem {
                invite: "i1".into(),
                name: "C".into(),
                secret: "s3cret".into(),
            },
        );
        let reuse_d = entry(
            &d,
            &[hash(&redeem_c)],
            4,
            Op::Redeem {
                invite: "i1".into(),
                name: "D".into(),
                secret: "s3cret".into(),
            },
        );
        let b_adds_d = entry(
            &b,
            &[hash(&redeem_c)],
            5,
            Op::Add {
                member: d.id.clone(),
                name: "D".into(),
                role: Role::Admin,
            },
        );
        let log = vec![
            reuse_d.clone(),
            g.clone(),
            b_adds_d.clone(),
            redeem_c.clone(),
            inv.clone(),
            add_b.clone(),
        ];
        let m = evaluate("w", &log).unwrap();
        assert!(m.is_admin(&a.id) && m.is_member(&b.id) && m.is_member(&c.id));
        assert!(
            !m.is_member(&d.id),
            "a reused invite and a non-admin's add are refused"
        );
        assert_eq!(m.rejected.len(), 2, "{:?}", m.rejected);
        assert_eq!(m.invites["i1"].redeemed_by.as_deref(), Some(c.id.as_str()));

        // Order of the stored entries does not matter.
        let mut reversed = log.clone();
        reversed.reverse();
        assert_eq!(evaluate("w", &reversed).unwrap(), m);

        // Expired or wrong secrets are refused.
        let late = entry(
            &a,
            &[hash(&inv)],
            6,
            Op::Invite {
                invite: "i2".into(),
                role: Role::Member,
                expires_at: 10,
                secret_sha256: sha256_hex(b"x"),
            },
        );
        let too_late = entry(
            &d,
            &[hash(&late)],
            11,
            Op::Redeem {
                invite: "i2".into(),
                name: "D".into(),
                secret: "x".into(),
            },
        );
        let wrong = entry(
            &d,
            &[hash(&late)],
            5,
            Op::Redeem {
                invite: "i2".into(),
                name: "D".into(),
                secret: "y".into(),
            },
        );
        let m2 = evaluate(
            "w",
            &[g.clone(), add_b.clone(), inv.clone(), late, too_late, wrong],
        )
        .unwrap();
        assert!(!m2.is_member(&d.id));
        assert!(m2.rejected.iter().any(|(_, r)| r == "invite expired"));
        assert!(m2.rejected.iter().any(|(_, r)| r == "wrong invite secret"));
    }

    #[test]
    fn forged_entries_are_rejected() {
        let (a, b) = (device(), device());
        let g = entry(
            &a,
            &[],
            0,
            Op::Create {
                workspace: "w".into(),
                name: "A".into(),
            },
        );
        // B signs an entry claiming to be A.
        let mut forged = SignedEntry::decode(&entry(
            &b,
            &[hash(&g)],
            1,
            Op::Promote {
                member: b.id.clone(),
            },
        ))
        .unwrap();
        forged.entry.author = a.id.clone();
        let forged = forged.encode();
        // A's genuine entry with a tampered target.
        let mut tampered = SignedEntry::decode(&entry(
            &a,
            &[hash(&g)],
            1,
            Op::Add {
                member: a.id.clone(),
                name: "x".into(),
                role: Role::Member,
            },
        ))
        .unwrap();
        if let Op::Add { member, .. } = &mut tampered.entry.op {
            *member = b.id.clone();
        }
        let m = evaluate(
            "w",
            &[
                g.clone(),
                forged,
                tampered.encode(),
                "{not json".into(),
                "x".repeat(MAX_ENTRY_BYTES + 1),
            ],
        )
        .unwrap();
        assert_eq!(m.members.len(), 1);
        assert_eq!(m.rejected.len(), 4, "{:?}", m.rejected);
        assert!(matches!(
            evaluate("other", &[g]),
            Err(MembershipError::NoGenesis(_))
        ));
        assert!(evaluate("w", &[]).is_err());
    }

    #[test]
    fn concurrent_admin_operations_resolve_the_same_everywhere() {
        let (a, b, c) = (device(), device(), device());
        let g = entry(
            &a,
            &[],
            0,
            Op::Create {
                workspace: "w".into(),
                name: "A".into(),
            },
        );
        let add_b = entry(
            &a,
            &[hash(&g)],
            1,
            Op::Add {
                member: b.id.clone(),
                name: "B".into(),
                role: Role::Admin,
            },
        );
        // Concurrently: A removes B, while B (still an admin on its side) adds C.
        let a_removes_b = entry(
            &a,
            &[hash(&add_b)],
            2,
            Op::Remove {
                member: b.id.clone(),
            },
        );
        let b_adds_c = entry(
            &b,
            &[hash(&add_b)],
            2,
            Op::Add {
                member: c.id.clone(),
                name: "C".into(),
                role: Role::Member,
            },
        );
        let one = evaluate(
            "w",
            &[
                g.clone(),
                add_b.clone(),
                a_removes_b.clone(),
                b_adds_c.clone(),
            ],
        )
        .unwrap();
        let two = evaluate(
            "w",
            &[
                b_adds_c.clone(),
                a_removes_b.clone(),
                add_b.clone(),
                g.clone(),
            ],
        )
        .unwrap();
        assert_eq!(one, two);
        assert!(!one.is_member(&b.id));
        // Which of the two concurrent entries applies first is decided by their hashes.
        let c_is_member = hash(&b_adds_c) < hash(&a_removes_b);
        assert_eq!(one.is_member(&c.id), c_is_member);
        assert_eq!(one.heads.len(), 2);
        // An entry following both heads merges the branches.
        let next = entry(
            &a,
            &one.heads,
            3,
            Op::Promote {
                member: a.id.clone(),
            },
        );
        let three = evaluate("w", &[g, add_b, a_removes_b, b_adds_c, next.clone()]).unwrap();
        assert_eq!(three.heads, vec![hash(&next)]);
    }

    #[test]
    fn community_membership_is_signed_by_the_member_or_an_admin() {
        let (a, b, c, outsider) = (device(), device(), device(), device());
        let mut log = vec![entry(
            &a,
            &[],
            0,
            Op::Create {
                workspace: "w".into(),
                name: "A".into(),
            },
        )];
        let push = |log: &mut Vec<String>, d: &Device, op: Op| -> String {
            let heads = evaluate("w", log).unwrap().heads;
            let e = entry(d, &heads, 1, op);
            log.push(e.clone());
            hash(&e)
        };
        for d in [&b, &c] {
            push(
                &mut log,
                &a,
                Op::Add {
                    member: d.id.clone(),
                    name: "X".into(),
                    role: Role::Member,
                },
            );
        }
        let join = |community: &str| Op::JoinCommunity {
            community: community.into(),
        };
        let leave = |member: &Device| Op::LeaveCommunity {
            community: "circle".into(),
            member: member.id.clone(),
        };
        push(&mut log, &b, join("circle"));
        let twice = push(&mut log, &b, join("circle"));
        let stranger = push(&mut log, &outsider, join("circle"));
        let bad_id = push(&mut log, &c, join("no spaces allowed"));
        // C, not an admin, cannot take B out; B can leave; A (admin) can take C out.
        let c_removes_b = push(&mut log, &c, leave(&b));
        let m = evaluate("w", &log).unwrap();
        assert!(m.in_community("circle", &b.id));
        assert!(!m.in_community("circle", &c.id) && !m.in_community("circle", &outsider.id));
        let reasons: BTreeMap<&str, &str> = m
            .rejected
            .iter()
            .map(|(h, r)| (h.as_str(), r.as_str()))
            .collect();
        assert_eq!(reasons[twice.as_str()], "already in that community");
        assert_eq!(
            reasons[stranger.as_str()],
            "only a member joins a community"
        );
        assert_eq!(reasons[bad_id.as_str()], "not a community id");
        assert!(reasons[c_removes_b.as_str()].starts_with("only the member or an admin"));
        push(&mut log, &c, join("circle"));
        push(&mut log, &a, leave(&c));
        push(&mut log, &b, leave(&b));
        let m = evaluate("w", &log).unwrap();
        assert!(m.community_members("circle").is_empty());
        // Removal from the workspace also ends community membership, and a member added back
        // is not silently back in.
        push(&mut log, &b, join("circle"));
        assert_eq!(
            evaluate("w", &log).unwrap().community_members("circle"),
            vec![b.id.clone()]
        );
        push(
            &mut log,
            &a,
            Op::Remove {
                member: b.id.clone(),
            },
        );
        push(
            &mut log,
            &a,
            Op::Add {
                member: b.id.clone(),
                name: "B".into(),
                role: Role::Member,
            },
        );
        let m = evaluate("w", &log).unwrap();
        assert!(m.is_member(&b.id) && !m.in_community("circle", &b.id));
    }

    #[test]
    fn a_long_log_replays_in_any_order_to_the_same_result() {
        let a = device();
        let mut log = vec![entry(
            &a,
            &[],
            0,
            Op::Create {
                workspace: "w".into(),
                name: "A".into(),
            },
        )];
        let mut heads = vec![hash(&log[0])];
        for i in 0..300 {
            let e = entry(
                &a,
                &heads,
                i,
                Op::JoinCommunity {
                    community: format!("c{i}"),
                },
            );
            heads = vec![hash(&e)];
            log.push(e);
        }
        let forward = evaluate("w", &log).unwrap();
        log.reverse();
        let backward = evaluate("w", &log).unwrap();
        assert_eq!(forward, backward);
        assert_eq!(forward.communities.len(), 300);
        assert!(forward.rejected.is_empty());
        assert_eq!(forward.heads, heads);
    }
}
