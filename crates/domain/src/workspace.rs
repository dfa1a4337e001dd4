//! The workspace document: members and their profiles, the skills catalogue, skill claims,
//! endorsements and the communities index. It reaches every member's devices.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::{DocKind, DocMeta, DomainError, Kudos, TypedDoc, fold, require_text, slug};

/// A member's role in the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// May change membership.
    Admin,
    /// Everyone else.
    Member,
}

impl Role {
    /// The stable name stored in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }
}

/// How well a member knows a skill (DESIGN.md: notions / practitioner / expert / referent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    /// 1: has notions.
    Notions = 1,
    /// 2: practises it.
    Practitioner = 2,
    /// 3: expert.
    Expert = 3,
    /// 4: the team's referent.
    Referent = 4,
}

impl Level {
    /// The level for a number 1..=4.
    pub fn from_number(n: u64) -> Result<Level, DomainError> {
        match n {
            1 => Ok(Level::Notions),
            2 => Ok(Level::Practitioner),
            3 => Ok(Level::Expert),
            4 => Ok(Level::Referent),
            other => Err(DomainError::invalid(format!(
                "invalid level {other}: expected 1 (notions), 2 (practitioner), 3 (expert) or 4 (referent)"
            ))),
        }
    }

    /// The English name of the level.
    pub fn name(self) -> &'static str {
        match self {
            Level::Notions => "notions",
            Level::Practitioner => "practitioner",
            Level::Expert => "expert",
            Level::Referent => "referent",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Level {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        match s.parse::<u64>() {
            Ok(n) => Level::from_number(n),
            Err(_) => match fold(s).as_str() {
                "notions" => Ok(Level::Notions),
                "practitioner" | "praticien" => Ok(Level::Practitioner),
                "expert" => Ok(Level::Expert),
                "referent" => Ok(Level::Referent),
                _ => Err(DomainError::invalid(format!(
                    "invalid level '{s}': expected 1 (notions), 2 (practitioner), 3 (expert) or 4 (referent)"
                ))),
            },
        }
    }
}

/// A person of the workspace and their profile.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Member {
    /// Member id: the `PeerId` of their first device.
    pub id: String,
    /// Display name.
    pub name: String,
    /// "admin" or "member".
    pub role: String,
    /// Job title.
    pub title: String,
    /// Team or department.
    pub team: String,
    /// Site or city.
    pub location: String,
    /// Languages spoken, as codes ("fr", "en").
    pub languages: Vec<String>,
    /// Hours per month offered to help colleagues.
    pub hours_per_month: u32,
    /// Whether they are open to mentoring.
    pub open_to_mentoring: bool,
    /// Device ids (`PeerId`s) of this member.
    pub devices: Vec<String>,
    /// Preferred UI language.
    pub locale: String,
    /// When they joined, ms since the epoch.
    #[serde(with = "crate::time::serde_ms")]
    pub joined_at: i64,
    /// Last profile change, ms since the epoch.
    #[serde(with = "crate::time::serde_ms")]
    pub updated_at: i64,
}

impl Member {
    /// A new member with an empty profile.
    pub fn new(id: &str, name: &str, role: Role, now: i64) -> Result<Member, DomainError> {
        Ok(Member {
            id: id.to_owned(),
            name: require_text("name", name)?,
            role: role.as_str().to_owned(),
            title: String::new(),
            team: String::new(),
            location: String::new(),
            languages: Vec::new(),
            hours_per_month: 0,
            open_to_mentoring: false,
            devices: vec![id.to_owned()],
            locale: "fr".to_owned(),
            joined_at: now,
            updated_at: now,
        })
    }
}

/// An entry of the skills catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Skill {
    /// Stable id (a slug of the first name it was given).
    pub id: String,
    /// French label.
    pub label_fr: String,
    /// English label.
    pub label_en: String,
    /// Other names people search it by.
    pub synonyms: Vec<String>,
    /// Who added it to the catalogue.
    pub created_by: String,
    /// When, ms since the epoch.
    #[serde(with = "crate::time::serde_ms")]
    pub created_at: i64,
    /// The skill this duplicate was merged into: its claims, endorsements and note links
    /// count for that one ([`Workspace::resolved`]).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub merged_into: Option<String>,
}

impl Skill {
    /// Whether `query` names this skill (id, either label or a synonym; case and accents
    /// ignored).
    pub fn matches(&self, query: &str) -> bool {
        let q = fold(query);
        self.id == slug(query)
            || fold(&self.label_fr) == q
            || fold(&self.label_en) == q
            || self.synonyms.iter().any(|s| fold(s) == q)
    }
}

/// A member's statement about one skill.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct SkillClaim {
    /// The member.
    pub member: String,
    /// The skill id.
    pub skill: String,
    /// 1 notions · 2 practitioner · 3 expert · 4 referent.
    pub level: u8,
    /// Wants to learn (more of) it.
    pub wants_to_learn: bool,
    /// Willing to teach it.
    pub can_teach: bool,
    /// Last change, ms since the epoch.
    #[serde(with = "crate::time::serde_ms")]
    pub updated_at: i64,
}

/// One member vouching for another's skill.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Endorsement {
    /// Endorsement id.
    pub id: String,
    /// Who endorses.
    pub from: String,
    /// Who is endorsed.
    pub to: String,
    /// The skill id.
    pub skill: String,
    /// Optional words.
    pub comment: String,
    /// When, ms since the epoch.
    #[serde(with = "crate::time::serde_ms")]
    pub created_at: i64,
}

/// A learning community (a circle on a topic); its threads live in their own documents.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Community {
    /// Community id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Who created it.
    pub created_by: String,
    /// When, ms since the epoch.
    #[serde(with = "crate::time::serde_ms")]
    pub created_at: i64,
}

/// The key of an entry one member gives (an endorsement, kudos): their id, then a fresh id
/// (member ids are base58: no `-` in them).
/// Keys that begin with the giver's id are keys nobody else can give under, so nobody can
/// replace someone's endorsement or kudos by writing concurrently at the same key.
pub fn entry_key(giver: &str, id: &str) -> String {
    format!("{giver}-{id}")
}

/// The key of a claim in [`Workspace::claims`].
pub fn claim_key(member: &str, skill: &str) -> String {
    format!("{member}/{skill}")
}

/// The longest chain of merges [`Workspace::canonical`] follows.
pub const MAX_MERGES: usize = 16;

/// The workspace document's model.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Workspace {
    /// Signed header (scope workspace).
    pub meta: DocMeta,
    /// The workspace's name.
    pub name: String,
    /// Members by member id.
    pub members: BTreeMap<String, Member>,
    /// Skills catalogue by skill id.
    pub skills: BTreeMap<String, Skill>,
    /// Claims by [`claim_key`].
    pub claims: BTreeMap<String, SkillClaim>,
    /// Endorsements by id.
    pub endorsements: BTreeMap<String, Endorsement>,
    /// Communities by id.
    pub communities: BTreeMap<String, Community>,
    /// Kudos by id (absent in documents written before kudos existed).
    #[autosurgeon(missing = "Default::default")]
    pub kudos: BTreeMap<String, Kudos>,
    /// The team's relays (`/…/p2p/ID` of a member's always-on device serving as a relay),
    /// through which devices reach each other past the LAN; set by admins (absent in documents
    /// written before relays existed).
    #[autosurgeon(missing = "Default::default")]
    pub relays: Vec<String>,
}

/// The most relays a workspace names.
pub const MAX_RELAYS: usize = 8;
/// The longest relay address.
pub const MAX_RELAY_ADDR: usize = 300;

impl TypedDoc for Workspace {
    const KIND: DocKind = DocKind::Workspace;
    fn meta(&self) -> &DocMeta {
        &self.meta
    }
    fn validate(&self) -> Result<(), DomainError> {
        require_text("workspace name", &self.name)?;
        if self.relays.len() > MAX_RELAYS {
            return Err(DomainError::Invalid(format!(
                "a workspace names at most {MAX_RELAYS} relays"
            )));
        }
        for relay in &self.relays {
            if relay.is_empty()
                || relay.len() > MAX_RELAY_ADDR
                || !relay.starts_with('/')
                || relay.chars().any(char::is_whitespace)
            {
                return Err(DomainError::Invalid(format!(
                    "'{relay}' is not a relay address (/ip4/…/tcp/…/p2p/ID)"
                )));
            }
        }
        Ok(())
    }
    fn check_write(
        before: Option<&Self>,
        after: &Self,
        by: crate::Author<'_>,
    ) -> Result<(), DomainError> {
        crate::rules::workspace(before, after, by)
    }
    const READ_TOUCHED: bool = true;
    fn read_touched<D: autosurgeon::ReadDoc>(
        doc: &D,
        touched: &crate::admit::Touched,
    ) -> Option<Result<Self, DomainError>> {
        Some(read_touched(doc, touched))
    }
}

/// The workspace with only the entries of each map that `touched` names (the write rules judge
/// every entry on its own, so the others, absent before and after, cannot change a verdict).
fn read_touched<D: autosurgeon::ReadDoc>(
    doc: &D,
    touched: &crate::admit::Touched,
) -> Result<Workspace, DomainError> {
    use autosurgeon::{Hydrate, hydrate_prop};
    let schema = |e: autosurgeon::HydrateError| DomainError::Schema {
        kind: DocKind::Workspace.as_str(),
        reason: e.to_string(),
    };
    fn entries<D: autosurgeon::ReadDoc, V: Hydrate>(
        doc: &D,
        field: &str,
        keys: Option<std::collections::BTreeSet<String>>,
    ) -> Result<BTreeMap<String, V>, autosurgeon::HydrateError> {
        let mut out = BTreeMap::new();
        if keys.as_ref().is_some_and(|k| k.is_empty()) {
            return Ok(out);
        }
        // A field absent from the document is empty (as `missing = "Default::default"` reads).
        if doc.get(&automerge::ROOT, field)?.is_none() {
            return Ok(out);
        }
        let Some(keys) = keys else {
            return hydrate_prop(doc, &automerge::ROOT, field);
        };
        let Some((_, map)) = doc.get(&automerge::ROOT, field)? else {
            return Ok(out);
        };
        for key in keys {
            if doc.get(&map, key.as_str())?.is_some() {
                out.insert(key.clone(), hydrate_prop(doc, &map, key.as_str())?);
            }
        }
        Ok(out)
    }
    let ws = Workspace {
        meta: hydrate_prop(doc, &automerge::ROOT, "meta").map_err(schema)?,
        name: hydrate_prop(doc, &automerge::ROOT, "name").map_err(schema)?,
        members: entries(doc, "members", touched.keys("members")).map_err(schema)?,
        skills: entries(doc, "skills", touched.keys("skills")).map_err(schema)?,
        claims: entries(doc, "claims", touched.keys("claims")).map_err(schema)?,
        endorsements: entries(doc, "endorsements", touched.keys("endorsements")).map_err(schema)?,
        communities: entries(doc, "communities", touched.keys("communities")).map_err(schema)?,
        kudos: entries(doc, "kudos", touched.keys("kudos")).map_err(schema)?,
        // A few addresses: read whole.
        relays: if doc
            .get(&automerge::ROOT, "relays")
            .map_err(|e| schema(e.into()))?
            .is_some()
        {
            hydrate_prop(doc, &automerge::ROOT, "relays").map_err(schema)?
        } else {
            Vec::new()
        },
    };
    Ok(ws)
}

impl Workspace {
    /// A new workspace whose only member is its founder, an admin.
    pub fn new(
        meta: DocMeta,
        name: &str,
        founder_name: &str,
        now: i64,
    ) -> Result<Self, DomainError> {
        let founder = Member::new(&meta.created_by, founder_name, Role::Admin, now)?;
        Ok(Workspace {
            name: require_text("workspace name", name)?,
            members: BTreeMap::from([(founder.id.clone(), founder)]),
            skills: BTreeMap::new(),
            claims: BTreeMap::new(),
            endorsements: BTreeMap::new(),
            communities: BTreeMap::new(),
            kudos: BTreeMap::new(),
            relays: Vec::new(),
            meta,
        })
    }

    /// Finds a member by exact id, or by name (case and accents ignored) when it is unique.
    pub fn resolve_member(&self, query: &str) -> Result<&Member, DomainError> {
        if let Some(m) = self.members.get(query.trim()) {
            return Ok(m);
        }
        let q = fold(query);
        let found: Vec<&Member> = self
            .members
            .values()
            .filter(|m| fold(&m.name) == q)
            .collect();
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(DomainError::NotFound(format!(
                "no member with id or name '{}'",
                query.trim()
            ))),
            many => Err(DomainError::invalid(format!(
                "'{}' names {} members; use a member id ({})",
                query.trim(),
                many.len(),
                many.iter()
                    .map(|m| m.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Finds a skill of the catalogue by id, label or synonym.
    pub fn find_skill(&self, query: &str) -> Option<&Skill> {
        let named = self
            .skills
            .get(&slug(query))
            .or_else(|| self.skills.values().find(|s| s.matches(query)))?;
        self.skills.get(self.canonical(&named.id))
    }

    /// The skill `id` stands for after merges: the end of its `merged_into` chain (itself if
    /// it was not merged). Two admins merging two skills into each other at once make a loop:
    /// every member of the loop then stands for the smallest id in it, on every device. A chain
    /// is followed for [`MAX_MERGES`] steps at most (merges are an admin's, into a skill not
    /// itself merged, so an honest chain is short), the same on every device.
    pub fn canonical<'a>(&'a self, id: &'a str) -> &'a str {
        let mut seen: Vec<&str> = vec![id];
        let mut current = id;
        while seen.len() <= MAX_MERGES
            && let Some(next) = self
                .skills
                .get(current)
                .and_then(|s| s.merged_into.as_deref())
                .filter(|next| self.skills.contains_key(*next))
        {
            if let Some(start) = seen.iter().position(|s| *s == next) {
                return seen[start..].iter().copied().min().unwrap_or(next);
            }
            seen.push(next);
            current = next;
        }
        current
    }

    /// The skills merged, directly or not, into `id` (which is not among them).
    pub fn merged_into(&self, id: &str) -> Vec<String> {
        self.skills
            .keys()
            .filter(|k| k.as_str() != id && self.canonical(k) == id)
            .cloned()
            .collect()
    }

    /// This workspace as it reads after merges: claims and endorsements of a merged skill count
    /// for the skill it was merged into (a member who claimed both keeps the higher level, and
    /// either wish). Merged skills stay in the catalogue, marked, so that their names still
    /// find the skill they became.
    pub fn resolved(mut self) -> Workspace {
        if self.skills.values().all(|s| s.merged_into.is_none()) {
            return self;
        }
        let claims = std::mem::take(&mut self.claims);
        for (_, mut c) in claims {
            c.skill = self.canonical(&c.skill).to_owned();
            let key = claim_key(&c.member, &c.skill);
            match self.claims.get_mut(&key) {
                Some(kept) => {
                    kept.level = kept.level.max(c.level);
                    kept.wants_to_learn |= c.wants_to_learn;
                    kept.can_teach |= c.can_teach;
                    kept.updated_at = kept.updated_at.max(c.updated_at);
                }
                None => {
                    self.claims.insert(key, c);
                }
            }
        }
        let skills: Vec<(String, String)> = self
            .endorsements
            .iter()
            .map(|(k, e)| (k.clone(), self.canonical(&e.skill).to_owned()))
            .collect();
        for (key, skill) in skills {
            if let Some(e) = self.endorsements.get_mut(&key) {
                e.skill = skill;
            }
        }
        self
    }

    /// Gives a skill its English and French labels (those given).
    pub fn label_skill(
        &mut self,
        query: &str,
        en: Option<&str>,
        fr: Option<&str>,
    ) -> Result<String, DomainError> {
        let id = self.require_skill(query)?.id.clone();
        let en = en.map(|l| require_text("English label", l)).transpose()?;
        let fr = fr.map(|l| require_text("French label", l)).transpose()?;
        for label in en.iter().chain(&fr) {
            self.require_free(label, &id)?;
        }
        if let Some(skill) = self.skills.get_mut(&id) {
            if let Some(en) = en {
                skill.label_en = en;
            }
            if let Some(fr) = fr {
                skill.label_fr = fr;
            }
        }
        Ok(id)
    }

    /// Adds another name a skill is found by.
    pub fn alias_skill(&mut self, query: &str, alias: &str) -> Result<String, DomainError> {
        let id = self.require_skill(query)?.id.clone();
        let alias = require_text("alias", alias)?;
        self.require_free(&alias, &id)?;
        if let Some(skill) = self.skills.get_mut(&id)
            && !skill.matches(&alias)
        {
            skill.synonyms.push(alias);
        }
        Ok(id)
    }

    /// Refuses a name that already names a skill other than `id` (or one merged into it).
    fn require_free(&self, name: &str, id: &str) -> Result<(), DomainError> {
        match self.skills.values().find(|s| s.matches(name)) {
            Some(other) if self.canonical(&other.id) != id => Err(DomainError::invalid(format!(
                "'{}' already names the skill '{}'",
                name.trim(),
                self.skills
                    .get(self.canonical(&other.id))
                    .map_or(other.id.as_str(), |s| s.label_en.as_str())
            ))),
            _ => Ok(()),
        }
    }

    /// Merges the skill `from` into `into`: `from`'s names become `into`'s aliases, and its
    /// claims, endorsements and note links count for `into` from then on, on every device
    /// (nobody's claim is rewritten in their name).
    pub fn merge_skill(&mut self, from: &str, into: &str) -> Result<String, DomainError> {
        let from = self.require_skill(from)?.id.clone();
        let into = self.require_skill(into)?.id.clone();
        if from == into {
            return Err(DomainError::invalid(format!(
                "'{from}' and '{into}' are already one skill"
            )));
        }
        let names: Vec<String> = self
            .skills
            .get(&from)
            .map(|s| {
                let mut names = vec![s.id.clone(), s.label_en.clone(), s.label_fr.clone()];
                names.extend(s.synonyms.iter().cloned());
                names
            })
            .unwrap_or_default();
        if let Some(target) = self.skills.get_mut(&into) {
            for name in names {
                if !target.matches(&name) {
                    target.synonyms.push(name);
                }
            }
        }
        if let Some(source) = self.skills.get_mut(&from) {
            source.merged_into = Some(into.clone());
        }
        Ok(into)
    }

    /// Like [`Workspace::find_skill`], as an error when missing.
    pub fn require_skill(&self, query: &str) -> Result<&Skill, DomainError> {
        self.find_skill(query).ok_or_else(|| {
            DomainError::NotFound(format!(
                "no skill named '{}' in the catalogue",
                query.trim()
            ))
        })
    }

    /// Returns the id of the skill named `name`, adding it to the catalogue if it is new.
    pub fn ensure_skill(&mut self, name: &str, by: &str, now: i64) -> Result<String, DomainError> {
        let name = require_text("skill name", name)?;
        if let Some(skill) = self.find_skill(&name) {
            return Ok(skill.id.clone());
        }
        let id = slug(&name);
        if id.is_empty() {
            return Err(DomainError::invalid(format!(
                "skill name '{name}' needs at least one letter or digit"
            )));
        }
        self.skills.insert(
            id.clone(),
            Skill {
                id: id.clone(),
                label_fr: name.clone(),
                label_en: name,
                synonyms: Vec::new(),
                created_by: by.to_owned(),
                created_at: now,
                merged_into: None,
            },
        );
        Ok(id)
    }

    /// Sets `member`'s claim on a skill (added to the catalogue if new); returns the skill id.
    pub fn claim(
        &mut self,
        member: &str,
        skill_name: &str,
        level: Level,
        wants_to_learn: bool,
        can_teach: bool,
        now: i64,
    ) -> Result<String, DomainError> {
        self.require_member(member)?;
        let skill = self.ensure_skill(skill_name, member, now)?;
        self.claims.insert(
            claim_key(member, &skill),
            SkillClaim {
                member: member.to_owned(),
                skill: skill.clone(),
                level: level as u8,
                wants_to_learn,
                can_teach,
                updated_at: now,
            },
        );
        Ok(skill)
    }

    /// Records that `from` vouches for `to`'s skill.
    pub fn endorse(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        skill_query: &str,
        comment: &str,
        now: i64,
    ) -> Result<(), DomainError> {
        self.require_member(from)?;
        let to_member = self.require_member(to)?.name.clone();
        if from == to {
            return Err(DomainError::invalid("you cannot endorse your own skill"));
        }
        let skill = self.require_skill(skill_query)?.id.clone();
        if !self.claims.contains_key(&claim_key(to, &skill)) {
            return Err(DomainError::invalid(format!(
                "{to_member} has not claimed the skill '{skill}'"
            )));
        }
        if self
            .endorsements
            .values()
            .any(|e| e.from == from && e.to == to && e.skill == skill)
        {
            return Err(DomainError::invalid(format!(
                "you already endorsed {to_member} for '{skill}'"
            )));
        }
        let id = entry_key(from, id);
        self.endorsements.insert(
            id.clone(),
            Endorsement {
                id,
                from: from.to_owned(),
                to: to.to_owned(),
                skill,
                comment: comment.trim().to_owned(),
                created_at: now,
            },
        );
        Ok(())
    }

    /// Adds a community to the index. Who is in it is kept by the signed membership log
    /// (`sync::membership`), never here: any member may edit this document.
    pub fn add_community(
        &mut self,
        id: &str,
        name: &str,
        by: &str,
        now: i64,
    ) -> Result<(), DomainError> {
        self.require_member(by)?;
        let name = require_text("community name", name)?;
        if self
            .communities
            .values()
            .any(|c| fold(&c.name) == fold(&name))
        {
            return Err(DomainError::invalid(format!(
                "a community named '{name}' already exists"
            )));
        }
        self.communities.insert(
            id.to_owned(),
            Community {
                id: id.to_owned(),
                name,
                created_by: by.to_owned(),
                created_at: now,
            },
        );
        Ok(())
    }

    /// Finds a community by id or by name.
    pub fn resolve_community(&self, query: &str) -> Result<&Community, DomainError> {
        self.communities
            .get(query.trim())
            .or_else(|| {
                self.communities
                    .values()
                    .find(|c| fold(&c.name) == fold(query))
            })
            .ok_or_else(|| DomainError::NotFound(format!("no community '{}'", query.trim())))
    }

    /// `from` thanks `to`, optionally for a skill of the catalogue.
    pub fn give_kudos(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        message: &str,
        skill: Option<&str>,
        now: i64,
    ) -> Result<(), DomainError> {
        // Who is a member is the membership log's to say (checked by the caller): a colleague
        // whose profile has not arrived yet may still be thanked.
        if from == to {
            return Err(DomainError::invalid(
                "kudos go to a colleague, not to yourself",
            ));
        }
        let skill = skill
            .map(|s| self.require_skill(s).map(|s| s.id.clone()))
            .transpose()?;
        let message = message.trim();
        if message.is_empty() {
            return Err(DomainError::invalid("message must not be empty"));
        }
        if message.chars().count() > 2000 {
            return Err(DomainError::invalid(
                "message is longer than 2000 characters",
            ));
        }
        let id = entry_key(from, id);
        self.kudos.insert(
            id.clone(),
            Kudos {
                id,
                from: from.to_owned(),
                to: to.to_owned(),
                message: message.to_owned(),
                skill,
                created_at: now,
            },
        );
        Ok(())
    }

    /// The member, or an error naming the missing id.
    pub fn require_member(&self, id: &str) -> Result<&Member, DomainError> {
        self.members
            .get(id)
            .ok_or_else(|| DomainError::NotFound(format!("no member with id '{id}'")))
    }

    /// The member's profile, mutably.
    pub fn member_mut(&mut self, id: &str) -> Result<&mut Member, DomainError> {
        self.members
            .get_mut(id)
            .ok_or_else(|| DomainError::NotFound(format!("no member with id '{id}'")))
    }

    /// All claims of one member.
    pub fn claims_of<'a>(&'a self, member: &'a str) -> impl Iterator<Item = &'a SkillClaim> + 'a {
        self.claims.values().filter(move |c| c.member == member)
    }

    /// How many colleagues endorsed `member` for `skill`.
    pub fn endorsement_count(&self, member: &str, skill: &str) -> usize {
        self.endorsements
            .values()
            .filter(|e| e.to == member && e.skill == skill)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Scope, doc};
    use libp2p_identity::Keypair;

    fn workspace(founder: &Keypair) -> Workspace {
        let meta = DocMeta::new_signed(
            founder,
            "ws1",
            DocKind::Workspace,
            &Scope::Workspace,
            "ws1",
            0,
            &[],
        )
        .unwrap();
        Workspace::new(meta, "Acme", "Alice", 0).unwrap()
    }

    /// Alice's workspace with Bérénice as a member; their ids.
    fn alice_and_berenice() -> (Workspace, String, String) {
        let alice = Keypair::generate_ed25519();
        let a = alice.public().to_peer_id().to_string();
        let b = Keypair::generate_ed25519()
            .public()
            .to_peer_id()
            .to_string();
        let mut ws = workspace(&alice);
        ws.members.insert(
            b.clone(),
            Member::new(&b, "Bérénice", Role::Member, 1).unwrap(),
        );
        (ws, a, b)
    }

    #[test]
    fn merged_skills_count_for_the_one_kept_and_their_names_find_it() {
        let (mut ws, a, b) = alice_and_berenice();
        ws.claim(&a, "Rust", Level::Practitioner, true, false, 1)
            .unwrap();
        ws.claim(&a, "rust-lang", Level::Expert, false, true, 2)
            .unwrap();
        ws.claim(&b, "rust-lang", Level::Referent, false, true, 3)
            .unwrap();
        ws.endorse("e1", &a, &b, "rust-lang", "", 4).unwrap();

        let kept = ws.merge_skill("Rust-Lang", "rust").unwrap();
        assert_eq!(kept, "rust");
        assert_eq!(ws.canonical("rust-lang"), "rust");
        assert_eq!(
            ws.find_skill("rust lang").unwrap().id,
            "rust",
            "its old name"
        );
        assert_eq!(ws.merged_into("rust"), ["rust-lang"]);
        let err = ws.merge_skill("rust", "RUST-LANG").unwrap_err().to_string();
        assert!(err.contains("already one skill"), "{err}");
        // A claim made after the merge under the old name goes to the one kept.
        assert_eq!(
            ws.claim(&b, "rust-lang", Level::Referent, false, true, 5)
                .unwrap(),
            "rust"
        );

        let read = ws.clone().resolved();
        let alice_rust = &read.claims[&claim_key(&a, "rust")];
        assert_eq!(
            (
                alice_rust.level,
                alice_rust.wants_to_learn,
                alice_rust.can_teach
            ),
            (Level::Expert as u8, true, true),
            "the higher level, and either wish"
        );
        assert!(read.claims.values().all(|c| c.skill == "rust"));
        assert_eq!(read.endorsement_count(&b, "rust"), 1);

        // Labels and aliases: found by any of them, accents and case ignored; a name already
        // taken by another skill is refused.
        ws.label_skill("rust", Some("Rust"), Some("Rust (langage)"))
            .unwrap();
        ws.alias_skill("rust", "Rouille").unwrap();
        assert_eq!(ws.find_skill("RUST (LANGAGE)").unwrap().id, "rust");
        assert_eq!(ws.find_skill("rouillé").unwrap().id, "rust");
        ws.claim(&a, "Go", Level::Notions, true, false, 6).unwrap();
        let err = ws.alias_skill("go", "rouille").unwrap_err().to_string();
        assert!(
            err.contains("'rouille' already names the skill 'Rust'"),
            "{err}"
        );
        let err = ws
            .label_skill("go", None, Some(" "))
            .unwrap_err()
            .to_string();
        assert!(err.contains("French label"), "{err}");
    }

    #[test]
    fn skills_merged_into_each_other_stand_for_the_smallest_id_everywhere() {
        let alice = Keypair::generate_ed25519();
        let a = alice.public().to_peer_id().to_string();
        let mut ws = workspace(&alice);
        for name in ["beta", "alpha", "gamma"] {
            ws.claim(&a, name, Level::Notions, false, false, 1).unwrap();
        }
        // Two admins at once: alpha into beta, beta into alpha; gamma into beta.
        ws.skills.get_mut("alpha").unwrap().merged_into = Some("beta".into());
        ws.skills.get_mut("beta").unwrap().merged_into = Some("alpha".into());
        ws.skills.get_mut("gamma").unwrap().merged_into = Some("beta".into());
        for id in ["alpha", "beta", "gamma"] {
            assert_eq!(ws.canonical(id), "alpha", "{id}");
        }
        assert_eq!(ws.canonical("unknown"), "unknown");
    }

    #[test]
    fn claims_endorsements_and_lookups() {
        let (mut ws, a, b) = alice_and_berenice();

        let rust = ws.claim(&b, "Rust", Level::Expert, false, true, 2).unwrap();
        assert_eq!(rust, "rust");
        assert_eq!(
            ws.claim(&a, "  rust ", Level::Notions, true, false, 3)
                .unwrap(),
            "rust"
        );
        assert_eq!(ws.skills.len(), 1, "same skill, different spelling");
        assert_eq!(ws.resolve_member("berenice").unwrap().id, b);

        ws.endorse("e1", &a, &b, "RUST", "great reviews", 4)
            .unwrap();
        assert_eq!(ws.endorsement_count(&b, "rust"), 1);
        for (from, to, skill, want) in [
            (&a, &b, "rust", "already endorsed"),
            (&b, &b, "rust", "own skill"),
            (&b, &a, "go", "no skill named"),
        ] {
            let err = ws
                .endorse("e2", from, to, skill, "", 5)
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{err}");
        }
        ws.ensure_skill("Go", &a, 6).unwrap();
        let err = ws
            .endorse("e2", &b, &a, "go", "", 7)
            .unwrap_err()
            .to_string();
        assert!(err.contains("has not claimed"), "{err}");
        assert!("5".parse::<Level>().is_err());
        assert_eq!("Référent".parse::<Level>().unwrap(), Level::Referent);
    }

    #[test]
    fn workspace_round_trips_through_automerge() {
        let alice = Keypair::generate_ed25519();
        let mut ws = workspace(&alice);
        let a = ws.meta.created_by.clone();
        ws.claim(&a, "Gestion de projet", Level::Referent, false, true, 9)
            .unwrap();
        ws.add_community("c1", "Data", &a, 9).unwrap();
        let actor = doc::actor_for(&alice.public().to_peer_id());
        let mut am = doc::create(actor.clone(), &ws).unwrap();
        let (_, back) = doc::load::<Workspace>(&am.save(), actor).unwrap();
        assert_eq!(back, ws);
    }
}
