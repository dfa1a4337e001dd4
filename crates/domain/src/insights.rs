//! Derived views, computed from documents and never stored: mentor suggestions (with
//! reciprocal pairs), skills at risk, given-versus-received balances, reminders and the
//! contribution report of one member.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::time::rfc3339;
use crate::{Contribution, Level, Mentoring, Review, Session, Workspace};

fn name(ws: &Workspace, id: &str) -> String {
    ws.members
        .get(id)
        .map_or_else(|| id.to_owned(), |m| m.name.clone())
}

fn level_name(level: u8) -> &'static str {
    Level::from_number(u64::from(level)).map_or("?", Level::name)
}

/// The other half of a reciprocal pair: what the mentee can teach the mentor in return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reciprocal {
    /// Skill id the mentee can teach.
    pub skill: String,
    /// The mentee's level in it.
    pub level: u8,
}

/// One suggested mentoring pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// Who could teach.
    pub mentor: String,
    /// Their name.
    pub mentor_name: String,
    /// Who wants to learn.
    pub mentee: String,
    /// Their name.
    pub mentee_name: String,
    /// Skill id.
    pub skill: String,
    /// The mentor's level.
    pub mentor_level: u8,
    /// Hours a month the mentor offers.
    pub mentor_hours: u32,
    /// The mentor is open to mentoring.
    pub mentor_open: bool,
    /// Set when the mentee can teach the mentor another skill in return.
    pub reciprocal: Option<Reciprocal>,
    /// Ranking score, higher first.
    pub score: u32,
    /// Why, in a few words.
    pub why: String,
}

/// Mentor suggestions from wants-to-learn × can-teach × time offered.
///
/// A colleague may mentor someone on a skill when they can teach it, practise it (level ≥ 2)
/// and know it better than the learner. Reciprocal pairs (the mentee can teach the mentor
/// another skill the mentor wants) come first; then level, openness to mentoring and hours
/// offered. With `for_member`, only pairs involving that member.
pub fn suggest_mentors(ws: &Workspace, for_member: Option<&str>) -> Vec<Suggestion> {
    let teaches = |member: &str, skill: &str, above: u8| -> Option<u8> {
        ws.claims
            .get(&crate::claim_key(member, skill))
            .filter(|c| c.can_teach && c.level >= Level::Practitioner as u8 && c.level > above)
            .map(|c| c.level)
    };
    let mut out = Vec::new();
    for want in ws.claims.values().filter(|c| c.wants_to_learn) {
        for teacher in ws.members.values().filter(|m| m.id != want.member) {
            let Some(level) = teaches(&teacher.id, &want.skill, want.level) else {
                continue;
            };
            let reciprocal = ws
                .claims
                .values()
                .filter(|c| c.member == teacher.id && c.wants_to_learn && c.skill != want.skill)
                .find_map(|c| {
                    teaches(&want.member, &c.skill, c.level).map(|l| Reciprocal {
                        skill: c.skill.clone(),
                        level: l,
                    })
                });
            if let Some(me) = for_member
                && me != teacher.id
                && me != want.member
            {
                continue;
            }
            let mut why = vec![format!(
                "{} is {} in {} and can teach it; {} wants to learn it",
                teacher.name,
                level_name(level),
                want.skill,
                name(ws, &want.member)
            )];
            if teacher.hours_per_month > 0 {
                why.push(format!("{} h/month offered", teacher.hours_per_month));
            }
            if teacher.open_to_mentoring {
                why.push("open to mentoring".into());
            }
            if let Some(r) = &reciprocal {
                why.push(format!(
                    "reciprocal: {} can teach {} in return",
                    name(ws, &want.member),
                    r.skill
                ));
            }
            let score = if reciprocal.is_some() { 500 } else { 0 }
                + u32::from(level) * 100
                + if teacher.open_to_mentoring { 40 } else { 0 }
                + teacher.hours_per_month.min(20);
            out.push(Suggestion {
                mentor: teacher.id.clone(),
                mentor_name: teacher.name.clone(),
                mentee: want.member.clone(),
                mentee_name: name(ws, &want.member),
                skill: want.skill.clone(),
                mentor_level: level,
                mentor_hours: teacher.hours_per_month,
                mentor_open: teacher.open_to_mentoring,
                reciprocal,
                score,
                why: why.join("; "),
            });
        }
    }
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.mentee_name.cmp(&b.mentee_name))
            .then_with(|| a.skill.cmp(&b.skill))
            .then_with(|| a.mentor_name.cmp(&b.mentor_name))
    });
    out
}

/// Someone named in a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Member id.
    pub member: String,
    /// Name.
    pub name: String,
    /// Level in the skill, if relevant.
    pub level: u8,
}

/// A skill the team could lose with one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkillAtRisk {
    /// Skill id.
    pub skill: String,
    /// English label.
    pub label_en: String,
    /// French label.
    pub label_fr: String,
    /// Members at level ≥ 3 (expert or referent): none or one.
    pub holders: Vec<Person>,
    /// Members who want to learn it.
    pub learners: Vec<Person>,
}

/// Skills that someone claims but that at most one member holds at expert level or above.
pub fn skills_at_risk(ws: &Workspace) -> Vec<SkillAtRisk> {
    at_risk(ws, |_| true)
}

/// How many skills were at risk at `until` (ms), as far as the claims tell: a claim counts from
/// its last change, so a claim raised after `until` is not counted at its older level.
pub fn skills_at_risk_at(ws: &Workspace, until: i64) -> usize {
    at_risk(ws, |c| c.updated_at <= until).len()
}

fn at_risk(ws: &Workspace, keep: impl Fn(&crate::SkillClaim) -> bool) -> Vec<SkillAtRisk> {
    let mut out: Vec<SkillAtRisk> = ws
        .skills
        .values()
        .filter_map(|s| {
            let claims: Vec<_> = ws
                .claims
                .values()
                .filter(|c| c.skill == s.id && keep(c))
                .collect();
            if claims.is_empty() {
                return None;
            }
            let person = |c: &&crate::SkillClaim| Person {
                member: c.member.clone(),
                name: name(ws, &c.member),
                level: c.level,
            };
            let holders: Vec<Person> = claims
                .iter()
                .filter(|c| c.level >= Level::Expert as u8)
                .map(person)
                .collect();
            if holders.len() > 1 {
                return None;
            }
            let learners = claims
                .iter()
                .filter(|c| c.wants_to_learn)
                .map(person)
                .collect();
            Some(SkillAtRisk {
                skill: s.id.clone(),
                label_en: s.label_en.clone(),
                label_fr: s.label_fr.clone(),
                holders,
                learners,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.holders
            .len()
            .cmp(&b.holders.len())
            .then_with(|| b.learners.len().cmp(&a.learners.len()))
            .then_with(|| a.skill.cmp(&b.skill))
    });
    out
}

/// Minutes a member gave and received, confirmed ones only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Balance {
    /// Member id.
    pub member: String,
    /// Confirmed minutes given.
    pub given_minutes: u32,
    /// Confirmed minutes received.
    pub received_minutes: u32,
    /// Minutes given still awaiting confirmation.
    pub pending_minutes: u32,
}

/// The balance of `member` over `contributions`.
pub fn balance<'a>(
    member: &str,
    contributions: impl IntoIterator<Item = &'a Contribution>,
) -> Balance {
    let mut b = Balance {
        member: member.to_owned(),
        ..Balance::default()
    };
    for c in contributions {
        if c.giver == member {
            if c.is_confirmed() {
                b.given_minutes += c.minutes;
            } else {
                b.pending_minutes += c.minutes;
            }
        } else if c.is_confirmed() && c.receivers.iter().any(|r| r == member) {
            b.received_minutes += c.minutes;
        }
    }
    b
}

/// One reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    /// "mentoring-due", "action-overdue" or "session-today".
    pub kind: String,
    /// The document it is about.
    pub doc: String,
    /// The action, if it is about one.
    pub action: Option<String>,
    /// Who or what it is about: the colleague (mentoring), the action's text, the session's
    /// title.
    pub subject: String,
    /// The date it hangs on: the last session's day (mentoring, none before the first), the
    /// action's due day, the session's start time (HH:MM UTC).
    pub when: Option<String>,
    /// What to do, in a sentence.
    pub text: String,
}

/// Reminders for `me` on the day starting at `today` (ms): relationships whose cadence is
/// due, my open actions past their due date, and sessions I am part of today.
pub fn reminders(
    me: &str,
    today: i64,
    ws: &Workspace,
    mentorings: &[Mentoring],
    sessions: &[Session],
) -> Vec<Reminder> {
    let mut out = Vec::new();
    for m in mentorings {
        if m.is_due(today) {
            let when = m.last_session().map(|d| rfc3339(d)[..10].to_owned());
            let last = when.as_ref().map_or_else(
                || "no session yet".to_owned(),
                |d| format!("last session {d}"),
            );
            let subject = name(ws, m.other(me));
            out.push(Reminder {
                kind: "mentoring-due".into(),
                doc: m.meta.id.clone(),
                action: None,
                text: format!(
                    "Mentoring with {subject} is due (every {} days; {last})",
                    m.agreement.cadence_days
                ),
                subject,
                when,
            });
        }
    }
    let actions = mentorings
        .iter()
        .map(|m| (&m.meta.id, &m.actions))
        .chain(sessions.iter().map(|s| (&s.meta.id, &s.actions)));
    for (doc, list) in actions {
        for a in list.iter().filter(|a| a.owner == me && a.is_overdue(today)) {
            let due = a
                .due
                .map(|d| rfc3339(d)[..10].to_owned())
                .unwrap_or_default();
            out.push(Reminder {
                kind: "action-overdue".into(),
                doc: doc.clone(),
                action: Some(a.id.clone()),
                text: format!("Overdue since {due}: {}", a.text),
                subject: a.text.clone(),
                when: Some(due),
            });
        }
    }
    for s in sessions {
        if s.status != "closed" && s.involves(me) && s.at >= today && s.at < today + crate::DAY_MS {
            out.push(Reminder {
                kind: "session-today".into(),
                doc: s.meta.id.clone(),
                action: None,
                text: format!(
                    "{} at {} UTC: {}",
                    s.format().map_or("Session", |f| f.name),
                    &rfc3339(s.at)[11..16],
                    s.title
                ),
                subject: s.title.clone(),
                when: Some(rfc3339(s.at)[11..16].to_owned()),
            });
        }
    }
    out
}

/// A member's contributions over a period, for an annual review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContributionReport {
    /// Member id.
    pub member: String,
    /// Name.
    pub name: String,
    /// Start of the period (ms), if bounded.
    pub since: Option<i64>,
    /// Sessions hosted or facilitated: (title, format, closed at, minutes).
    pub sessions_hosted: Vec<(String, String, i64, u32)>,
    /// People mentored: (name, sessions logged, minutes).
    pub people_mentored: Vec<(String, usize, u32)>,
    /// Reviews given: (for whom, about, submitted at).
    pub reviews_given: Vec<(String, String, i64)>,
    /// Kudos received: (from, message, at).
    pub kudos_received: Vec<(String, String, i64)>,
    /// Endorsements received by skill: (skill, count).
    pub skills_endorsed: Vec<(String, usize)>,
    /// Confirmed minutes given.
    pub credited_minutes: u32,
    /// Minutes given still awaiting confirmation.
    pub pending_minutes: u32,
}

/// Builds the report of `member` from the documents this device holds.
pub fn contribution_report(
    member: &str,
    since: Option<i64>,
    ws: &Workspace,
    sessions: &[Session],
    mentorings: &[Mentoring],
    reviews: &[Review],
) -> ContributionReport {
    let in_period = |t: i64| since.is_none_or(|s| t >= s);
    let mut credited = 0;
    let mut pending = 0;
    let mut count = |c: &Contribution| {
        if c.giver == member && in_period(c.created_at) {
            if c.is_confirmed() {
                credited += c.minutes;
            } else {
                pending += c.minutes;
            }
        }
    };
    let mut sessions_hosted = Vec::new();
    for s in sessions {
        s.contributions.iter().for_each(&mut count);
        if let Some(closed) = s.closed_at
            && in_period(closed)
            && s.contributions.iter().any(|c| c.giver == member)
        {
            let format = s.format().map_or(s.format.clone(), |f| f.name.to_owned());
            sessions_hosted.push((s.title.clone(), format, closed, s.minutes));
        }
    }
    let mut mentored: BTreeMap<String, (usize, u32)> = BTreeMap::new();
    for m in mentorings {
        m.contributions.iter().for_each(&mut count);
        for c in m
            .contributions
            .iter()
            .filter(|c| c.giver == member && in_period(c.created_at))
        {
            for r in &c.receivers {
                let entry = mentored.entry(name(ws, r)).or_default();
                entry.0 += 1;
                entry.1 += c.minutes;
            }
        }
    }
    let mut reviews_given = Vec::new();
    for r in reviews {
        r.contributions.iter().for_each(&mut count);
        if r.reviewer == member
            && let Some(at) = r.submitted_at
            && in_period(at)
        {
            reviews_given.push((name(ws, &r.requester), r.about.clone(), at));
        }
    }
    let mut kudos_received: Vec<(String, String, i64)> = ws
        .kudos
        .values()
        .filter(|k| k.to == member && in_period(k.created_at))
        .map(|k| (name(ws, &k.from), k.message.clone(), k.created_at))
        .collect();
    kudos_received.sort_by_key(|k| k.2);
    let mut endorsed: BTreeMap<String, usize> = BTreeMap::new();
    for e in ws
        .endorsements
        .values()
        .filter(|e| e.to == member && in_period(e.created_at))
    {
        let label = ws
            .skills
            .get(&e.skill)
            .map_or_else(|| e.skill.clone(), |s| s.label_en.clone());
        *endorsed.entry(label).or_default() += 1;
    }
    sessions_hosted.sort_by_key(|s| s.2);
    reviews_given.sort_by_key(|r| r.2);
    ContributionReport {
        member: member.to_owned(),
        name: name(ws, member),
        since,
        sessions_hosted,
        people_mentored: mentored.into_iter().map(|(n, (s, m))| (n, s, m)).collect(),
        reviews_given,
        kudos_received,
        skills_endorsed: endorsed.into_iter().collect(),
        credited_minutes: credited,
        pending_minutes: pending,
    }
}

fn hours(minutes: u32) -> String {
    format!("{}h{:02}", minutes / 60, minutes % 60)
}

/// The words of the contribution report, in English or in French.
struct Words {
    colon: &'static str,
    title: &'static str,
    period: &'static str,
    up_to: &'static str,
    credited: &'static str,
    confirmed_by: &'static str,
    awaiting: &'static str,
    none: &'static str,
    sessions: &'static str,
    mentored: &'static str,
    sessions_logged: &'static str,
    reviews: &'static str,
    for_whom: &'static str,
    kudos: &'static str,
    from: &'static str,
    endorsed: &'static str,
    endorsements: &'static str,
}

const EN: Words = Words {
    colon: ": ",
    title: "Contributions of",
    period: "Period: {from} to {to}.",
    up_to: "Up to {to}.",
    credited: "Credited time",
    confirmed_by: "confirmed by the colleagues who received it",
    awaiting: "awaiting confirmation",
    none: "None in this period.",
    sessions: "Sessions hosted",
    mentored: "People mentored",
    sessions_logged: "session(s)",
    reviews: "Reviews given",
    for_whom: "for",
    kudos: "Kudos received",
    from: "from",
    endorsed: "Skills endorsed",
    endorsements: "endorsement(s)",
};

const FR: Words = Words {
    colon: " : ",
    title: "Contributions de",
    period: "Période : du {from} au {to}.",
    up_to: "Jusqu’au {to}.",
    credited: "Temps crédité",
    confirmed_by: "confirmé par les collègues qui l’ont reçu",
    awaiting: "en attente de confirmation",
    none: "Rien sur cette période.",
    sessions: "Séances animées",
    mentored: "Personnes mentorées",
    sessions_logged: "séance(s)",
    reviews: "Revues rendues",
    for_whom: "pour",
    kudos: "Remerciements reçus",
    from: "de",
    endorsed: "Compétences recommandées",
    endorsements: "recommandation(s)",
};

impl ContributionReport {
    /// The report as Markdown, fit to attach to an annual review, in English or in French.
    pub fn to_markdown(&self, generated_at: i64, french: bool) -> String {
        let w = if french { &FR } else { &EN };
        let day = |t: i64| rfc3339(t)[..10].to_owned();
        let mut md = format!("# {} {}\n\n", w.title, self.name);
        md += &match self.since {
            Some(s) => w
                .period
                .replace("{from}", &day(s))
                .replace("{to}", &day(generated_at)),
            None => w.up_to.replace("{to}", &day(generated_at)),
        };
        md += "\n\n";
        md += &format!(
            "**{}{}{}** ({}){}.\n\n",
            w.credited,
            w.colon,
            hours(self.credited_minutes),
            w.confirmed_by,
            if self.pending_minutes > 0 {
                format!("; {} {}", hours(self.pending_minutes), w.awaiting)
            } else {
                String::new()
            }
        );
        let section = |md: &mut String, title: &str, rows: Vec<String>| {
            *md += &format!("## {title}\n\n");
            if rows.is_empty() {
                *md += w.none;
                *md += "\n\n";
            } else {
                for r in rows {
                    *md += &format!("- {r}\n");
                }
                md.push('\n');
            }
        };
        section(
            &mut md,
            w.sessions,
            self.sessions_hosted
                .iter()
                .map(|(t, f, at, m)| format!("{} — {t} ({f}, {} min)", day(*at), m))
                .collect(),
        );
        section(
            &mut md,
            w.mentored,
            self.people_mentored
                .iter()
                .map(|(n, s, m)| format!("{n}{}{s} {}, {}", w.colon, w.sessions_logged, hours(*m)))
                .collect(),
        );
        section(
            &mut md,
            w.reviews,
            self.reviews_given
                .iter()
                .map(|(n, a, at)| format!("{} — {} {n}{}{a}", day(*at), w.for_whom, w.colon))
                .collect(),
        );
        section(
            &mut md,
            w.kudos,
            self.kudos_received
                .iter()
                .map(|(n, msg, at)| format!("{} — {} {n}{}“{msg}”", day(*at), w.from, w.colon))
                .collect(),
        );
        section(
            &mut md,
            w.endorsed,
            self.skills_endorsed
                .iter()
                .map(|(s, n)| format!("{s}{}{n} {}", w.colon, w.endorsements))
                .collect(),
        );
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DocKind, DocMeta, Member, Role, Scope};
    use libp2p_identity::Keypair;

    /// An empty workspace, "Acme", founded by "Founder".
    fn acme() -> Workspace {
        let key = Keypair::generate_ed25519();
        let meta = DocMeta::new_signed(
            &key,
            "ws",
            DocKind::Workspace,
            &Scope::Workspace,
            "ws",
            0,
            &[],
        )
        .unwrap();
        Workspace::new(meta, "Acme", "Founder", 0).unwrap()
    }

    /// A generated team of 30: member i claims skills by a fixed pattern; two known pairs and
    /// three known skill distributions are planted.
    fn team() -> Workspace {
        let mut ws = acme();
        for i in 0..30 {
            let id = format!("m{i:02}");
            let mut m = Member::new(&id, &format!("Member {i:02}"), Role::Member, 0).unwrap();
            m.hours_per_month = (i % 7) as u32;
            m.open_to_mentoring = i % 2 == 0;
            ws.members.insert(id.clone(), m);
            // Background noise: everyone practises "office", some want "excel".
            ws.claim(&id, "Office", Level::Practitioner, i % 5 == 0, false, 0)
                .unwrap();
        }
        // Reciprocal pair: m03 teaches Kubernetes and wants SQL; m17 teaches SQL and wants Kubernetes.
        ws.claim("m03", "Kubernetes", Level::Expert, false, true, 0)
            .unwrap();
        ws.claim("m03", "SQL", Level::Notions, true, false, 0)
            .unwrap();
        ws.claim("m17", "SQL", Level::Referent, false, true, 0)
            .unwrap();
        ws.claim("m17", "Kubernetes", Level::Notions, true, false, 0)
            .unwrap();
        // One referent only: COBOL. Three experts: Rust.
        ws.claim("m09", "COBOL", Level::Referent, false, true, 0)
            .unwrap();
        ws.claim("m10", "COBOL", Level::Notions, true, false, 0)
            .unwrap();
        for m in ["m20", "m21", "m22"] {
            ws.claim(m, "Rust", Level::Expert, false, true, 0).unwrap();
        }
        ws.claim("m23", "Rust", Level::Notions, true, false, 0)
            .unwrap();
        ws
    }

    #[test]
    fn the_known_reciprocal_pair_is_suggested_first() {
        let ws = team();
        let all = suggest_mentors(&ws, None);
        let top = &all[0];
        assert!(top.reciprocal.is_some(), "{top:?}");
        let pair = [top.mentor.as_str(), top.mentee.as_str()];
        assert!(pair == ["m03", "m17"] || pair == ["m17", "m03"], "{pair:?}");
        assert!(top.why.contains("reciprocal"), "{}", top.why);
        let for_m17 = suggest_mentors(&ws, Some("m17"));
        assert!(
            for_m17
                .iter()
                .all(|s| s.mentor == "m17" || s.mentee == "m17")
        );
        assert!(for_m17.iter().any(|s| s.mentor == "m03"
            && s.skill == "kubernetes"
            && s.reciprocal.as_ref().is_some_and(|r| r.skill == "sql")));
        // m23 wants Rust: the three experts who teach it are suggested, nobody else.
        let rust: Vec<&str> = all
            .iter()
            .filter(|s| s.skill == "rust")
            .map(|s| s.mentor.as_str())
            .collect();
        assert_eq!(rust.len(), 3, "{rust:?}");
        // Nobody teaches Office: no suggestion for it.
        assert!(all.iter().all(|s| s.skill != "office"));
    }

    #[test]
    fn one_referent_is_a_risk_three_experts_are_not() {
        let ws = team();
        let risky = skills_at_risk(&ws);
        let cobol = risky
            .iter()
            .find(|r| r.skill == "cobol")
            .expect("COBOL at risk");
        assert_eq!(
            cobol
                .holders
                .iter()
                .map(|p| p.member.as_str())
                .collect::<Vec<_>>(),
            ["m09"]
        );
        assert_eq!(
            cobol
                .learners
                .iter()
                .map(|p| p.member.as_str())
                .collect::<Vec<_>>(),
            ["m10"]
        );
        assert!(
            risky.iter().all(|r| r.skill != "rust"),
            "three experts hold Rust"
        );
        assert!(
            risky
                .iter()
                .any(|r| r.skill == "office" && r.holders.is_empty()),
            "practised by 30, mastered by none"
        );
        assert!(risky.iter().any(|r| r.skill == "kubernetes"));
    }

    /// A claim: member, skill, level, wants to learn, can teach.
    type Claim = (&'static str, &'static str, Level, bool, bool);
    /// A skill at risk: its id, who holds it (expert or referent), who wants to learn it.
    type Risk = (
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    );
    /// A suggestion: mentor, mentee, skill, and the skill the mentee teaches back in a
    /// reciprocal pair.
    type Pair = (
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
    );
    /// A scenario: its name, the claims, then the skills at risk and the suggestions, in order.
    type Scenario = (
        &'static str,
        &'static [Claim],
        &'static [Risk],
        &'static [Pair],
    );

    /// Who holds a skill is who claims level 3 or 4 (at most one: at risk); who may mentor is
    /// who can teach it, practises it (level 2 or more) and knows it better than the learner,
    /// open to mentoring or not; a reciprocal pair outranks any level.
    const SCENARIOS: &[Scenario] = &[
        (
            "one referent is a risk",
            &[
                ("ana", "cobol", Level::Referent, false, true),
                ("ben", "cobol", Level::Notions, true, false),
            ],
            &[("cobol", &["ana"], &["ben"])],
            &[("ana", "ben", "cobol", None)],
        ),
        (
            "three experts are not a risk",
            &[
                ("ana", "rust", Level::Expert, false, true),
                ("ben", "rust", Level::Expert, false, true),
                ("chloe", "rust", Level::Expert, false, true),
                ("dan", "rust", Level::Notions, true, false),
            ],
            &[],
            &[
                ("ana", "dan", "rust", None),
                ("ben", "dan", "rust", None),
                ("chloe", "dan", "rust", None),
            ],
        ),
        (
            "nobody at expert level is a risk held by none; a practitioner teaches",
            &[
                ("ana", "excel", Level::Practitioner, false, true),
                ("ben", "excel", Level::Notions, true, false),
            ],
            &[("excel", &[], &["ben"])],
            &[("ana", "ben", "excel", None)],
        ),
        (
            "a reciprocal pair comes before a referent",
            &[
                ("ana", "kubernetes", Level::Expert, false, true),
                ("ana", "sql", Level::Notions, true, false),
                ("ben", "sql", Level::Referent, false, true),
                ("ben", "kubernetes", Level::Notions, true, false),
                ("chloe", "kubernetes", Level::Referent, false, true),
            ],
            &[("sql", &["ben"], &["ana"])],
            &[
                ("ben", "ana", "sql", Some("kubernetes")),
                ("ana", "ben", "kubernetes", Some("sql")),
                ("chloe", "ben", "kubernetes", None),
            ],
        ),
        (
            "nobody who practises it teaches: no suggestion",
            &[
                ("ana", "office", Level::Expert, false, false),
                ("ben", "office", Level::Notions, false, true),
                ("chloe", "office", Level::Notions, true, false),
            ],
            &[("office", &["ana"], &["chloe"])],
            &[],
        ),
        (
            "a teacher at the learner's level: no suggestion",
            &[
                ("ana", "go", Level::Practitioner, false, true),
                ("ben", "go", Level::Practitioner, true, false),
            ],
            &[("go", &[], &["ben"])],
            &[],
        ),
        (
            "the least held skill comes first, then the most wanted",
            &[
                ("ana", "cobol", Level::Referent, false, false),
                ("ben", "cobol", Level::Notions, true, false),
                ("ana", "excel", Level::Practitioner, false, false),
                ("ben", "excel", Level::Notions, true, false),
                ("chloe", "excel", Level::Notions, true, false),
                ("dan", "go", Level::Notions, true, false),
            ],
            &[
                ("excel", &[], &["ben", "chloe"]),
                ("go", &[], &["dan"]),
                ("cobol", &["ana"], &["ben"]),
            ],
            &[],
        ),
    ];

    /// A workspace whose members, named by their id, offering no hours and not open to
    /// mentoring, make `claims`.
    fn claimed(claims: &[Claim]) -> Workspace {
        let mut ws = acme();
        for &(member, ..) in claims {
            let m = Member::new(member, member, Role::Member, 0).unwrap();
            ws.members.insert(member.to_owned(), m);
        }
        for &(member, skill, level, wants_to_learn, can_teach) in claims {
            ws.claim(member, skill, level, wants_to_learn, can_teach, 0)
                .unwrap();
        }
        ws
    }

    fn members(people: &[Person]) -> Vec<&str> {
        people.iter().map(|p| p.member.as_str()).collect()
    }

    #[test]
    fn each_scenario_has_its_risks_and_suggestions() {
        for &(name, claims, at_risk, suggested) in SCENARIOS {
            let ws = claimed(claims);
            let risks = skills_at_risk(&ws);
            let got: Vec<_> = risks
                .iter()
                .map(|r| (r.skill.as_str(), members(&r.holders), members(&r.learners)))
                .collect();
            let want: Vec<_> = at_risk
                .iter()
                .map(|&(skill, holders, learners)| (skill, holders.to_vec(), learners.to_vec()))
                .collect();
            assert_eq!(got, want, "{name}: skills at risk");
            let suggestions = suggest_mentors(&ws, None);
            let got: Vec<_> = suggestions
                .iter()
                .map(|s| {
                    let back = s.reciprocal.as_ref().map(|r| r.skill.as_str());
                    (s.mentor.as_str(), s.mentee.as_str(), s.skill.as_str(), back)
                })
                .collect();
            assert_eq!(got, suggested, "{name}: suggestions");
        }
    }

    #[test]
    fn balances_count_confirmed_minutes_only() {
        let mut a = Contribution::new(
            "1",
            crate::ContributionKind::Mentoring,
            "a",
            vec!["b".into()],
            60,
            0,
        );
        let b = Contribution::new(
            "2",
            crate::ContributionKind::Review,
            "b",
            vec!["a".into()],
            30,
            0,
        );
        let pending = Contribution::new(
            "3",
            crate::ContributionKind::Review,
            "a",
            vec!["b".into()],
            45,
            0,
        );
        a.confirmed_by = Some("b".into());
        let bal = balance("a", [&a, &b, &pending]);
        assert_eq!(
            (bal.given_minutes, bal.received_minutes, bal.pending_minutes),
            (60, 0, 45)
        );
    }
}
