//! "Who can help me with X": colleagues ranked by level, endorsements, willingness to teach and
//! time offered, each with a short reason.

use serde::Serialize;

use crate::{DomainError, Level, Workspace};

/// One colleague who can help with a skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Helper {
    /// Member id.
    pub member: String,
    /// Display name.
    pub name: String,
    /// Skill id.
    pub skill: String,
    /// Claimed level, 1..=4.
    pub level: u8,
    /// Willing to teach it.
    pub can_teach: bool,
    /// Endorsements received for it.
    pub endorsements: usize,
    /// Hours per month they offer.
    pub hours_per_month: u32,
    /// Ranking score (higher first); see [`who_can_help`].
    pub score: u32,
    /// Why they are suggested, in a few words.
    pub why: String,
}

/// Ranks the members who can help with the skill named `query`, the asker excluded.
///
/// Someone can help when they practise the skill (level ≥ 2) or are willing to teach it. The
/// score weighs, in this order: level (100 per level), willingness to teach (60), endorsements
/// (15 each, up to 5), and hours offered per month (1 per hour, up to 20). Ties are broken by
/// name so the order is stable.
pub fn who_can_help(ws: &Workspace, query: &str, asker: &str) -> Result<Vec<Helper>, DomainError> {
    let skill = ws.require_skill(query)?;
    let mut helpers: Vec<Helper> = ws
        .claims
        .values()
        .filter(|c| c.skill == skill.id && c.member != asker)
        .filter(|c| c.level >= Level::Practitioner as u8 || c.can_teach)
        .filter_map(|c| {
            let member = ws.members.get(&c.member)?;
            let level = Level::from_number(u64::from(c.level)).ok()?;
            let endorsements = ws.endorsement_count(&c.member, &skill.id);
            let score = u32::from(c.level) * 100
                + if c.can_teach { 60 } else { 0 }
                + 15 * endorsements.min(5) as u32
                + member.hours_per_month.min(20);
            let mut why = vec![format!("{level} ({}/4)", c.level)];
            if c.can_teach {
                why.push("can teach".into());
            }
            match endorsements {
                0 => {}
                1 => why.push("1 endorsement".into()),
                n => why.push(format!("{n} endorsements")),
            }
            if member.hours_per_month > 0 {
                why.push(format!("{} h/month offered", member.hours_per_month));
            }
            Some(Helper {
                member: member.id.clone(),
                name: member.name.clone(),
                skill: skill.id.clone(),
                level: c.level,
                can_teach: c.can_teach,
                endorsements,
                hours_per_month: member.hours_per_month,
                score,
                why: why.join(", "),
            })
        })
        .collect();
    helpers.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.name.cmp(&b.name)));
    Ok(helpers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DocKind, DocMeta, Member, Role, Scope};
    use libp2p_identity::Keypair;

    #[test]
    fn ranks_by_level_then_teaching_endorsements_and_time() {
        let founder = Keypair::generate_ed25519();
        let meta = DocMeta::new_signed(
            &founder,
            "ws",
            DocKind::Workspace,
            &Scope::Workspace,
            "ws",
            0,
            &[],
        )
        .unwrap();
        let asker = meta.created_by.clone();
        let mut ws = Workspace::new(meta, "Acme", "Asker", 0).unwrap();
        // (name, level, can_teach, hours, endorsements from asker)
        let people = [
            ("Referent", 4, false, 0, false),
            ("Teacher", 3, true, 2, false),
            ("Expert", 3, false, 10, true),
            ("Novice", 1, false, 40, false),
            ("Novice who teaches", 1, true, 0, false),
        ];
        for (i, (name, level, teach, hours, endorsed)) in people.into_iter().enumerate() {
            let id = format!("m-{i}");
            let mut m = Member::new(&id, name, Role::Member, 0).unwrap();
            m.hours_per_month = hours;
            ws.members.insert(id.clone(), m);
            ws.claim(
                &id,
                "SQL",
                Level::from_number(level).unwrap(),
                false,
                teach,
                0,
            )
            .unwrap();
            if endorsed {
                ws.endorse("e", &asker, &id, "sql", "", 0).unwrap();
            }
        }
        ws.claim(&asker, "sql", Level::Referent, false, true, 0)
            .unwrap();

        let ranked = who_can_help(&ws, "Sql", &asker).unwrap();
        let names: Vec<&str> = ranked.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(
            names,
            ["Referent", "Teacher", "Expert", "Novice who teaches"]
        );
        assert_eq!(
            ranked[2].why,
            "expert (3/4), 1 endorsement, 10 h/month offered"
        );
        assert_eq!(ranked[0].why, "referent (4/4)");
        assert!(who_can_help(&ws, "cobol", &asker).is_err());
    }
}
