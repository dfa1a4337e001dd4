//! The write rules: who may turn one state of a document into the next.
//!
//! Every change to a document, made here or received from a peer (perhaps relayed by a third
//! member, perhaps sent by a modified client), is judged by [`check_write`] against the typed
//! model just before it and just after it, for its verified author. The rules common to every
//! kind come first (the header is immutable, a creation is by the header's creator, a private
//! document is written only by its participants, a personal one only by its owner), then the
//! rules of the document's kind, one function per kind below. The model methods refuse the same
//! moves for the local API; where both say no they share the message, defined here.
//!
//! The rules are a pure function of `before`, `after` and the author: they must never do IO,
//! read a clock or consult anything else, so that every honest device judges a change the same
//! way whenever and from whomever it arrives.

use std::collections::BTreeMap;

use crate::{
    ActionItem, Contribution, DocMeta, DomainError, Mentoring, Note, Review, ReviewStatus, Scope,
    Session, SessionStatus, Thread, TypedDoc, Workspace, claim_key,
};

/// The verified author of a change, as the write rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Author<'a> {
    /// Member id (the device PeerId whose key signed the change).
    pub id: &'a str,
    /// Whether the membership log ever made this member an admin (a monotonic fact, so every
    /// honest device judges a change the same way whenever it arrives).
    pub admin: bool,
}

/// Checks that `by` may turn `before` (None: the change creates the document) into `after`.
pub fn check_write<T: TypedDoc>(
    before: Option<&T>,
    after: &T,
    by: Author<'_>,
) -> Result<(), DomainError> {
    common(before.map(TypedDoc::meta), after.meta(), by)?;
    T::check_write(before, after, by)
}

// Messages shared with the model methods that refuse the same move for the local API.
pub(crate) const ACCEPT: &str = "only the author of the thread can accept an answer";
pub(crate) const MENTORING_PARTICIPANTS: &str =
    "only the mentor and the mentee can change this relationship";
pub(crate) const REVIEW_WRITE: &str = "only the reviewer writes the review";
pub(crate) const REVIEW_SUBMIT: &str = "only the reviewer submits the review";
pub(crate) const REVIEW_FROZEN: &str = "this review was submitted and can no longer be changed";
pub(crate) const REVIEW_ACKNOWLEDGE: &str =
    "only the person who asked for the review acknowledges it";
pub(crate) const SELF_CONFIRM: &str =
    "you cannot confirm your own contribution; one of the people who received it does";
pub(crate) const CONFIRM_RECEIVER: &str = "only someone who received this time can confirm it";
pub(crate) const SESSION_RUN: &str = "only the session's hosts and facilitators can run it";
pub(crate) const SESSION_CREDIT: &str = "a session credits, when it closes, its hosts, facilitators \
                                          and speakers, as such, for at most its planned minutes, \
                                          to those who came";
pub(crate) const SKILL_MERGE: &str =
    "only an admin merges a skill, into one of the catalogue that is not itself merged";
pub(crate) const RELAYS: &str = "only an admin may change the workspace's relays";
pub(crate) const SESSION_PLAN_FROZEN: &str = "a session's plan cannot change once it has started";
pub(crate) const SESSION_CLOSING: &str =
    "who came and the takeaway note are recorded when the session closes";
pub(crate) const SESSION_ACTIONS: &str =
    "only the session's hosts and participants can complete its actions";
pub(crate) const SESSION_CLOSED_STEPS: &str =
    "the session is closed; its steps can no longer change";

fn refuse(rule: &str) -> Result<(), DomainError> {
    Err(DomainError::forbidden(rule))
}

/// Refuses with `rule` unless `allowed`.
fn require(allowed: bool, rule: &str) -> Result<(), DomainError> {
    if allowed { Ok(()) } else { refuse(rule) }
}

/// The rules every kind shares, on the headers before and after the change.
fn common(before: Option<&DocMeta>, after: &DocMeta, by: Author<'_>) -> Result<(), DomainError> {
    match before {
        // `doc::change` and the sync engine refuse a header edit already; a rule that let one
        // through would judge every later change against a header nobody signed.
        Some(before) => require(before == after, "a document's header cannot be changed")?,
        None => require(
            by.id == after.created_by,
            "only the creator named in its header may create a document",
        )?,
    }
    match after.parsed_scope()? {
        Scope::Private => require(
            after.participants.iter().any(|p| p == by.id),
            "only a participant may change a private document",
        ),
        Scope::Personal(owner) => require(
            owner == by.id,
            "only its owner may change a personal document",
        ),
        Scope::Workspace | Scope::Community(_) => Ok(()),
    }
}

/// One entry of a keyed collection that differs between before and after.
enum Edit<'a, V> {
    Created(&'a V),
    Changed(&'a V, &'a V),
    Removed(&'a V),
}

/// The entries of a map that were created, changed or removed.
fn map_edits<'a, V: PartialEq>(
    before: &'a BTreeMap<String, V>,
    after: &'a BTreeMap<String, V>,
) -> impl Iterator<Item = (&'a str, Edit<'a, V>)> {
    let removed = before
        .iter()
        .filter(|(k, _)| !after.contains_key(*k))
        .map(|(k, v)| (k.as_str(), Edit::Removed(v)));
    let rest = after.iter().filter_map(|(k, new)| match before.get(k) {
        None => Some((k.as_str(), Edit::Created(new))),
        Some(old) if old != new => Some((k.as_str(), Edit::Changed(old, new))),
        Some(_) => None,
    });
    removed.chain(rest)
}

/// The entries of a list, matched by id, that were created, changed or removed. Entries that
/// share an id (possible only if two changes inserted the same id concurrently) are matched in
/// order, so such a pair never freezes the document: each later change is still judged by what
/// it did.
fn list_edits<'a, V: PartialEq>(
    before: &'a [V],
    after: &'a [V],
    id: impl Fn(&'a V) -> &'a str,
) -> Vec<Edit<'a, V>> {
    let mut by_id: BTreeMap<&str, (Vec<&V>, Vec<&V>)> = BTreeMap::new();
    for v in before {
        by_id.entry(id(v)).or_default().0.push(v);
    }
    for v in after {
        by_id.entry(id(v)).or_default().1.push(v);
    }
    let mut edits = Vec::new();
    for (old, new) in by_id.into_values() {
        for i in 0..old.len().max(new.len()) {
            match (old.get(i), new.get(i)) {
                (Some(o), Some(n)) if o != n => edits.push(Edit::Changed(*o, *n)),
                (Some(o), None) => edits.push(Edit::Removed(*o)),
                (None, Some(n)) => edits.push(Edit::Created(*n)),
                _ => {}
            }
        }
    }
    edits
}

/// The workspace: profiles by their member, catalogue entries and communities by whoever added
/// them (or an admin), claims by their member, endorsements and kudos by their giver.
pub(crate) fn workspace(
    before: Option<&Workspace>,
    after: &Workspace,
    by: Author<'_>,
) -> Result<(), DomainError> {
    // A new workspace is judged as if everything in it were added to an empty one: its name,
    // too, is set by an admin (the founder is one from the first entry of the membership log).
    let empty;
    let before = match before {
        Some(b) => b,
        None => {
            empty = Workspace {
                name: String::new(),
                members: BTreeMap::new(),
                skills: BTreeMap::new(),
                claims: BTreeMap::new(),
                endorsements: BTreeMap::new(),
                communities: BTreeMap::new(),
                kudos: BTreeMap::new(),
                relays: Vec::new(),
                ..after.clone()
            };
            &empty
        }
    };
    if before.name != after.name {
        require(by.admin, "only an admin may rename the workspace")?;
    }
    if before.relays != after.relays {
        require(by.admin, RELAYS)?;
    }
    for (id, edit) in map_edits(&before.members, &after.members) {
        require(id == by.id, "only a member may change their own profile")?;
        if let Edit::Created(m) | Edit::Changed(_, m) = edit {
            require(m.id == id, "a profile must be filed under its member's id")?;
        }
    }
    for (_, edit) in map_edits(&before.skills, &after.skills) {
        // A merge redirects everyone's claims, endorsements and links: an admin's decision,
        // into a skill of the catalogue that is not itself merged.
        let (was, now) = match edit {
            Edit::Created(s) => (None, s.merged_into.as_deref()),
            Edit::Changed(old, new) => (old.merged_into.as_deref(), new.merged_into.as_deref()),
            Edit::Removed(old) => (old.merged_into.as_deref(), old.merged_into.as_deref()),
        };
        if was != now {
            require(by.admin, SKILL_MERGE)?;
            if let Some(target) = now {
                require(
                    after
                        .skills
                        .get(target)
                        .is_some_and(|t| t.merged_into.is_none()),
                    SKILL_MERGE,
                )?;
            }
        }
        match edit {
            Edit::Created(s) => require(
                s.created_by == by.id,
                "a skill must be added to the catalogue in its creator's own name",
            )?,
            Edit::Changed(old, _) | Edit::Removed(old) => require(
                old.created_by == by.id || by.admin,
                "only whoever added a skill, or an admin, may change or remove it",
            )?,
        }
    }
    for (key, edit) in map_edits(&before.claims, &after.claims) {
        let (old, new) = match edit {
            Edit::Created(n) => (None, Some(n)),
            Edit::Changed(o, n) => (Some(o), Some(n)),
            Edit::Removed(o) => (Some(o), None),
        };
        for claim in old.into_iter().chain(new) {
            require(
                claim.member == by.id,
                "only a member may change their own skill claims",
            )?;
        }
        if let Some(c) = new {
            require(
                key == claim_key(&c.member, &c.skill),
                "a skill claim must be filed under its member and skill",
            )?;
        }
    }
    for (key, edit) in map_edits(&before.endorsements, &after.endorsements) {
        match edit {
            Edit::Created(e) => {
                require(
                    e.from == by.id,
                    "an endorsement must be given in its giver's own name",
                )?;
                require(
                    e.id == key && key.starts_with(&format!("{}-", e.from)),
                    "an endorsement must be filed under its own id",
                )?;
            }
            Edit::Changed(..) => refuse("an endorsement cannot be changed once given")?,
            Edit::Removed(e) => require(
                e.from == by.id || by.admin,
                "only its giver or an admin may remove an endorsement",
            )?,
        }
    }
    for (_, edit) in map_edits(&before.communities, &after.communities) {
        match edit {
            Edit::Created(c) => require(
                c.created_by == by.id,
                "a community must be created in its creator's own name",
            )?,
            Edit::Changed(old, _) | Edit::Removed(old) => require(
                old.created_by == by.id || by.admin,
                "only a community's creator or an admin may change or remove it",
            )?,
        }
    }
    for (key, edit) in map_edits(&before.kudos, &after.kudos) {
        match edit {
            Edit::Created(k) => {
                require(
                    k.from == by.id,
                    "kudos must be given in their giver's own name",
                )?;
                require(
                    k.id == key && key.starts_with(&format!("{}-", k.from)),
                    "kudos must be filed under their own id",
                )?;
            }
            Edit::Changed(..) => refuse("kudos cannot be changed once given")?,
            Edit::Removed(k) => require(
                k.from == by.id || by.admin,
                "only their giver or an admin may remove kudos",
            )?,
        }
    }
    Ok(())
}

/// A note: anyone who may hold it edits it (a workspace note is a wiki; history shows who), but
/// its author is fixed, its last editor is whoever changed it, and only its author or an admin
/// deletes or restores it.
pub(crate) fn note(before: Option<&Note>, after: &Note, by: Author<'_>) -> Result<(), DomainError> {
    match before {
        Some(b) => require(
            b.author == after.author,
            "a note's author cannot be changed",
        )?,
        None => require(
            after.author == after.meta.created_by,
            "a note's author must be the creator named in its header",
        )?,
    }
    if before != Some(after) {
        require(
            after.updated_by == by.id,
            "a note's last editor must be whoever changed it",
        )?;
    }
    if before.is_none_or(|b| b.body != after.body) {
        crate::note::check_body(after.body.as_str())?;
    }
    if before.is_some_and(|b| b.deleted) != after.deleted {
        require(
            after.author == by.id || by.admin,
            "only a note's author or an admin may delete or restore it",
        )?;
    }
    Ok(())
}

/// A thread: the opening post and the accepted answer belong to its author, each reply to its
/// own author; replies and the thread itself may also be removed by an admin.
pub(crate) fn thread(
    before: Option<&Thread>,
    after: &Thread,
    by: Author<'_>,
) -> Result<(), DomainError> {
    if let Some(b) = before {
        require(
            b.author == after.author,
            "a thread's author cannot be changed",
        )?;
        require(
            b.community == after.community,
            "a thread's community cannot be changed",
        )?;
    }
    require(
        after.author == after.meta.created_by,
        "a thread's author must be the creator named in its header",
    )?;
    let empty;
    let before = match before {
        Some(b) => b,
        None => {
            empty = Thread {
                posts: Vec::new(),
                accepted: None,
                deleted: false,
                ..after.clone()
            };
            &empty
        }
    };
    if before.title != after.title || before.body != after.body {
        require(
            by.id == after.author,
            "only a thread's author may change its opening post",
        )?;
        crate::note::check_body(after.body.as_str())?;
    }
    for edit in list_edits(&before.posts, &after.posts, |p| p.id.as_str()) {
        match edit {
            Edit::Created(p) => require(
                p.author == by.id,
                "a reply must be posted in its author's own name",
            )?,
            Edit::Changed(old, new) => {
                require(
                    old.author == new.author && old.created_at == new.created_at,
                    "a reply's author and time cannot be changed",
                )?;
                require(old.author == by.id, "only a reply's author may change it")?;
            }
            Edit::Removed(p) => require(
                p.author == by.id || by.admin,
                "only a reply's author or an admin may remove it",
            )?,
        }
    }
    if before.accepted != after.accepted {
        require(by.id == after.author, ACCEPT)?;
        if let Some(id) = &after.accepted {
            require(
                after.posts.iter().any(|p| p.id == *id),
                "the accepted answer must be a reply of the thread",
            )?;
        }
    }
    if before.deleted != after.deleted {
        require(
            by.id == after.author || by.admin,
            "only a thread's author or an admin may delete or restore it",
        )?;
    }
    Ok(())
}

/// Contributions (inside mentoring relationships, reviews and sessions): recorded unconfirmed
/// and never by their giver for themselves, then confirmed once, by a receiver in their own
/// name; never otherwise changed, never removed. `new` adds the rules of the kind for a new one.
fn contributions(
    before: &[Contribution],
    after: &[Contribution],
    by: Author<'_>,
    new: impl Fn(&Contribution) -> Result<(), DomainError>,
) -> Result<(), DomainError> {
    for edit in list_edits(before, after, |c| c.id.as_str()) {
        match edit {
            Edit::Created(c) => {
                require(
                    c.confirmed_by.is_none() && c.confirmed_at.is_none(),
                    "a new contribution cannot already be confirmed",
                )?;
                require(
                    !c.receivers.contains(&c.giver),
                    "a contribution's giver cannot be one of its receivers",
                )?;
                new(c)?;
            }
            Edit::Changed(old, new) => {
                require(
                    unconfirmed(old) == unconfirmed(new),
                    "a contribution cannot be changed, only confirmed",
                )?;
                require(
                    old.confirmed_by.is_none() && old.confirmed_at.is_none(),
                    "a confirmation cannot be undone",
                )?;
                let Some(who) = new
                    .confirmed_by
                    .as_deref()
                    .filter(|_| new.confirmed_at.is_some())
                else {
                    return refuse("a confirmation names who confirmed and when");
                };
                require(
                    who == by.id,
                    "a contribution can only be confirmed in one's own name",
                )?;
                require(who != old.giver, SELF_CONFIRM)?;
                require(old.receivers.iter().any(|r| r == who), CONFIRM_RECEIVER)?;
            }
            Edit::Removed(_) => refuse("a contribution cannot be removed")?,
        }
    }
    Ok(())
}

/// The contribution with its confirmation left out: what may never change.
fn unconfirmed(c: &Contribution) -> Contribution {
    Contribution {
        confirmed_by: None,
        confirmed_at: None,
        ..c.clone()
    }
}

/// Action items (inside mentoring relationships and sessions): what was committed to never
/// changes and none is removed; `new` judges a new one and `complete` whoever marks one done or
/// open again, as the kind says.
fn action_items(
    before: &[ActionItem],
    after: &[ActionItem],
    new: impl Fn(&ActionItem) -> Result<(), DomainError>,
    complete: impl Fn() -> Result<(), DomainError>,
) -> Result<(), DomainError> {
    for edit in list_edits(before, after, |a| a.id.as_str()) {
        match edit {
            Edit::Created(a) => new(a)?,
            Edit::Changed(old, new) => {
                require(
                    old.text == new.text
                        && old.owner == new.owner
                        && old.due == new.due
                        && old.created_at == new.created_at,
                    "an action item's text, owner, due date and creation time cannot be changed",
                )?;
                complete()?;
            }
            Edit::Removed(_) => refuse("an action item cannot be removed")?,
        }
    }
    Ok(())
}

/// A mentoring relationship: written by its two participants only, each session logged in its
/// logger's own name, its time given by one participant to the other.
pub(crate) fn mentoring(
    before: Option<&Mentoring>,
    after: &Mentoring,
    by: Author<'_>,
) -> Result<(), DomainError> {
    if let Some(b) = before {
        require(
            b.kind == after.kind && b.mentor == after.mentor && b.mentee == after.mentee,
            "a mentoring relationship's kind, mentor and mentee cannot be changed",
        )?;
    }
    require(
        by.id == after.mentor || by.id == after.mentee,
        MENTORING_PARTICIPANTS,
    )?;
    let empty;
    let before = match before {
        Some(b) => b,
        None => {
            empty = Mentoring {
                sessions: Vec::new(),
                actions: Vec::new(),
                contributions: Vec::new(),
                ..after.clone()
            };
            &empty
        }
    };
    for edit in list_edits(&before.sessions, &after.sessions, |s| s.id.as_str()) {
        match edit {
            Edit::Created(s) => require(
                s.logged_by == by.id,
                "a mentoring session must be logged in one's own name",
            )?,
            Edit::Changed(old, new) => require(
                old.date == new.date
                    && old.minutes == new.minutes
                    && old.logged_by == new.logged_by,
                "a logged session's date, length and author cannot be changed",
            )?,
            Edit::Removed(_) => {}
        }
    }
    // Both participants may add and complete actions: the private scope already says who.
    action_items(&before.actions, &after.actions, |_| Ok(()), || Ok(()))?;
    contributions(&before.contributions, &after.contributions, by, |c| {
        let other = after.other(&c.giver);
        require(
            (c.giver == after.mentor || c.giver == after.mentee) && c.receivers == [other],
            "a mentoring contribution goes from one participant to the other",
        )
    })
}

/// A peer review: requested by its requester, written and submitted by its reviewer, then
/// frozen but for the requester's acknowledgement and the confirmation of the reviewer's time.
pub(crate) fn review(
    before: Option<&Review>,
    after: &Review,
    by: Author<'_>,
) -> Result<(), DomainError> {
    let empty;
    let before = match before {
        Some(b) => {
            require(
                b.requester == after.requester
                    && b.reviewer == after.reviewer
                    && b.about == after.about
                    && b.template == after.template
                    && b.criteria == after.criteria,
                "a review's requester, reviewer, subject, template and criteria cannot be changed",
            )?;
            b
        }
        None => {
            require(
                after.requester == after.meta.created_by,
                "a review must be requested by the creator named in its header",
            )?;
            require(
                after.reviewer != after.requester,
                "a review's reviewer cannot be its requester",
            )?;
            empty = Review {
                answers: BTreeMap::new(),
                ratings: BTreeMap::new(),
                status: ReviewStatus::Requested.as_str().to_owned(),
                submitted_at: None,
                acknowledged_at: None,
                reply: String::new(),
                contributions: Vec::new(),
                ..after.clone()
            };
            &empty
        }
    };
    let requested = ReviewStatus::Requested.as_str();
    let submitted = ReviewStatus::Submitted.as_str();
    let writable = before.status == requested;
    let submitting = writable && after.status == submitted;
    let acknowledging =
        before.status == submitted && after.status == ReviewStatus::Acknowledged.as_str();
    if submitting {
        require(by.id == after.reviewer, REVIEW_SUBMIT)?;
    } else if acknowledging {
        require(by.id == after.requester, REVIEW_ACKNOWLEDGE)?;
    } else {
        require(
            before.status == after.status,
            "a review's status only moves from requested to submitted to acknowledged",
        )?;
    }
    if before.answers != after.answers || before.ratings != after.ratings {
        require(by.id == after.reviewer, REVIEW_WRITE)?;
        require(writable, REVIEW_FROZEN)?;
    }
    let submission_time = if submitting {
        before.submitted_at.is_none() && after.submitted_at.is_some()
    } else {
        before.submitted_at == after.submitted_at
    };
    require(
        submission_time,
        "a review's submission time is set when it is submitted, and only then",
    )?;
    let acknowledgement_time = if acknowledging {
        before.acknowledged_at.is_none() && after.acknowledged_at.is_some()
    } else {
        before.acknowledged_at == after.acknowledged_at
    };
    require(
        acknowledgement_time,
        "a review's acknowledgement time is set when it is acknowledged, and only then",
    )?;
    if before.reply != after.reply {
        require(
            by.id == after.requester,
            "only the person who asked for the review can reply to it",
        )?;
        require(writable || acknowledging, REVIEW_FROZEN)?;
    }
    contributions(&before.contributions, &after.contributions, by, |c| {
        require(
            submitting,
            "a review's contribution is recorded when it is submitted",
        )?;
        require(
            c.giver == after.reviewer && c.receivers == [after.requester.as_str()],
            "a review's contribution goes from its reviewer to its requester",
        )
    })
}

/// A session: planned by its hosts, run by its hosts and facilitators (planned → running →
/// closed), its actions completed by anyone involved, its time confirmed by a receiver.
pub(crate) fn session(
    before: Option<&Session>,
    after: &Session,
    by: Author<'_>,
) -> Result<(), DomainError> {
    // A new session is judged as planned by its creator and run from nothing: its plan is
    // whatever the creator wrote, anything already run needs a host or a facilitator.
    let empty;
    let before = match before {
        Some(b) => b,
        None => {
            empty = Session {
                status: SessionStatus::Planned.as_str().to_owned(),
                steps: Vec::new(),
                takeaways: Vec::new(),
                rating: None,
                actions: Vec::new(),
                contributions: Vec::new(),
                started_at: None,
                closed_at: None,
                attended: Vec::new(),
                takeaway_note: None,
                ..after.clone()
            };
            &empty
        }
    };
    // Who may do what is read from `before`: a change cannot grant its own author a role.
    let runner = before.may_run(by.id);
    let planned = before.format == after.format
        && before.title == after.title
        && before.at == after.at
        && before.minutes == after.minutes
        && before.hosts == after.hosts
        && before.participants == after.participants
        && before.skills == after.skills;
    if !planned {
        require(
            before.hosts.iter().any(|h| h == by.id),
            "only a session's hosts can change its plan",
        )?;
        // Who gives and who receives is read from the plan: it is fixed before anyone runs.
        require(
            before.status == SessionStatus::Planned.as_str(),
            SESSION_PLAN_FROZEN,
        )?;
    }
    let ran = before.status != after.status
        || before.steps != after.steps
        || before.started_at != after.started_at
        || before.closed_at != after.closed_at
        || before.takeaways != after.takeaways
        || before.rating != after.rating;
    if ran {
        require(runner, SESSION_RUN)?;
    }
    if before.status != after.status {
        let (planned, running, closed) = (
            SessionStatus::Planned.as_str(),
            SessionStatus::Running.as_str(),
            SessionStatus::Closed.as_str(),
        );
        let status = (before.status.as_str(), after.status.as_str());
        require(
            status == (planned, running) || status == (running, closed),
            "a session's status only moves from planned to running to closed",
        )?;
    }
    if before.status == SessionStatus::Closed.as_str() {
        require(before.steps == after.steps, SESSION_CLOSED_STEPS)?;
    }
    let closing = before.status == SessionStatus::Running.as_str()
        && after.status == SessionStatus::Closed.as_str();
    if before.attended != after.attended || before.takeaway_note != after.takeaway_note {
        require(runner, SESSION_RUN)?;
        require(closing, SESSION_CLOSING)?;
    }
    action_items(
        &before.actions,
        &after.actions,
        |_| require(runner, SESSION_RUN),
        || require(before.involves(by.id), SESSION_ACTIONS),
    )?;
    // Those who came, as recorded at the close, less the givers of the plan.
    let givers = before.givers();
    let came: std::collections::BTreeSet<&str> = if after.attended.is_empty() {
        before
            .participants
            .iter()
            .map(|p| p.member.as_str())
            .collect()
    } else {
        after.attended.iter().map(String::as_str).collect()
    };
    let came: std::collections::BTreeSet<&str> = came
        .into_iter()
        .filter(|m| !givers.iter().any(|(g, _)| g == m))
        .collect();
    contributions(&before.contributions, &after.contributions, by, |c| {
        require(runner, SESSION_RUN)?;
        let as_given = givers
            .iter()
            .any(|(g, kind)| *g == c.giver && kind.as_str() == c.kind);
        // One contribution per giver and kind.
        let once = after
            .contributions
            .iter()
            .filter(|o| o.giver == c.giver && o.kind == c.kind)
            .count()
            == 1;
        require(
            closing
                && as_given
                && once
                && c.minutes <= before.minutes
                && c.receivers.iter().all(|r| came.contains(r.as_str())),
            SESSION_CREDIT,
        )
    })
}

#[cfg(test)]
mod tests {
    use autosurgeon::Text;
    use libp2p_identity::Keypair;

    use super::*;
    use crate::entry_key;
    use crate::{
        Closing, ContributionKind, DocKind, Level, Member, MentoringKind, Role, SkillClaim,
        Template,
    };

    // The people of the examples. Ana founded the workspace; whether someone acts as an admin
    // is said by each case, as the membership log would.
    const ANA: u8 = 1;
    const BEN: u8 = 2;
    const CHLOE: u8 = 3;
    const DAN: u8 = 4;
    const EVE: u8 = 5;
    const ADMIN: bool = true;
    const MEMBER: bool = false;
    /// Their names, by number.
    const NAMES: [&str; 6] = ["", "Ana", "Ben", "Chloé", "Dan", "Eve"];

    // Rows of ARCHITECTURE.md's table of write rules that several kinds show.
    const PRIVATE: &str = "every kind: any change to a private document — one of its participants";
    const NEW_CONTRIBUTION: &str =
        "mentoring, review, session: contribution: create — unconfirmed, giver not a receiver";
    const CONFIRM: &str = "mentoring, review, session: contribution: confirm — one of its \
                           receivers, in their own name, never its giver";
    const UPDATED_AT: &str = "thread, session: updated_at — anyone who may hold it";
    const OWN_TIME: &str =
        "you cannot confirm your own contribution; one of the people who received it does";

    fn key(who: u8) -> Keypair {
        Keypair::ed25519_from_bytes([who; 32]).unwrap()
    }

    fn id(who: u8) -> String {
        key(who).public().to_peer_id().to_string()
    }

    fn meta(creator: u8, kind: DocKind, scope: &Scope, participants: &[u8]) -> DocMeta {
        let participants: Vec<String> = participants.iter().map(|p| id(*p)).collect();
        DocMeta::new_signed(&key(creator), "doc", kind, scope, "ws", 0, &participants).unwrap()
    }

    /// Judges the change from `before` to `after` made by `who`, acting as an admin or not:
    /// what went wrong, unless the verdict is `want` (allowed, or refused with exactly that
    /// message).
    fn judge<T: TypedDoc>(
        before: Option<&T>,
        after: &T,
        (who, admin): (u8, bool),
        want: Result<(), &str>,
    ) -> Result<(), String> {
        let me = id(who);
        let got = check_write(before, after, Author { id: &me, admin });
        match (&got, want) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(DomainError::Forbidden(said)), Err(want)) if said == want => Ok(()),
            _ => Err(format!(
                "by {}{}: expected {want:?}, got {got:?}",
                NAMES[usize::from(who)],
                if admin { " (admin)" } else { "" }
            )),
        }
    }

    /// Checks the change from `before` to `after` (None: a creation).
    #[track_caller]
    fn expect<T: TypedDoc>(before: Option<&T>, after: &T, by: (u8, bool), want: Result<(), &str>) {
        if let Err(e) = judge(before, after, by, want) {
            panic!("{e}");
        }
    }

    /// One row of a kind's table: the row of ARCHITECTURE.md's table of write rules it shows,
    /// who makes the change (acting as an admin or not), the change, and the verdict: allowed,
    /// or refused with exactly that message.
    type Row<T> = (
        &'static str,
        (u8, bool),
        fn(&mut T),
        Result<(), &'static str>,
    );

    /// Applies each row's change to a fresh copy of `before` and checks the verdict.
    #[track_caller]
    fn table<T: TypedDoc + Clone>(before: &T, rows: &[Row<T>]) {
        for &(rule, by, edit, want) in rows {
            let mut after = before.clone();
            edit(&mut after);
            if let Err(e) = judge(Some(before), &after, by, want) {
                panic!("{rule}: {e}");
            }
        }
    }

    /// Sets the first contribution confirmed by `who` at `at`, as a client could write it.
    fn confirm_as(contributions: &mut [Contribution], who: u8, at: i64) {
        contributions[0].confirmed_by = Some(id(who));
        contributions[0].confirmed_at = Some(at);
    }

    // ---- Workspace ----

    /// Ana founded it; Ben claims Rust (adding it to the catalogue) and started the Data
    /// community; Chloé endorsed Ben's Rust and thanked him.
    fn workspace() -> Workspace {
        let meta = meta(ANA, DocKind::Workspace, &Scope::Workspace, &[]);
        let mut ws = Workspace::new(meta, "Acme", "Ana", 0).unwrap();
        for (who, name) in [(BEN, "Ben"), (CHLOE, "Chloé")] {
            let member = Member::new(&id(who), name, Role::Member, 0).unwrap();
            ws.members.insert(id(who), member);
        }
        ws.claim(&id(BEN), "Rust", Level::Expert, false, true, 1)
            .unwrap();
        ws.endorse("e1", &id(CHLOE), &id(BEN), "rust", "clear reviews", 2)
            .unwrap();
        ws.give_kudos(
            "k1",
            &id(CHLOE),
            &id(BEN),
            "Thanks for the pairing",
            None,
            3,
        )
        .unwrap();
        ws.add_community("c1", "Data", &id(BEN), 4).unwrap();
        ws
    }

    fn profile(ws: &mut Workspace, of: u8) -> &mut Member {
        ws.member_mut(&id(of)).unwrap()
    }

    /// Files `who`'s profile, with `role`, under the id of `under`.
    fn file_profile(ws: &mut Workspace, under: u8, who: u8, role: Role) {
        let profile = Member::new(&id(who), NAMES[usize::from(who)], role, 5).unwrap();
        ws.members.insert(id(under), profile);
    }

    fn add_synonym(ws: &mut Workspace) {
        let rust = ws.skills.get_mut("rust").unwrap();
        rust.synonyms.push("rustlang".into());
    }

    fn bens_rust(ws: &mut Workspace) -> &mut SkillClaim {
        ws.claims.get_mut(&claim_key(&id(BEN), "rust")).unwrap()
    }

    fn claim_rust(ws: &mut Workspace, who: u8, level: Level, learn: bool, teach: bool) {
        ws.claim(&id(who), "rust", level, learn, teach, 5).unwrap();
    }

    /// Files a claim of `member` on `skill` under the key of `key`'s member and skill.
    fn file_claim(ws: &mut Workspace, key: (u8, &str), (member, skill): (u8, &str)) {
        let claim = SkillClaim {
            member: id(member),
            skill: skill.into(),
            level: 2,
            wants_to_learn: false,
            can_teach: false,
            updated_at: 5,
        };
        ws.claims.insert(claim_key(&id(key.0), key.1), claim);
    }

    fn endorse(ws: &mut Workspace, from: u8) {
        ws.endorse("e2", &id(from), &id(BEN), "rust", "", 5)
            .unwrap();
    }

    fn reword_endorsement(ws: &mut Workspace) {
        ws.endorsements
            .get_mut(&entry_key(&id(CHLOE), "e1"))
            .unwrap()
            .comment = "brilliant".into();
    }

    fn remove_endorsement(ws: &mut Workspace) {
        drop(ws.endorsements.remove(&entry_key(&id(CHLOE), "e1")));
    }

    fn thank(ws: &mut Workspace, from: u8) {
        ws.give_kudos("k2", &id(from), &id(CHLOE), "Great workshop", None, 5)
            .unwrap();
    }

    fn remove_kudos(ws: &mut Workspace) {
        drop(ws.kudos.remove(&entry_key(&id(CHLOE), "k1")));
    }

    fn add_design(ws: &mut Workspace) {
        ws.add_community("c2", "Design", &id(CHLOE), 5).unwrap();
    }

    fn rename_community(ws: &mut Workspace) {
        ws.communities.get_mut("c1").unwrap().name = "Data & AI".into();
    }

    #[test]
    fn a_workspace_is_created_by_its_founder_as_an_admin() {
        let meta = meta(ANA, DocKind::Workspace, &Scope::Workspace, &[]);
        let ws = Workspace::new(meta, "Acme", "Ana", 0).unwrap();
        expect(None, &ws, (ANA, ADMIN), Ok(()));
        expect(
            None,
            &ws,
            (BEN, ADMIN),
            Err("only the creator named in its header may create a document"),
        );
        expect(
            None,
            &ws,
            (ANA, MEMBER),
            Err("only an admin may rename the workspace"),
        );
    }

    #[test]
    fn workspace_rules() {
        const NAME: &str = "workspace: name — an admin";
        const RELAY: &str = "workspace: relays — an admin";
        const RELAY_ADDR: &str = "/ip4/203.0.113.5/tcp/4001/p2p/12D3KooWRelay";
        const PROFILE: &str = "workspace: profile members[id] — member id only, under its id";
        const SKILL: &str = "workspace: catalogue skill — create: in one's own name; change, \
                             remove: its created_by, or an admin";
        const CLAIM: &str = "workspace: claim — its member (before and after) only, under \
                             claim_key(member, skill)";
        const ENDORSEMENT: &str = "workspace: endorsement — create: in one's own name, under its \
                                   own id; change: nobody; remove: its from, or an admin";
        const KUDOS: &str = "workspace: kudos — create: in one's own name, under its own id; \
                             change: nobody; remove: its from, or an admin";
        const COMMUNITY: &str = "workspace: community — create: in one's own name; change, \
                                 remove: its created_by, or an admin";
        const OWN: &str = "only a member may change their own profile";
        const OWNER: &str = "only whoever added a skill, or an admin, may change or remove it";
        const MERGE: &str = "workspace: catalogue skill: merged_into — an admin, into a skill of \
                             the catalogue not itself merged";
        const OWN_CLAIM: &str = "only a member may change their own skill claims";
        const ENDORSEMENT_ID: &str = "an endorsement must be filed under its own id";
        const REWORD: &str = "an endorsement cannot be changed once given";
        const KUDOS_ID: &str = "kudos must be filed under their own id";
        const CREATOR: &str = "only a community's creator or an admin may change or remove it";
        #[rustfmt::skip]
        let rows: &[Row<Workspace>] = &[
            (NAME, (ANA, ADMIN), |ws| ws.name = "Acme Lab".into(), Ok(())),
            (NAME, (BEN, MEMBER), |ws| ws.name = "Ben's place".into(),
                Err("only an admin may rename the workspace")),
            (RELAY, (ANA, ADMIN), |ws| ws.relays.push(RELAY_ADDR.into()), Ok(())),
            (RELAY, (BEN, MEMBER), |ws| ws.relays.push(RELAY_ADDR.into()), Err(RELAYS)),
            (PROFILE, (BEN, MEMBER), |ws| profile(ws, BEN).title = "Data engineer".into(), Ok(())),
            (PROFILE, (CHLOE, MEMBER), |ws| profile(ws, BEN).title = "Intern".into(), Err(OWN)),
            // Rights come from the membership log, not from a profile: not even an admin writes
            // someone else's.
            (PROFILE, (ANA, ADMIN), |ws| profile(ws, BEN).role = "admin".into(), Err(OWN)),
            (PROFILE, (CHLOE, MEMBER), |ws| drop(ws.members.remove(&id(BEN))), Err(OWN)),
            (PROFILE, (BEN, MEMBER), |ws| drop(ws.members.remove(&id(BEN))), Ok(())),
            (PROFILE, (DAN, MEMBER), |ws| file_profile(ws, DAN, DAN, Role::Member), Ok(())),
            (PROFILE, (ANA, ADMIN), |ws| file_profile(ws, DAN, DAN, Role::Member), Err(OWN)),
            (PROFILE, (DAN, MEMBER), |ws| file_profile(ws, DAN, BEN, Role::Admin),
                Err("a profile must be filed under its member's id")),
            (SKILL, (CHLOE, MEMBER), |ws| drop(ws.ensure_skill("SQL", &id(CHLOE), 5).unwrap()),
                Ok(())),
            (SKILL, (CHLOE, MEMBER), |ws| drop(ws.ensure_skill("SQL", &id(BEN), 5).unwrap()),
                Err("a skill must be added to the catalogue in its creator's own name")),
            (SKILL, (BEN, MEMBER), add_synonym, Ok(())),
            (SKILL, (CHLOE, MEMBER), add_synonym, Err(OWNER)),
            (SKILL, (ANA, ADMIN), add_synonym, Ok(())),
            (SKILL, (CHLOE, MEMBER), |ws| drop(ws.skills.remove("rust")), Err(OWNER)),
            (SKILL, (ANA, ADMIN), |ws| drop(ws.skills.remove("rust")), Ok(())),
            // A merge changes both skills: whoever added each, or an admin.
            (SKILL, (CHLOE, MEMBER), |ws| {
                ws.ensure_skill("Rust language", &id(CHLOE), 5).unwrap();
                ws.merge_skill("rust language", "rust").unwrap();
            }, Err(OWNER)),
            (SKILL, (CHLOE, MEMBER), |ws| {
                ws.ensure_skill("Rust language", &id(CHLOE), 5).unwrap();
                ws.merge_skill("rust", "rust language").unwrap();
            }, Err(SKILL_MERGE)),
            // Not even by its creator, without touching the target: merging is an admin's.
            (MERGE, (BEN, MEMBER), |ws| {
                ws.ensure_skill("Cobol", &id(BEN), 5).unwrap();
                ws.skills.get_mut("rust").unwrap().merged_into = Some("cobol".into());
            }, Err(SKILL_MERGE)),
            (MERGE, (CHLOE, MEMBER), |ws| {
                let mut sql = ws.skills["rust"].clone();
                sql.id = "sql".into();
                sql.created_by = id(CHLOE);
                sql.merged_into = Some("rust".into());
                ws.skills.insert("sql".into(), sql);
            }, Err(SKILL_MERGE)),
            (MERGE, (ANA, ADMIN), |ws| {
                ws.skills.get_mut("rust").unwrap().merged_into = Some("go".into());
            }, Err(SKILL_MERGE)),
            (SKILL, (ANA, ADMIN), |ws| {
                ws.ensure_skill("Rust language", &id(ANA), 5).unwrap();
                ws.merge_skill("rust", "rust language").unwrap();
            }, Ok(())),
            (SKILL, (BEN, MEMBER), |ws| drop(ws.label_skill("rust", None, Some("Rouille")).unwrap()),
                Ok(())),
            (SKILL, (CHLOE, MEMBER), |ws| drop(ws.alias_skill("rust", "Rouille").unwrap()),
                Err(OWNER)),
            (CLAIM, (BEN, MEMBER), |ws| claim_rust(ws, BEN, Level::Referent, false, true), Ok(())),
            (CLAIM, (CHLOE, MEMBER), |ws| claim_rust(ws, CHLOE, Level::Notions, true, false),
                Ok(())),
            (CLAIM, (CHLOE, MEMBER), |ws| bens_rust(ws).level = 1, Err(OWN_CLAIM)),
            (CLAIM, (CHLOE, MEMBER), |ws| file_claim(ws, (ANA, "rust"), (ANA, "rust")),
                Err(OWN_CLAIM)),
            (CLAIM, (CHLOE, MEMBER), |ws| drop(ws.claims.remove(&claim_key(&id(BEN), "rust"))),
                Err(OWN_CLAIM)),
            (CLAIM, (BEN, MEMBER), |ws| bens_rust(ws).member = id(CHLOE), Err(OWN_CLAIM)),
            (CLAIM, (CHLOE, MEMBER), |ws| file_claim(ws, (CHLOE, "go"), (CHLOE, "rust")),
                Err("a skill claim must be filed under its member and skill")),
            (ENDORSEMENT, (ANA, MEMBER), |ws| endorse(ws, ANA), Ok(())),
            // Ben vouching for himself in Ana's name.
            (ENDORSEMENT, (BEN, MEMBER), |ws| endorse(ws, ANA),
                Err("an endorsement must be given in its giver's own name")),
            (ENDORSEMENT, (ANA, MEMBER), |ws| {
                endorse(ws, ANA);
                let e = ws.endorsements.remove(&entry_key(&id(ANA), "e2")).unwrap();
                ws.endorsements.insert(entry_key(&id(ANA), "e3"), e);
            }, Err(ENDORSEMENT_ID)),
            // Under a key of someone else's (where, written concurrently with theirs, it could
            // replace it).
            (ENDORSEMENT, (ANA, MEMBER), |ws| {
                endorse(ws, ANA);
                let mut e = ws.endorsements.remove(&entry_key(&id(ANA), "e2")).unwrap();
                e.id = entry_key(&id(CHLOE), "e9");
                ws.endorsements.insert(e.id.clone(), e);
            }, Err(ENDORSEMENT_ID)),
            (ENDORSEMENT, (CHLOE, MEMBER), reword_endorsement, Err(REWORD)),
            (ENDORSEMENT, (ANA, ADMIN), reword_endorsement, Err(REWORD)),
            (ENDORSEMENT, (BEN, MEMBER), remove_endorsement,
                Err("only its giver or an admin may remove an endorsement")),
            (ENDORSEMENT, (CHLOE, MEMBER), remove_endorsement, Ok(())),
            (ENDORSEMENT, (ANA, ADMIN), remove_endorsement, Ok(())),
            (KUDOS, (BEN, MEMBER), |ws| thank(ws, BEN), Ok(())),
            (KUDOS, (CHLOE, MEMBER), |ws| thank(ws, BEN),
                Err("kudos must be given in their giver's own name")),
            (KUDOS, (BEN, MEMBER), |ws| {
                thank(ws, BEN);
                let k = ws.kudos.remove(&entry_key(&id(BEN), "k2")).unwrap();
                ws.kudos.insert(entry_key(&id(BEN), "k3"), k);
            }, Err(KUDOS_ID)),
            (KUDOS, (BEN, MEMBER), |ws| {
                thank(ws, BEN);
                let mut k = ws.kudos.remove(&entry_key(&id(BEN), "k2")).unwrap();
                k.id = entry_key(&id(CHLOE), "k9");
                ws.kudos.insert(k.id.clone(), k);
            }, Err(KUDOS_ID)),
            (KUDOS, (CHLOE, ADMIN), |ws| {
                let first = ws.kudos.get_mut(&entry_key(&id(CHLOE), "k1")).unwrap();
                first.message = "Thanks for everything".into();
            }, Err("kudos cannot be changed once given")),
            (KUDOS, (BEN, MEMBER), remove_kudos,
                Err("only their giver or an admin may remove kudos")),
            (KUDOS, (CHLOE, MEMBER), remove_kudos, Ok(())),
            (KUDOS, (ANA, ADMIN), remove_kudos, Ok(())),
            (COMMUNITY, (CHLOE, MEMBER), add_design, Ok(())),
            (COMMUNITY, (BEN, MEMBER), add_design,
                Err("a community must be created in its creator's own name")),
            (COMMUNITY, (CHLOE, MEMBER), rename_community, Err(CREATOR)),
            (COMMUNITY, (BEN, MEMBER), rename_community, Ok(())),
            (COMMUNITY, (ANA, ADMIN), rename_community, Ok(())),
            (COMMUNITY, (CHLOE, MEMBER), |ws| drop(ws.communities.remove("c1")), Err(CREATOR)),
            (COMMUNITY, (ANA, ADMIN), |ws| drop(ws.communities.remove("c1")), Ok(())),
        ];
        table(&workspace(), rows);
    }

    // ---- Notes, and the rules common to every kind ----

    /// Ana's note; private ones are shared with Ben.
    fn note(scope: &Scope) -> Note {
        let participants: &[u8] = if *scope == Scope::Private {
            &[ANA, BEN]
        } else {
            &[]
        };
        let meta = meta(ANA, DocKind::Note, scope, participants);
        Note::new(meta, "Onboarding", "Read the runbook.", &[], &[]).unwrap()
    }

    /// An edit of the body as `who` makes it, naming themselves as the last editor.
    fn edit_as(n: &mut Note, who: u8) {
        n.set_body("Read the runbook, then pair with someone.")
            .unwrap();
        n.updated_by = id(who);
    }

    /// Deleting or restoring the note as `who` does it.
    fn delete_as(n: &mut Note, who: u8) {
        n.deleted = !n.deleted;
        n.updated_by = id(who);
    }

    #[test]
    fn a_note_is_created_by_the_creator_named_in_its_header() {
        let n = note(&Scope::Workspace);
        expect(None, &n, (ANA, MEMBER), Ok(()));
        expect(
            None,
            &n,
            (BEN, ADMIN),
            Err("only the creator named in its header may create a document"),
        );
        // What an import keeping another person's authorship would write.
        let mut imported = note(&Scope::Workspace);
        imported.author = id(BEN);
        imported.updated_by = id(BEN);
        expect(
            None,
            &imported,
            (ANA, MEMBER),
            Err("a note's author must be the creator named in its header"),
        );
    }

    #[test]
    fn note_rules() {
        const HEADER: &str = "every kind: the header (meta) — nobody";
        const PERSONAL: &str = "every kind: any change to a personal document — its owner";
        const AUTHOR: &str = "note: author — nobody changes it";
        const UPDATED_BY: &str = "note: updated_by — the change's author, and nobody else";
        const DELETED: &str = "note: deleted (either way) — the note's author, or an admin";
        const WIKI: &str = "note: title, body, tags, skills — anyone who may hold it";
        const LAST_EDITOR: &str = "a note's last editor must be whoever changed it";
        const DELETE: &str = "only a note's author or an admin may delete or restore it";
        #[rustfmt::skip]
        let in_workspace: &[Row<Note>] = &[
            (HEADER, (ANA, ADMIN), |n| n.meta.created_at += 1,
                Err("a document's header cannot be changed")),
            (WIKI, (BEN, MEMBER), |n| edit_as(n, BEN), Ok(())),
            (UPDATED_BY, (BEN, MEMBER), |n| edit_as(n, ANA), Err(LAST_EDITOR)),
            (UPDATED_BY, (BEN, MEMBER), |n| n.add_tag("howto").unwrap(), Err(LAST_EDITOR)),
            (AUTHOR, (ANA, ADMIN), |n| n.author = id(BEN),
                Err("a note's author cannot be changed")),
            (DELETED, (BEN, MEMBER), |n| delete_as(n, BEN), Err(DELETE)),
            (DELETED, (ANA, MEMBER), |n| delete_as(n, ANA), Ok(())),
            (DELETED, (CHLOE, ADMIN), |n| delete_as(n, CHLOE), Ok(())),
        ];
        table(&note(&Scope::Workspace), in_workspace);
        #[rustfmt::skip]
        let private: &[Row<Note>] = &[
            (PRIVATE, (BEN, MEMBER), |n| edit_as(n, BEN), Ok(())),
            (PRIVATE, (CHLOE, ADMIN), |n| edit_as(n, CHLOE),
                Err("only a participant may change a private document")),
        ];
        table(&note(&Scope::Private), private);
        #[rustfmt::skip]
        let personal: &[Row<Note>] = &[
            (PERSONAL, (ANA, MEMBER), |n| edit_as(n, ANA), Ok(())),
            (PERSONAL, (BEN, ADMIN), |n| edit_as(n, BEN),
                Err("only its owner may change a personal document")),
        ];
        table(&note(&Scope::Personal(id(ANA))), personal);
        #[rustfmt::skip]
        let restore: &[Row<Note>] = &[
            (DELETED, (BEN, MEMBER), |n| delete_as(n, BEN), Err(DELETE)),
            (DELETED, (ANA, MEMBER), |n| delete_as(n, ANA), Ok(())),
        ];
        let mut deleted = note(&Scope::Workspace);
        deleted.deleted = true;
        table(&deleted, restore);
    }

    // ---- Threads ----

    /// Ana asks in the Data community; Ben replied `p1`.
    fn thread() -> Thread {
        let meta = meta(ANA, DocKind::Thread, &Scope::Community("c1".into()), &[]);
        let mut t = Thread::new(meta, "c1", "How to profile?", "perf or valgrind?").unwrap();
        t.reply("p1", &id(BEN), "perf", 1).unwrap();
        t
    }

    fn reword_reply(t: &mut Thread) {
        t.posts[0].body.update("perf, then a flamegraph");
    }

    fn remove_reply(t: &mut Thread) {
        drop(t.posts.remove(0));
    }

    #[test]
    fn a_thread_is_opened_in_its_creators_name() {
        let mut t = thread();
        t.posts.clear();
        expect(None, &t, (ANA, MEMBER), Ok(()));
        t.author = id(BEN);
        expect(
            None,
            &t,
            (ANA, MEMBER),
            Err("a thread's author must be the creator named in its header"),
        );
    }

    #[test]
    fn thread_rules() {
        const FIXED: &str = "thread: author, community — nobody changes them";
        const OPENING: &str = "thread: opening post (title, body) — the thread's author";
        const ACCEPTED: &str =
            "thread: accepted — the thread's author; it names an existing reply (or none)";
        const DELETED: &str = "thread: deleted — the thread's author, or an admin";
        const REPLY: &str = "thread: reply — create: in one's own name; body: its author (its \
                             author and created_at never change); remove: its author, or an admin";
        const REPLY_AUTHOR: &str = "only a reply's author may change it";
        const REPLY_FIXED: &str = "a reply's author and time cannot be changed";
        const OPENING_POST: &str = "only a thread's author may change its opening post";
        const DELETE: &str = "only a thread's author or an admin may delete or restore it";
        #[rustfmt::skip]
        let rows: &[Row<Thread>] = &[
            (FIXED, (ANA, MEMBER), |t| t.author = id(BEN),
                Err("a thread's author cannot be changed")),
            (FIXED, (ANA, ADMIN), |t| t.community = "c2".into(),
                Err("a thread's community cannot be changed")),
            (REPLY, (CHLOE, MEMBER), |t| t.reply("p2", &id(CHLOE), "valgrind", 5).unwrap(), Ok(())),
            (REPLY, (CHLOE, MEMBER), |t| t.reply("p2", &id(BEN), "I was wrong", 5).unwrap(),
                Err("a reply must be posted in its author's own name")),
            (REPLY, (BEN, MEMBER), reword_reply, Ok(())),
            (REPLY, (CHLOE, MEMBER), reword_reply, Err(REPLY_AUTHOR)),
            (REPLY, (ANA, ADMIN), reword_reply, Err(REPLY_AUTHOR)),
            (REPLY, (BEN, MEMBER), |t| t.posts[0].author = id(CHLOE), Err(REPLY_FIXED)),
            (REPLY, (BEN, MEMBER), |t| t.posts[0].created_at = 99, Err(REPLY_FIXED)),
            (REPLY, (CHLOE, MEMBER), remove_reply,
                Err("only a reply's author or an admin may remove it")),
            (REPLY, (BEN, MEMBER), remove_reply, Ok(())),
            (REPLY, (CHLOE, ADMIN), remove_reply, Ok(())),
            (ACCEPTED, (ANA, MEMBER), |t| t.accept("p1", &id(ANA), 6).unwrap(), Ok(())),
            // Ben accepting his own answer in Ana's thread.
            (ACCEPTED, (BEN, ADMIN), |t| t.accepted = Some("p1".into()),
                Err("only the author of the thread can accept an answer")),
            (ACCEPTED, (ANA, MEMBER), |t| t.accepted = Some("p9".into()),
                Err("the accepted answer must be a reply of the thread")),
            (OPENING, (ANA, MEMBER), |t| t.title = "How to profile Rust?".into(), Ok(())),
            (OPENING, (BEN, MEMBER), |t| t.body.update("perf or valgrind or dtrace?"),
                Err(OPENING_POST)),
            (OPENING, (BEN, ADMIN), |t| t.body.update("perf or valgrind or dtrace?"),
                Err(OPENING_POST)),
            (UPDATED_AT, (BEN, MEMBER), |t| t.updated_at = 9, Ok(())),
            (DELETED, (BEN, MEMBER), |t| t.deleted = true, Err(DELETE)),
            (DELETED, (ANA, MEMBER), |t| t.deleted = true, Ok(())),
            (DELETED, (CHLOE, ADMIN), |t| t.deleted = true, Ok(())),
        ];
        table(&thread(), rows);
    }

    // ---- Mentoring, with the rules shared by contributions and action items ----

    /// Ana mentors Ben; Ben logged a session (`log1`) with one action (`a1`) and the 45
    /// minutes Ana gave him (`c1`), not yet confirmed.
    fn mentoring() -> Mentoring {
        let meta = meta(ANA, DocKind::Mentoring, &Scope::Private, &[ANA, BEN]);
        let mut m = Mentoring::new(meta, MentoringKind::Mentoring, &id(ANA), &id(BEN), 14).unwrap();
        let mut ids = ["log1", "a1", "c1"].into_iter().map(String::from);
        m.log_session(
            &mut || ids.next().unwrap_or_default(),
            &id(BEN),
            0,
            45,
            "We reviewed the RFC.",
            vec![],
            &["Draft v2".into()],
            1,
        )
        .unwrap();
        m
    }

    fn log(m: &mut Mentoring, who: u8) {
        let mut n = 0;
        let mut ids = || {
            n += 1;
            format!("new{n}")
        };
        m.log_session(&mut ids, &id(who), 0, 30, "Pairing.", vec![], &[], 5)
            .unwrap();
    }

    /// 30 minutes of mentoring, not yet confirmed.
    fn given(giver: u8, receiver: u8) -> Contribution {
        Contribution::new(
            "c9",
            ContributionKind::Mentoring,
            &id(giver),
            vec![id(receiver)],
            30,
            5,
        )
    }

    #[test]
    fn mentoring_rules() {
        const FIXED: &str = "mentoring: kind, mentor, mentee — nobody changes them";
        const THE_TWO: &str = "mentoring: everything else — the mentor or the mentee";
        const LOG: &str = "mentoring: session log — create: with logged_by = its author; its \
                           date, minutes, logged_by never change";
        const GIVEN: &str =
            "mentoring: contribution: create — giver one participant, receivers exactly the other";
        const SETTLED: &str = "mentoring, review, session: contribution: anything else, undoing \
                               a confirmation, remove — nobody";
        const COMMITTED: &str = "mentoring, session: action item: text, owner, due, created_at, \
                                 remove — nobody";
        const RELATIONSHIP: &str =
            "a mentoring relationship's kind, mentor and mentee cannot be changed";
        const LOGGED: &str = "a logged session's date, length and author cannot be changed";
        const ONLY_CONFIRMED: &str = "a contribution cannot be changed, only confirmed";
        const COMMITMENT: &str =
            "an action item's text, owner, due date and creation time cannot be changed";
        #[rustfmt::skip]
        let rows: &[Row<Mentoring>] = &[
            (THE_TWO, (BEN, MEMBER), |m| {
                m.add_goal("g1", "Lead a design review", &id(BEN), 5).unwrap()
            }, Ok(())),
            (PRIVATE, (CHLOE, ADMIN), |m| m.updated_at = 9,
                Err("only a participant may change a private document")),
            (FIXED, (ANA, MEMBER), |m| m.mentee = id(CHLOE), Err(RELATIONSHIP)),
            (FIXED, (ANA, MEMBER), |m| m.kind = MentoringKind::Cross.as_str().into(),
                Err(RELATIONSHIP)),
            (LOG, (ANA, MEMBER), |m| log(m, ANA), Ok(())),
            (LOG, (ANA, MEMBER), |m| {
                log(m, ANA);
                m.sessions[1].logged_by = id(BEN);
            }, Err("a mentoring session must be logged in one's own name")),
            (LOG, (BEN, MEMBER), |m| {
                m.sessions[0].notes.update("We reviewed the RFC and the tests.")
            }, Ok(())),
            (LOG, (ANA, MEMBER), |m| m.sessions[0].minutes = 90, Err(LOGGED)),
            (LOG, (ANA, MEMBER), |m| m.sessions[0].date = 7, Err(LOGGED)),
            (LOG, (ANA, MEMBER), |m| m.sessions[0].logged_by = id(ANA), Err(LOGGED)),
            (GIVEN, (ANA, MEMBER), |m| m.contributions.push(given(CHLOE, BEN)),
                Err("a mentoring contribution goes from one participant to the other")),
            (NEW_CONTRIBUTION, (ANA, MEMBER), |m| m.contributions.push(given(ANA, ANA)),
                Err("a contribution's giver cannot be one of its receivers")),
            (NEW_CONTRIBUTION, (ANA, MEMBER), |m| {
                let mut c = given(ANA, BEN);
                c.confirmed_by = Some(id(BEN));
                c.confirmed_at = Some(5);
                m.contributions.push(c);
            }, Err("a new contribution cannot already be confirmed")),
            (CONFIRM, (BEN, MEMBER), |m| m.confirm("c1", &id(BEN), 7).unwrap(), Ok(())),
            // Ana confirming the time she gave herself.
            (CONFIRM, (ANA, MEMBER), |m| confirm_as(&mut m.contributions, ANA, 7), Err(OWN_TIME)),
            (CONFIRM, (ANA, MEMBER), |m| confirm_as(&mut m.contributions, BEN, 7),
                Err("a contribution can only be confirmed in one's own name")),
            (CONFIRM, (BEN, MEMBER), |m| m.contributions[0].confirmed_by = Some(id(BEN)),
                Err("a confirmation names who confirmed and when")),
            (SETTLED, (BEN, MEMBER), |m| m.contributions[0].minutes = 600, Err(ONLY_CONFIRMED)),
            (SETTLED, (BEN, MEMBER), |m| m.contributions[0].giver = id(BEN), Err(ONLY_CONFIRMED)),
            (SETTLED, (BEN, MEMBER), |m| {
                m.confirm("c1", &id(BEN), 7).unwrap();
                m.contributions[0].minutes = 600;
            }, Err(ONLY_CONFIRMED)),
            (SETTLED, (BEN, MEMBER), |m| m.contributions.clear(),
                Err("a contribution cannot be removed")),
            (THE_TWO, (BEN, MEMBER), |m| m.complete_action("a1", &id(BEN), 8).unwrap(), Ok(())),
            (COMMITTED, (ANA, MEMBER), |m| m.actions[0].text = "Draft v3".into(), Err(COMMITMENT)),
            (COMMITTED, (ANA, MEMBER), |m| m.actions[0].owner = id(ANA), Err(COMMITMENT)),
            (COMMITTED, (ANA, MEMBER), |m| m.actions[0].due = Some(86_400_000), Err(COMMITMENT)),
            (COMMITTED, (ANA, MEMBER), |m| m.actions[0].created_at = 0, Err(COMMITMENT)),
            (COMMITTED, (ANA, MEMBER), |m| m.actions.clear(),
                Err("an action item cannot be removed")),
        ];
        table(&mentoring(), rows);
        #[rustfmt::skip]
        let once_confirmed: &[Row<Mentoring>] = &[
            (SETTLED, (BEN, MEMBER), |m| {
                m.contributions[0].confirmed_by = None;
                m.contributions[0].confirmed_at = None;
            }, Err("a confirmation cannot be undone")),
        ];
        let mut confirmed = mentoring();
        confirmed.confirm("c1", &id(BEN), 7).unwrap();
        table(&confirmed, once_confirmed);
    }

    // ---- Reviews ----

    /// Ana asked Ben for a start/stop/continue review; Ben wrote one answer. Later stages:
    /// Ben submitted it with 30 minutes (`c1`), then Ana acknowledged it.
    fn review(stage: ReviewStatus) -> Review {
        let meta = meta(ANA, DocKind::Review, &Scope::Private, &[ANA, BEN]);
        let mut r = Review::request(
            meta,
            &id(BEN),
            "my talk at the guild",
            Template::StartStopContinue,
            &[],
        )
        .unwrap();
        r.write(&id(BEN), &[("start".into(), "Show a demo.".into())], &[], 1)
            .unwrap();
        if stage != ReviewStatus::Requested {
            r.submit("c1", &id(BEN), 30, 2).unwrap();
        }
        if stage == ReviewStatus::Acknowledged {
            r.acknowledge(&id(ANA), "Thanks, noted.", 3).unwrap();
        }
        r
    }

    /// An answer to "stop", as `who` would write it.
    fn answer(r: &mut Review, who: u8) {
        r.answers
            .insert("stop".into(), Text::with_value(format!("said by {who}")));
    }

    fn rewrite_start(r: &mut Review) {
        r.answers
            .get_mut("start")
            .unwrap()
            .update("Show two demos.");
    }

    #[test]
    fn a_review_is_requested_by_its_creator_from_someone_else() {
        let mut r = review(ReviewStatus::Requested);
        r.answers.clear();
        expect(None, &r, (ANA, MEMBER), Ok(()));
        expect(
            None,
            &r,
            (BEN, MEMBER),
            Err("only the creator named in its header may create a document"),
        );
        let mut swapped = r.clone();
        (swapped.requester, swapped.reviewer) = (id(BEN), id(ANA));
        expect(
            None,
            &swapped,
            (ANA, MEMBER),
            Err("a review must be requested by the creator named in its header"),
        );
        let mut alone = r.clone();
        alone.reviewer = id(ANA);
        expect(
            None,
            &alone,
            (ANA, MEMBER),
            Err("a review's reviewer cannot be its requester"),
        );
        let mut prefilled = r.clone();
        prefilled
            .answers
            .insert("continue".into(), Text::with_value("Everything."));
        expect(
            None,
            &prefilled,
            (ANA, MEMBER),
            Err("only the reviewer writes the review"),
        );
    }

    #[test]
    fn review_rules() {
        const FIXED: &str =
            "review: requester, reviewer, about, template, criteria — nobody changes them";
        const WRITE: &str =
            "review: answers, ratings — the reviewer, while the review is requested";
        const STATUS: &str = "review: status — requested → submitted, setting submitted_at: the \
                              reviewer; submitted → acknowledged, setting acknowledged_at: the \
                              requester; anything else: nobody";
        const REPLY: &str =
            "review: reply — the requester; once submitted, only when acknowledging";
        const GIVEN: &str =
            "review: contribution: create — only when submitting: reviewer → [requester]";
        const EITHER: &str = "review: updated_at — either participant";
        const UNCHANGED: &str =
            "a review's requester, reviewer, subject, template and criteria cannot be changed";
        const FROZEN: &str = "this review was submitted and can no longer be changed";
        const SUBMITTED_AT: &str =
            "a review's submission time is set when it is submitted, and only then";
        const ACKNOWLEDGED_AT: &str =
            "a review's acknowledgement time is set when it is acknowledged, and only then";
        const MOVES: &str =
            "a review's status only moves from requested to submitted to acknowledged";
        #[rustfmt::skip]
        let requested: &[Row<Review>] = &[
            (FIXED, (ANA, MEMBER), |r| r.about = "my whole year".into(), Err(UNCHANGED)),
            (WRITE, (BEN, MEMBER), |r| {
                r.write(&id(BEN), &[("stop".into(), "Rushing.".into())], &[], 5).unwrap()
            }, Ok(())),
            (WRITE, (ANA, MEMBER), |r| answer(r, ANA), Err("only the reviewer writes the review")),
            (STATUS, (BEN, MEMBER), |r| r.submit("c1", &id(BEN), 30, 6).unwrap(), Ok(())),
            (STATUS, (ANA, MEMBER), |r| r.submit("c1", &id(BEN), 30, 6).unwrap(),
                Err("only the reviewer submits the review")),
            (STATUS, (BEN, MEMBER), |r| r.status = ReviewStatus::Submitted.as_str().into(),
                Err(SUBMITTED_AT)),
            (STATUS, (BEN, MEMBER), |r| r.status = ReviewStatus::Acknowledged.as_str().into(),
                Err(MOVES)),
            (GIVEN, (BEN, MEMBER), |r| {
                r.submit("c1", &id(BEN), 30, 6).unwrap();
                r.contributions[0].minutes = 600;
                r.contributions[0].receivers = vec![id(ANA), id(CHLOE)];
            }, Err("a review's contribution goes from its reviewer to its requester")),
        ];
        table(&review(ReviewStatus::Requested), requested);
        #[rustfmt::skip]
        let submitted: &[Row<Review>] = &[
            (STATUS, (BEN, MEMBER), |r| r.submitted_at = Some(99), Err(SUBMITTED_AT)),
            (GIVEN, (BEN, MEMBER), |r| {
                let more = Contribution::new(
                    "c2", ContributionKind::Review, &id(BEN), vec![id(ANA)], 60, 6,
                );
                r.contributions.push(more);
            }, Err("a review's contribution is recorded when it is submitted")),
            (STATUS, (ANA, MEMBER), |r| r.acknowledge(&id(ANA), "Thanks, noted.", 7).unwrap(),
                Ok(())),
            (STATUS, (BEN, MEMBER), |r| r.acknowledge(&id(ANA), "Thanks, noted.", 7).unwrap(),
                Err("only the person who asked for the review acknowledges it")),
            (REPLY, (BEN, MEMBER), |r| r.reply = "You're welcome.".into(),
                Err("only the person who asked for the review can reply to it")),
            (REPLY, (ANA, MEMBER), |r| r.reply = "Hmm.".into(), Err(FROZEN)),
            (STATUS, (ANA, MEMBER), |r| r.status = ReviewStatus::Acknowledged.as_str().into(),
                Err(ACKNOWLEDGED_AT)),
            (CONFIRM, (BEN, MEMBER), |r| confirm_as(&mut r.contributions, BEN, 8), Err(OWN_TIME)),
        ];
        table(&review(ReviewStatus::Submitted), submitted);
        #[rustfmt::skip]
        let acknowledged: &[Row<Review>] = &[
            (REPLY, (ANA, MEMBER), |r| r.reply = "On second thought…".into(), Err(FROZEN)),
            (STATUS, (ANA, MEMBER), |r| r.status = ReviewStatus::Submitted.as_str().into(),
                Err(MOVES)),
        ];
        table(&review(ReviewStatus::Acknowledged), acknowledged);
        #[rustfmt::skip]
        let once_submitted: &[Row<Review>] = &[
            (WRITE, (BEN, MEMBER), rewrite_start, Err(FROZEN)),
            (WRITE, (BEN, MEMBER), |r| answer(r, BEN), Err(FROZEN)),
            (CONFIRM, (ANA, MEMBER), |r| r.confirm("c1", &id(ANA), 8).unwrap(), Ok(())),
            (EITHER, (BEN, MEMBER), |r| r.updated_at = 9, Ok(())),
        ];
        for stage in [ReviewStatus::Submitted, ReviewStatus::Acknowledged] {
            table(&review(stage), once_submitted);
        }
    }

    // ---- Sessions ----

    /// An after-action review hosted by Ana, facilitated by Chloé, with Ben and Dan. At later
    /// stages Ana started it, then closed it with one action (`x1`, hers) and the time she
    /// (`x2`) and Chloé (`x3`) gave Ben and Dan.
    fn session(stage: SessionStatus) -> Session {
        let meta = meta(ANA, DocKind::Session, &Scope::Workspace, &[]);
        let people = vec![
            (id(BEN), None),
            (id(CHLOE), Some("facilitator".into())),
            (id(DAN), None),
        ];
        let mut s = Session::plan(
            meta,
            "aar",
            "The launch",
            1000,
            Some(60),
            vec![id(ANA)],
            people,
            vec![],
        )
        .unwrap();
        if stage != SessionStatus::Planned {
            s.start(&id(ANA), 10).unwrap();
        }
        if stage == SessionStatus::Closed {
            let mut n = 0;
            let mut ids = || {
                n += 1;
                format!("x{n}")
            };
            let closing = Closing {
                actions: vec!["Write it up".into()],
                ..Closing::default()
            };
            s.close(&mut ids, &id(ANA), &closing, 20).unwrap();
        }
        s
    }

    /// The session closed with one contribution as a modified client could write it.
    fn close_crediting(s: &mut Session, giver: u8, kind: &str, minutes: u32, to: &[u8]) {
        s.status = SessionStatus::Closed.as_str().into();
        s.closed_at = Some(12);
        let mut c = Contribution::new(
            "c9",
            ContributionKind::Review,
            &id(giver),
            vec![],
            minutes,
            12,
        );
        c.kind = kind.into();
        c.receivers = to.iter().map(|&m| id(m)).collect();
        s.contributions.push(c);
    }

    /// `who` starting the session, in their own name.
    fn start_as(s: &mut Session, who: u8) {
        s.start(&id(who), 10).unwrap();
    }

    const RUN: &str = "only the session's hosts and facilitators can run it";

    #[test]
    fn a_session_is_created_planned_by_its_creator() {
        let planned = session(SessionStatus::Planned);
        expect(None, &planned, (ANA, MEMBER), Ok(()));
        // Planned for someone else to host: still the creator's to create.
        let mut for_dan = planned.clone();
        for_dan.hosts = vec![id(DAN)];
        expect(None, &for_dan, (ANA, MEMBER), Ok(()));
        let mut running = for_dan.clone();
        running.start(&id(DAN), 10).unwrap();
        expect(None, &running, (ANA, MEMBER), Err(RUN));
        // Who came is recorded at the close, not slipped into the plan.
        let mut sneaky = planned.clone();
        sneaky.attended = vec![id(DAN)];
        expect(None, &sneaky, (ANA, MEMBER), Err(SESSION_CLOSING));
    }

    #[test]
    fn session_rules() {
        const PLAN: &str = "session: plan (format, title, at, minutes, hosts, participants, \
                            skills) — a host, as before the change, while it is planned";
        const RUNNING: &str = "session: running (status, steps, started_at, closed_at, \
                               takeaways, rating, new actions and contributions) — a host or a \
                               facilitator, as before the change";
        const STATUS: &str = "session: status — only planned → running → closed";
        const CREDIT: &str = "session: contribution: create — in the closing change, a giver as \
                              such (host; facilitator; speaker or referent), one per giver and \
                              kind, at most the planned minutes, received by those who came less \
                              the givers";
        const CLOSING: &str = "session: `attended`, `takeaway_note` — a host or a facilitator, \
                               in the closing change";
        const CLOSED: &str = "session: steps of a closed session — nobody";
        const DONE: &str = "session: action item: done, done_at — a host or a participant";
        const HOSTS: &str = "only a session's hosts can change its plan";
        const MOVES: &str = "a session's status only moves from planned to running to closed";
        #[rustfmt::skip]
        let planned: &[Row<Session>] = &[
            (PLAN, (ANA, MEMBER), |s| s.title = "The June launch".into(), Ok(())),
            (PLAN, (BEN, ADMIN), |s| s.at = 5, Err(HOSTS)),
            // Nobody grants themselves a role.
            (PLAN, (CHLOE, MEMBER), |s| s.hosts.push(id(CHLOE)), Err(HOSTS)),
            (PLAN, (BEN, MEMBER), |s| s.participants[0].role = "facilitator".into(), Err(HOSTS)),
            (RUNNING, (ANA, MEMBER), |s| start_as(s, ANA), Ok(())),
            (RUNNING, (CHLOE, MEMBER), |s| start_as(s, CHLOE), Ok(())),
            // What a modified client would send: the host's moves, made by a participant.
            (RUNNING, (BEN, ADMIN), |s| start_as(s, ANA), Err(RUN)),
            (STATUS, (ANA, MEMBER), |s| s.status = SessionStatus::Closed.as_str().into(),
                Err(MOVES)),
        ];
        table(&session(SessionStatus::Planned), planned);
        #[rustfmt::skip]
        let running: &[Row<Session>] = &[
            (RUNNING, (ANA, MEMBER), |s| {
                drop(s.step(&id(ANA), "The plan was a June launch.", 11).unwrap())
            }, Ok(())),
            (RUNNING, (CHLOE, MEMBER), |s| {
                drop(s.step(&id(CHLOE), "The plan was a June launch.", 11).unwrap())
            }, Ok(())),
            (RUNNING, (BEN, MEMBER), |s| drop(s.step(&id(ANA), "My version.", 11).unwrap()),
                Err(RUN)),
            (RUNNING, (DAN, MEMBER), |s| {
                let mut ids = || "y".to_owned();
                let closing = Closing { rating: Some(1), ..Closing::default() };
                s.close(&mut ids, &id(ANA), &closing, 12).unwrap();
            }, Err(RUN)),
            // The plan is what credit is read from: frozen once the session runs, even for a
            // host (who would otherwise drop out of the hosts to be credited by a colleague).
            (PLAN, (ANA, MEMBER), |s| s.minutes = 480, Err(SESSION_PLAN_FROZEN)),
            (PLAN, (ANA, MEMBER), |s| s.hosts = vec![id(CHLOE)], Err(SESSION_PLAN_FROZEN)),
            (CREDIT, (ANA, MEMBER), |s| {
                let mut n = 0;
                let mut ids = || {
                    n += 1;
                    format!("y{n}")
                };
                s.close(&mut ids, &id(ANA), &Closing::default(), 12).unwrap();
                let mut twice = s.contributions[0].clone();
                twice.id = "y9".into();
                s.contributions.push(twice);
            }, Err(SESSION_CREDIT)),
            // Ben stayed away, Eve walked in: she received the time, he did not.
            (CLOSING, (ANA, MEMBER), |s| {
                let mut ids = || "y".to_owned();
                let closing = Closing { attended: vec![id(DAN), id(EVE)], ..Closing::default() };
                s.close(&mut ids, &id(ANA), &closing, 12).unwrap();
                assert_eq!(s.contributions[0].receivers, [id(DAN), id(EVE)]);
            }, Ok(())),
            (CLOSING, (CHLOE, MEMBER), |s| s.attended = vec![id(DAN)],
                Err(SESSION_CLOSING)),
            (CLOSING, (DAN, MEMBER), |s| s.takeaway_note = Some("n1".into()), Err(RUN)),
            (CREDIT, (ANA, MEMBER), |s| close_crediting(s, DAN, "session-hosted", 60, &[BEN]),
                Err(SESSION_CREDIT)),
            (CREDIT, (ANA, MEMBER), |s| close_crediting(s, ANA, "session-presented", 60, &[BEN]),
                Err(SESSION_CREDIT)),
            (CREDIT, (ANA, MEMBER), |s| close_crediting(s, ANA, "session-hosted", 61, &[BEN]),
                Err(SESSION_CREDIT)),
            (CREDIT, (ANA, MEMBER), |s| close_crediting(s, ANA, "session-hosted", 60, &[EVE]),
                Err(SESSION_CREDIT)),
            (CREDIT, (CHLOE, MEMBER), |s| {
                close_crediting(s, CHLOE, "session-facilitated", 30, &[BEN, DAN])
            }, Ok(())),
        ];
        table(&session(SessionStatus::Running), running);
        #[rustfmt::skip]
        let closed: &[Row<Session>] = &[
            (RUNNING, (BEN, MEMBER), |s| {
                s.actions.push(ActionItem::new("a9", "Rest", &id(BEN), None, 30).unwrap())
            }, Err(RUN)),
            (RUNNING, (BEN, MEMBER), |s| {
                let given = Contribution::new(
                    "c9", ContributionKind::SessionHosted, &id(BEN), vec![id(DAN)], 60, 30,
                );
                s.contributions.push(given);
            }, Err(RUN)),
            (STATUS, (ANA, MEMBER), |s| s.status = SessionStatus::Running.as_str().into(),
                Err(MOVES)),
            // Once closed, nobody adds credit, not even a host to their own name.
            (CREDIT, (ANA, MEMBER), |s| {
                let given = Contribution::new(
                    "c9", ContributionKind::SessionHosted, &id(ANA), vec![id(DAN)], 60, 30,
                );
                s.contributions.push(given);
            }, Err(SESSION_CREDIT)),
            (CLOSING, (ANA, MEMBER), |s| s.attended = vec![id(DAN)], Err(SESSION_CLOSING)),
            (CLOSED, (CHLOE, MEMBER), |s| s.steps[0].notes.update("Rewritten afterwards."),
                Err("the session is closed; its steps can no longer change")),
            (UPDATED_AT, (EVE, MEMBER), |s| s.updated_at = 99, Ok(())),
            (DONE, (DAN, MEMBER), |s| s.complete_action("x1", &id(DAN), 30).unwrap(), Ok(())),
            (DONE, (EVE, ADMIN), |s| {
                s.actions[0].done = true;
                s.actions[0].done_at = Some(30);
            }, Err("only the session's hosts and participants can complete its actions")),
            (CONFIRM, (BEN, MEMBER), |s| s.confirm("x2", &id(BEN), 30).unwrap(), Ok(())),
            // Chloé facilitated: she gave time, she did not receive Ana's.
            (CONFIRM, (CHLOE, MEMBER), |s| confirm_as(&mut s.contributions, CHLOE, 30),
                Err("only someone who received this time can confirm it")),
            (CONFIRM, (ANA, MEMBER), |s| confirm_as(&mut s.contributions, ANA, 30), Err(OWN_TIME)),
        ];
        table(&session(SessionStatus::Closed), closed);
    }

    /// The local API refuses, with the same message, what the rules refuse.
    #[test]
    fn the_model_methods_refuse_what_the_rules_refuse() {
        let mut s = session(SessionStatus::Planned);
        match s.start(&id(BEN), 10) {
            Err(DomainError::Forbidden(m)) => assert_eq!(m, RUN),
            other => panic!("a participant started the session: {other:?}"),
        }
        let mut t = thread();
        match t.accept("p1", &id(BEN), 5) {
            Err(DomainError::Forbidden(m)) => assert_eq!(m, ACCEPT),
            other => panic!("Ben accepted in Ana's thread: {other:?}"),
        }
        let mut r = review(ReviewStatus::Submitted);
        match r.write(&id(BEN), &[("stop".into(), "late".into())], &[], 5) {
            Err(DomainError::Forbidden(m)) => assert_eq!(m, REVIEW_FROZEN),
            other => panic!("a submitted review was rewritten: {other:?}"),
        }
        let mut m = mentoring();
        match m.confirm("c1", &id(ANA), 5) {
            Err(DomainError::Forbidden(msg)) => assert_eq!(msg, SELF_CONFIRM),
            other => panic!("Ana confirmed her own time: {other:?}"),
        }
    }
}
