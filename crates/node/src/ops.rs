//! Every operation a user can do, as methods of [`Core`] (run on the store thread) with async
//! one-line wrappers on [`Node`].

use domain::time::rfc3339;
use domain::{
    DocKind, DomainError, Level, Note, Scope, Thread, Workspace, fold, normalize_tag, require_text,
    who_can_help,
};

use sync::membership::Op;

use crate::NodeError;
use crate::core::{Core, new_id};
use crate::views::closed;
use crate::views::*;
use ipc::sets::MemberRole;

pub use ipc::forms::{NoteDraft, ProfilePatch};

/// Changes to a note; `None` and empty lists leave things as they are.
#[derive(Debug, Clone, Default)]
pub struct NoteEdit {
    /// New title.
    pub title: Option<String>,
    /// New body (applied as a diff, so concurrent edits elsewhere in the text survive).
    pub body: Option<String>,
    /// Tags to add.
    pub add_tags: Vec<String>,
    /// Tags to remove.
    pub remove_tags: Vec<String>,
    /// Skills to link (by any of their names; a new one joins the catalogue).
    pub add_skills: Vec<String>,
    /// Skills to unlink.
    pub remove_skills: Vec<String>,
}

impl NoteEdit {
    /// The operation making these changes to note `id`.
    pub fn on(self, id: String) -> ipc::ops::EditNote {
        ipc::ops::EditNote {
            id,
            title: self.title,
            body: self.body,
            add_tags: self.add_tags,
            remove_tags: self.remove_tags,
            add_skills: self.add_skills,
            remove_skills: self.remove_skills,
        }
    }
}

/// Longest accepted single-line profile field.
const MAX_FIELD: usize = 300;

fn name_of(ws: &Workspace, id: &str) -> String {
    ws.members
        .get(id)
        .map_or_else(|| id.to_owned(), |m| m.name.clone())
}

fn optional_line(field: &str, value: &str) -> Result<String, DomainError> {
    let value = value.trim();
    if value.contains(['\n', '\r']) || value.chars().count() > MAX_FIELD {
        return Err(DomainError::Invalid(format!(
            "{field} must be a single line of at most {MAX_FIELD} characters"
        )));
    }
    Ok(value.to_owned())
}

impl Core {
    /// `whoami`.
    pub fn whoami(&self) -> Result<WhoAmI, NodeError> {
        let ws = self.workspace()?;
        let me = ws.require_member(&self.me)?;
        let role = self.role_of(&self.me)?;
        Ok(WhoAmI {
            member_id: self.me.clone(),
            name: me.name.clone(),
            workspace_id: self.workspace_id.clone(),
            workspace_name: ws.name.clone(),
            role,
        })
    }

    /// A member's role as the membership log has it: admin, member, or removed.
    fn role_of(&self, id: &str) -> Result<MemberRole, NodeError> {
        Ok(self
            .log_view()?
            .members
            .members
            .get(id)
            .map_or(MemberRole::Removed, |m| crate::members::member_role(m.role)))
    }

    /// `profile set`.
    pub fn set_profile(&mut self, patch: ProfilePatch) -> Result<(), NodeError> {
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update_workspace(|ws| {
                let m = ws.member_mut(&me)?;
                if let Some(name) = &patch.name {
                    m.name = require_text("name", name)?;
                }
                for (field, value, slot) in [
                    ("title", &patch.title, &mut m.title),
                    ("team", &patch.team, &mut m.team),
                    ("location", &patch.location, &mut m.location),
                ] {
                    if let Some(v) = value {
                        *slot = optional_line(field, v)?;
                    }
                }
                if let Some(langs) = &patch.languages {
                    let mut clean = Vec::new();
                    for l in langs {
                        let l = l.trim().to_lowercase();
                        if l.is_empty()
                            || l.len() > 16
                            || !l.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
                        {
                            return Err(DomainError::Invalid(format!(
                                "invalid language '{l}': use codes such as fr, en, de"
                            )));
                        }
                        if !clean.contains(&l) {
                            clean.push(l);
                        }
                    }
                    m.languages = clean;
                }
                if let Some(h) = patch.hours_per_month {
                    if h > 200 {
                        return Err(DomainError::Invalid(format!(
                            "{h} hours per month is more than a month of work; give at most 200"
                        )));
                    }
                    m.hours_per_month = h;
                }
                if let Some(open) = patch.open_to_mentoring {
                    m.open_to_mentoring = open;
                }
                m.updated_at = now;
                Ok(())
            })
        })
    }

    /// `profile show [MEMBER]`.
    pub fn profile(&self, member: Option<&str>) -> Result<ProfileView, NodeError> {
        let ws = self.workspace()?;
        let m = match member {
            Some(q) => ws.resolve_member(q)?,
            None => ws.require_member(&self.me)?,
        };
        Ok(profile_view(&ws, m, self.role_of(&m.id)?))
    }

    /// The profile of every current member (the desktop's directory), from one read of the
    /// workspace, in the order of `member list`.
    pub fn profiles(&self) -> Result<Vec<ProfileView>, NodeError> {
        let ws = self.workspace()?;
        let members = self.members()?;
        let mut out: Vec<ProfileView> = members
            .members
            .iter()
            .filter_map(|(id, info)| Some((ws.members.get(id)?, info)))
            .map(|(m, info)| profile_view(&ws, m, crate::members::member_role(info.role)))
            .collect();
        out.sort_by(|a, b| {
            domain::fold(&a.name)
                .cmp(&domain::fold(&b.name))
                .then_with(|| a.member_id.cmp(&b.member_id))
        });
        Ok(out)
    }
}

/// A member's profile as the workspace holds it, with their role from the log.
fn profile_view(ws: &Workspace, m: &domain::Member, role: MemberRole) -> ProfileView {
    let mut skills: Vec<ClaimView> = ws
        .claims_of(&m.id)
        .filter_map(|c| {
            let s = ws.skills.get(&c.skill)?;
            Some(ClaimView {
                skill: s.id.clone(),
                label_fr: s.label_fr.clone(),
                label_en: s.label_en.clone(),
                level: c.level,
                // The write rules keep a claim's level within 1..=4.
                level_name: level_name(c.level).ok()?,
                wants_to_learn: c.wants_to_learn,
                can_teach: c.can_teach,
                endorsements: ws.endorsement_count(&m.id, &s.id),
            })
        })
        .collect();
    skills.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.skill.cmp(&b.skill)));
    let mut endorsements: Vec<EndorsementView> = ws
        .endorsements
        .values()
        .filter(|e| e.to == m.id)
        .map(|e| EndorsementView {
            id: e.id.clone(),
            from: e.from.clone(),
            from_name: name_of(ws, &e.from),
            skill: e.skill.clone(),
            comment: e.comment.clone(),
            created_at: rfc3339(e.created_at),
        })
        .collect();
    endorsements.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    ProfileView {
        member_id: m.id.clone(),
        name: m.name.clone(),
        role,
        title: m.title.clone(),
        team: m.team.clone(),
        location: m.location.clone(),
        languages: m.languages.clone(),
        hours_per_month: m.hours_per_month,
        open_to_mentoring: m.open_to_mentoring,
        devices: m.devices.clone(),
        joined_at: rfc3339(m.joined_at),
        updated_at: rfc3339(m.updated_at),
        skills,
        endorsements,
    }
}

impl Core {
    /// `skill claim`; returns the skill id.
    pub fn claim_skill(
        &mut self,
        name: &str,
        level: Level,
        wants_to_learn: bool,
        can_teach: bool,
    ) -> Result<String, NodeError> {
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update_workspace(|ws| ws.claim(&me, name, level, wants_to_learn, can_teach, now))
        })
    }

    /// `skill label`: a skill's English and French labels (those given).
    pub fn label_skill(
        &mut self,
        skill: &str,
        en: Option<&str>,
        fr: Option<&str>,
    ) -> Result<String, NodeError> {
        if en.is_none() && fr.is_none() {
            return Err(NodeError::Invalid(
                "give an English label, a French one, or both".into(),
            ));
        }
        self.write(|w| w.update_workspace(|ws| ws.label_skill(skill, en, fr)))
    }

    /// `skill alias`: another name a skill is found by.
    pub fn alias_skill(&mut self, skill: &str, alias: &str) -> Result<String, NodeError> {
        self.write(|w| w.update_workspace(|ws| ws.alias_skill(skill, alias)))
    }

    /// `skill merge`: an admin merges a duplicate into the skill it duplicates.
    pub fn merge_skill(&mut self, from: &str, into: &str) -> Result<String, NodeError> {
        if !self.log_view()?.members.is_admin(&self.me) {
            return Err(NodeError::Invalid("only an admin can merge skills".into()));
        }
        self.write(|w| w.update_workspace(|ws| ws.merge_skill(from, into)))
    }

    /// `skill list`: the catalogue (merged duplicates left out: their names find the skill they
    /// became).
    pub fn skills(&self) -> Result<Vec<SkillView>, NodeError> {
        let ws = self.workspace()?;
        let mut out: Vec<SkillView> = ws
            .skills
            .values()
            .filter(|s| ws.canonical(&s.id) == s.id)
            .map(|s| {
                let mut holders: Vec<HolderView> = ws
                    .claims
                    .values()
                    .filter(|c| c.skill == s.id)
                    .filter_map(|c| {
                        Some(HolderView {
                            member_id: c.member.clone(),
                            name: name_of(&ws, &c.member),
                            level: c.level,
                            // The write rules keep a claim's level within 1..=4.
                            level_name: level_name(c.level).ok()?,
                            wants_to_learn: c.wants_to_learn,
                            can_teach: c.can_teach,
                            endorsements: ws.endorsement_count(&c.member, &s.id),
                        })
                    })
                    .collect();
                holders.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.name.cmp(&b.name)));
                SkillView {
                    id: s.id.clone(),
                    label_fr: s.label_fr.clone(),
                    label_en: s.label_en.clone(),
                    synonyms: s.synonyms.clone(),
                    holders,
                }
            })
            .collect();
        out.sort_by_key(|s| fold(&s.label_en));
        Ok(out)
    }

    /// `skill endorse`; returns the endorsement id.
    pub fn endorse(
        &mut self,
        member: &str,
        skill: &str,
        comment: &str,
    ) -> Result<String, NodeError> {
        let to = self.resolve_current(member)?;
        let id = new_id();
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update_workspace(|ws| ws.endorse(&id, &me, &to, skill, comment, now))
        })?;
        Ok(domain::entry_key(&self.me, &id))
    }

    fn parse_scope(&self, ws: &Workspace, scope: &str) -> Result<Scope, NodeError> {
        let scope = scope.trim();
        match scope {
            "" | "workspace" => Ok(Scope::Workspace),
            "personal" => Ok(Scope::Personal(self.me.clone())),
            _ => match scope.split_once(':') {
                Some(("community", c)) => Ok(Scope::Community(ws.resolve_community(c)?.id.clone())),
                _ => Err(NodeError::Invalid(format!(
                    "invalid scope '{scope}': expected workspace, personal or community:ID"
                ))),
            },
        }
    }

    /// `note add`; returns the note id.
    pub fn add_note(&mut self, new: NoteDraft) -> Result<String, NodeError> {
        let ws = self.workspace()?;
        let scope = self.parse_scope(&ws, new.scope.as_deref().unwrap_or("workspace"))?;
        let id = self.new_doc_id();
        // Skills already in the catalogue need no change to the workspace document.
        let known: Option<Vec<String>> = new
            .skills
            .iter()
            .map(|s| ws.find_skill(s.trim()).map(|k| k.id.clone()))
            .collect();
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            let skills = if let Some(known) = known {
                known
            } else {
                w.update_workspace(|ws| {
                    new.skills
                        .iter()
                        .map(|s| ws.ensure_skill(s, &me, now))
                        .collect::<Result<Vec<_>, _>>()
                })?
            };
            let meta = w.meta(&id, DocKind::Note, &scope, &[])?;
            let note = Note::new(meta, &new.title, &new.body, &new.tags, &skills)?;
            w.create(&note)
        })?;
        Ok(id)
    }

    /// `note list`.
    pub fn notes(
        &self,
        tag: Option<&str>,
        skill: Option<&str>,
    ) -> Result<Vec<NoteSummary>, NodeError> {
        let ws = self.workspace()?;
        let (tag, skills) = note_filter(&ws, tag, skill)?;
        let filter = store::NoteFilter {
            tag: tag.as_deref(),
            skills: &skills,
            ..store::NoteFilter::default()
        };
        self.store
            .notes(&filter, None)?
            .into_iter()
            .map(|n| note_summary(&ws, n))
            .collect()
    }

    /// A page of the notes for a list: the first `limit` the filters keep and how many they
    /// keep in all. The tag and the skill are taken as [`Core::note_facets`] lists them (a
    /// skill also stands for the skills merged into it), so every value listed filters.
    pub fn note_list(
        &self,
        tag: Option<&str>,
        skill: Option<&str>,
        community: Option<String>,
        title: Option<&str>,
        limit: u32,
    ) -> Result<NoteListView, NodeError> {
        let ws = self.workspace()?;
        let skills: Vec<String> = skill
            .map(|id| {
                std::iter::once(id.to_owned())
                    .chain(ws.merged_into(id))
                    .collect()
            })
            .unwrap_or_default();
        let scope = match community {
            Some(community) => {
                if !ws.communities.contains_key(&community) {
                    return Err(NodeError::NotFound(format!(
                        "community '{community}' is not in this workspace"
                    )));
                }
                Some(Scope::Community(community).to_string())
            }
            None => None,
        };
        let title = title.map(str::trim).filter(|t| !t.is_empty());
        let filter = store::NoteFilter {
            tag,
            skills: &skills,
            scope: scope.as_deref(),
            title,
        };
        let notes = self
            .store
            .notes(&filter, Some(limit))?
            .into_iter()
            .map(|n| note_summary(&ws, n))
            .collect::<Result<_, _>>()?;
        let total = self.store.count_notes(&filter)?;
        Ok(NoteListView { notes, total })
    }

    /// Every tag the notes carry and every skill they are linked to (a merged skill as the one
    /// it was merged into), each once, sorted: what a list filters by.
    pub fn note_facets(&self) -> Result<NoteFacetsView, NodeError> {
        let ws = self.workspace()?;
        let (tags, linked) = self.store.note_facets()?;
        let mut skills = canonical_skills(&ws, linked);
        skills.sort();
        Ok(NoteFacetsView { tags, skills })
    }

    /// `note show`.
    pub fn note(&self, id: &str) -> Result<NoteView, NodeError> {
        let id = self.resolve_id(DocKind::Note, id)?;
        let note: Note = self.read(&id)?;
        if note.deleted {
            return Err(NodeError::NotFound(format!("note '{id}' was deleted")));
        }
        let ws = self.workspace()?;
        let links = note
            .links()
            .into_iter()
            .map(|title| {
                let id = self.store.note_by_title(&title)?;
                Ok(LinkView { title, id })
            })
            .collect::<Result<_, NodeError>>()?;
        let backlinks = self
            .store
            .backlinks(&note.title)?
            .into_iter()
            .filter(|n| n.id != id)
            .map(|n| NoteRef {
                id: n.id,
                title: n.title,
            })
            .collect();
        Ok(NoteView {
            title: note.title.clone(),
            body: note.body.as_str().to_owned(),
            scope: closed(&note.meta.scope)?,
            author_name: name_of(&ws, &note.author),
            author: note.author.clone(),
            tags: note.tag_list(),
            skills: canonical_skills(&ws, note.skill_list()),
            links,
            backlinks,
            created_at: rfc3339(note.meta.created_at),
            updated_at: rfc3339(note.updated_at),
            id,
        })
    }

    /// `note edit`.
    pub fn edit_note(&mut self, id: &str, edit: NoteEdit) -> Result<(), NodeError> {
        if edit.title.is_none()
            && edit.body.is_none()
            && edit.add_tags.is_empty()
            && edit.remove_tags.is_empty()
            && edit.add_skills.is_empty()
            && edit.remove_skills.is_empty()
        {
            return Err(NodeError::Invalid(
                "nothing to change: give --title, --body, --body-file, --add-tag, --remove-tag, \
                 --add-skill or --remove-skill"
                    .into(),
            ));
        }
        let id = self.resolve_id(DocKind::Note, id)?;
        let ws = self.workspace()?;
        // A skill to unlink is named as people know it; the note may hold it under an id
        // since merged into that one.
        let unlink: Vec<String> = edit
            .remove_skills
            .iter()
            .map(|s| {
                let kept = ws.require_skill(s)?.id.clone();
                Ok(std::iter::once(kept.clone()).chain(ws.merged_into(&kept)))
            })
            .collect::<Result<Vec<_>, DomainError>>()?
            .into_iter()
            .flatten()
            .collect();
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            let link = if edit.add_skills.is_empty() {
                Vec::new()
            } else {
                w.update_workspace(|ws| {
                    edit.add_skills
                        .iter()
                        .map(|s| ws.ensure_skill(s, &me, now))
                        .collect::<Result<Vec<_>, _>>()
                })?
            };
            w.update::<Note, _>(&id, |n| {
                if n.deleted {
                    return Err(DomainError::NotFound(format!(
                        "note '{}' was deleted",
                        n.meta.id
                    )));
                }
                if let Some(t) = &edit.title {
                    n.title = require_text("title", t)?;
                }
                if let Some(b) = &edit.body {
                    n.set_body(b)?;
                }
                for t in &edit.add_tags {
                    n.add_tag(t)?;
                }
                for t in &edit.remove_tags {
                    n.remove_tag(t)?;
                }
                for s in &link {
                    n.skills.insert(s.clone(), true);
                }
                if !edit.remove_skills.is_empty() {
                    let before = n.skills.len();
                    n.skills.retain(|s, _| !unlink.contains(s));
                    if n.skills.len() == before {
                        return Err(DomainError::NotFound(format!(
                            "the note is not linked to '{}'",
                            edit.remove_skills.join("', '")
                        )));
                    }
                }
                n.updated_at = now;
                n.updated_by = me;
                Ok(())
            })
        })
    }

    /// `note delete`.
    pub fn delete_note(&mut self, id: &str) -> Result<(), NodeError> {
        let id = self.resolve_id(DocKind::Note, id)?;
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update::<Note, _>(&id, |n| {
                if n.deleted {
                    return Err(DomainError::NotFound(format!(
                        "note '{}' was already deleted",
                        n.meta.id
                    )));
                }
                n.deleted = true;
                n.updated_at = now;
                n.updated_by = me;
                Ok(())
            })
        })
    }

    /// `community create`; returns the community id.
    /// The creator joins it by a signed membership entry, in the same transaction.
    pub fn create_community(&mut self, name: &str) -> Result<String, NodeError> {
        let id = new_id();
        let me = self.me.clone();
        self.append_entry_with(
            Op::JoinCommunity {
                community: id.clone(),
            },
            |ws, now| ws.add_community(&id, name, &me, now),
        )?;
        Ok(id)
    }

    /// `community join`: this member joins a community (a signed membership entry); its
    /// documents start to reach this device. Returns the community id.
    pub fn join_community(&mut self, community: &str) -> Result<String, NodeError> {
        let id = self.workspace()?.resolve_community(community)?.id.clone();
        if self.members()?.in_community(&id, &self.me) {
            return Err(NodeError::Invalid(
                "you are already in that community".into(),
            ));
        }
        self.append_entry(Op::JoinCommunity {
            community: id.clone(),
        })?;
        Ok(id)
    }

    /// `community leave`: this member leaves a community, or an admin takes `member` out.
    /// What they already hold stays theirs; nothing new of that community reaches them.
    pub fn leave_community(
        &mut self,
        community: &str,
        member: Option<&str>,
    ) -> Result<String, NodeError> {
        let id = self.workspace()?.resolve_community(community)?.id.clone();
        let member = match member {
            Some(m) => self.resolve_member_id(m)?,
            None => self.me.clone(),
        };
        if !self.members()?.in_community(&id, &member) {
            return Err(NodeError::Invalid(format!(
                "{member} is not in that community"
            )));
        }
        self.append_entry(Op::LeaveCommunity {
            community: id.clone(),
            member,
        })?;
        Ok(id)
    }

    /// `community list`.
    pub fn communities(&self) -> Result<Vec<CommunityView>, NodeError> {
        let ws = self.workspace()?;
        let members = self.members()?;
        let mut out = Vec::new();
        for c in ws.communities.values() {
            out.push(CommunityView {
                id: c.id.clone(),
                name: c.name.clone(),
                created_by: c.created_by.clone(),
                created_at: rfc3339(c.created_at),
                members: members.community_members(&c.id),
                joined: members.in_community(&c.id, &self.me),
                threads: self.store.threads(&c.id)?.len(),
            });
        }
        out.sort_by_key(|c| fold(&c.name));
        Ok(out)
    }

    /// `thread post`; returns the thread id.
    pub fn post_thread(
        &mut self,
        community: &str,
        title: &str,
        body: &str,
    ) -> Result<String, NodeError> {
        let community = self.workspace()?.resolve_community(community)?.id.clone();
        let id = self.new_doc_id();
        self.write(|w| {
            let meta = w.meta(
                &id,
                DocKind::Thread,
                &Scope::Community(community.clone()),
                &[],
            )?;
            w.create(&Thread::new(meta, &community, title, body)?)
        })?;
        Ok(id)
    }

    /// `thread reply`; returns the reply id.
    pub fn reply(&mut self, thread: &str, body: &str) -> Result<String, NodeError> {
        let thread = self.resolve_id(DocKind::Thread, thread)?;
        let id = new_id();
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update::<Thread, _>(&thread, |t| t.reply(&id, &me, body, now))
        })?;
        Ok(id)
    }

    /// `thread accept`.
    pub fn accept(&mut self, thread: &str, post: &str) -> Result<(), NodeError> {
        let thread = self.resolve_id(DocKind::Thread, thread)?;
        self.write(|w| {
            let (me, now) = (w.me.to_owned(), w.now);
            w.update::<Thread, _>(&thread, |t| t.accept(post, &me, now))
        })
    }

    /// `thread list`.
    pub fn threads(&self, community: &str) -> Result<Vec<ThreadSummary>, NodeError> {
        let ws = self.workspace()?;
        let community = ws.resolve_community(community)?;
        Ok(self
            .store
            .threads(&community.id)?
            .into_iter()
            .map(|t| ThreadSummary {
                author_name: name_of(&ws, &t.author),
                id: t.id,
                community: t.community,
                title: t.title,
                author: t.author,
                replies: t.replies,
                accepted: t.accepted,
                created_at: rfc3339(t.created_at),
                updated_at: rfc3339(t.updated_at),
            })
            .collect())
    }

    /// `thread show`.
    pub fn thread(&self, id: &str) -> Result<ThreadView, NodeError> {
        let id = self.resolve_id(DocKind::Thread, id)?;
        let t: Thread = self.read(&id)?;
        let ws = self.workspace()?;
        Ok(thread_view(&ws, &t))
    }

    /// `search`.
    pub fn search(&self, query: &str) -> Result<Vec<SearchHitView>, NodeError> {
        if query
            .split_whitespace()
            .all(|w| w.trim_matches('"').is_empty())
        {
            return Err(NodeError::Invalid("search needs at least one word".into()));
        }
        self.store
            .search(query, 50)?
            .into_iter()
            .map(|h| {
                Ok(SearchHitView {
                    kind: closed(&h.kind)?,
                    id: h.id,
                    title: h.title,
                    snippet: h.snippet,
                })
            })
            .collect()
    }

    /// `who-can-help`: colleagues ranked, as the app and the CLI's `--json` show them.
    pub fn who_can_help(&self, skill: &str) -> Result<Vec<HelperView>, NodeError> {
        Ok(who_can_help(&self.workspace()?, skill, &self.me)?
            .into_iter()
            .map(|h| HelperView {
                member_id: h.member,
                name: h.name,
                skill: h.skill,
                level: h.level,
                can_teach: h.can_teach,
                endorsements: h.endorsements,
                hours_per_month: h.hours_per_month,
                score: h.score,
                why: h.why,
            })
            .collect())
    }

    /// `doctor [--rebuild-index]`.
    pub fn doctor(&mut self, rebuild: bool) -> Result<DoctorReport, NodeError> {
        let integrity = self.store.integrity_check()?;
        let docs = self.store.documents(None)?;
        let mut bad_documents = Vec::new();
        let members = self.members()?;
        for row in &docs {
            let checked = store::check_document(&self.store, row)
                .map_err(NodeError::from)
                .and_then(|()| self.check_authorship(&row.id, &members));
            if let Err(e) = checked {
                bad_documents.push(BadDocument {
                    id: row.id.clone(),
                    error: e.to_string(),
                });
            }
        }
        let stale_index = if bad_documents.is_empty() {
            self.store.stale_index_entries()?
        } else {
            Vec::new()
        };
        let rebuilt = if rebuild && bad_documents.is_empty() {
            Some(self.store.rebuild_index()?)
        } else {
            None
        };
        let ok = integrity.is_empty()
            && bad_documents.is_empty()
            && (stale_index.is_empty() || rebuilt.is_some());
        Ok(DoctorReport {
            ok,
            integrity,
            documents: docs.len(),
            bad_documents,
            stale_index,
            rebuilt,
        })
    }
}

impl Core {
    /// Checks that every change of a stored document carries a valid signature by the device
    /// its Automerge actor names, a device the membership log admitted (what `doctor` checks,
    /// so that a database edited behind the app's back is caught). The write rules were applied
    /// when each change entered; peers apply them again to anything this device sends.
    fn check_authorship(
        &self,
        id: &str,
        members: &sync::membership::Members,
    ) -> Result<(), NodeError> {
        let bytes = self
            .store
            .doc_bytes(id)?
            .ok_or_else(|| NodeError::NotFound(format!("no document '{id}'")))?;
        let mut doc = domain::load_stored(&bytes)?;
        let sigs = self.store.signatures(id, None)?;
        for change in doc.get_changes_meta(&[]) {
            let (author, key) = domain::signing::author_of(&change.actor)?;
            let author = author.to_string();
            let signed = sigs
                .get(&change.hash)
                .is_some_and(|s| domain::signing::verify_change(&key, id, &change.hash, s));
            if !signed {
                return Err(NodeError::Invalid(format!(
                    "change {} is not signed by its author {author}",
                    change.hash
                )));
            }
            if !members.authors.contains(&author) {
                return Err(NodeError::Invalid(format!(
                    "change {} is by {author}, whom the membership log does not know",
                    change.hash
                )));
            }
        }
        Ok(())
    }
}

fn level_name(level: u8) -> Result<ipc::sets::Level, NodeError> {
    ipc::sets::Level::from_number(level)
        .ok_or_else(|| NodeError::Invalid(format!("level {level} is not 1 to 4")))
}

/// Skill ids as they stand after merges, each once.
fn canonical_skills(ws: &Workspace, ids: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let id = ws.canonical(&id).to_owned();
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// A list's tag (normalized) and the skill ids a skill filter stands for: the skill and every
/// skill merged into it (a note linked to a skill since merged into this one is about this one).
fn note_filter(
    ws: &Workspace,
    tag: Option<&str>,
    skill: Option<&str>,
) -> Result<(Option<String>, Vec<String>), NodeError> {
    let tag = tag.map(normalize_tag).transpose()?;
    let Some(skill) = skill else {
        return Ok((tag, Vec::new()));
    };
    let skill = ws.require_skill(skill)?.id.clone();
    let merged = ws.merged_into(&skill);
    Ok((tag, std::iter::once(skill).chain(merged).collect()))
}

fn note_summary(ws: &Workspace, n: store::NoteRow) -> Result<NoteSummary, NodeError> {
    Ok(NoteSummary {
        author_name: name_of(ws, &n.author),
        id: n.id,
        title: n.title,
        scope: closed(&n.scope)?,
        author: n.author,
        tags: n.tags,
        skills: canonical_skills(ws, n.skills),
        created_at: rfc3339(n.created_at),
        updated_at: rfc3339(n.updated_at),
    })
}

pub(crate) fn thread_view(ws: &Workspace, t: &Thread) -> ThreadView {
    ThreadView {
        id: t.meta.id.clone(),
        community: t.community.clone(),
        community_name: ws
            .communities
            .get(&t.community)
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        title: t.title.clone(),
        body: t.body.as_str().to_owned(),
        author: t.author.clone(),
        author_name: name_of(ws, &t.author),
        accepted: t.accepted.clone(),
        created_at: rfc3339(t.meta.created_at),
        updated_at: rfc3339(t.updated_at),
        posts: t
            .posts
            .iter()
            .map(|p| PostView {
                id: p.id.clone(),
                author: p.author.clone(),
                author_name: name_of(ws, &p.author),
                body: p.body.as_str().to_owned(),
                created_at: rfc3339(p.created_at),
                accepted: t.accepted.as_deref() == Some(p.id.as_str()),
            })
            .collect(),
    }
}
