//! The demo workspace: a generated team of colleagues to explore the app with, built offline
//! in its own data directory and marked as a demo (the desktop shows it as such).
//!
//! Every colleague is a real device of the workspace with its own key: their notes, skills,
//! mentoring, codéveloppement session and kudos are written on their own node and reach the
//! demo's node as signed documents through [`Core::receive`], exactly as a file exchange would.
//! The demo is built in a sibling directory and moved into place only once complete, so an
//! interrupted build never leaves half a demo behind.

use std::fs;
use std::path::{Path, PathBuf};

use crate::core::{Core, now};
use crate::formats::MentoringRole;
use crate::{Node, NodeError, NoteDraft, ProfilePatch};
use domain::DAY_MS;

/// The setting that marks a data directory as the demo.
const DEMO_SETTING: &str = "demo";

/// The language the demo's content is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoLanguage {
    /// English.
    En,
    /// French.
    Fr,
}

/// A text in both languages.
type Both = (&'static str, &'static str);

fn pick(lang: DemoLanguage, text: Both) -> String {
    match lang {
        DemoLanguage::En => text.0.to_owned(),
        DemoLanguage::Fr => text.1.to_owned(),
    }
}

/// A colleague of the demo team.
struct Colleague {
    name: &'static str,
    title: Both,
    team: Both,
    hours_per_month: u32,
    /// (skill, level 1..=4, can teach, wants to learn)
    skills: &'static [(&'static str, u64, bool, bool)],
    note: Option<(Both, Both, &'static [&'static str])>,
}

const TEAM: &[Colleague] = &[
    Colleague {
        name: "Claire Dubois",
        title: ("Head of engineering", "Responsable de l’ingénierie"),
        team: ("Engineering", "Ingénierie"),
        hours_per_month: 6,
        skills: &[
            ("Rust", 4, true, false),
            ("Architecture", 4, true, false),
            ("Design", 1, false, true),
        ],
        note: Some((
            ("Code review checklist", "Check-list de revue de code"),
            (
                "# Before approving\n\n- Does it have a test that fails without the change?\n- Are errors clear to the person who will read them?\n- Is the [[Style guide]] followed?\n",
                "# Avant d’approuver\n\n- Un test échoue-t-il sans la modification ?\n- Les erreurs sont-elles claires pour qui les lira ?\n- Le [[Guide de style]] est-il suivi ?\n",
            ),
            &["engineering", "review"],
        )),
    },
    Colleague {
        name: "Karim Benali",
        title: ("Site reliability engineer", "Ingénieur fiabilité"),
        team: ("Operations", "Exploitation"),
        hours_per_month: 4,
        skills: &[
            ("Kubernetes", 4, true, false),
            ("Incident response", 3, true, false),
        ],
        note: Some((
            ("On-call handbook", "Guide d’astreinte"),
            (
                "# When the pager rings\n\n1. Acknowledge within 5 minutes.\n2. Open an incident channel.\n3. Write down what you see before you change anything.\n",
                "# Quand l’astreinte sonne\n\n1. Accuser réception en 5 minutes.\n2. Ouvrir un canal d’incident.\n3. Noter ce que l’on voit avant de toucher à quoi que ce soit.\n",
            ),
            &["operations", "on-call"],
        )),
    },
    Colleague {
        name: "Sophie Laurent",
        title: ("Product manager", "Cheffe de produit"),
        team: ("Product", "Produit"),
        hours_per_month: 3,
        skills: &[("Negotiation", 3, true, false), ("SQL", 1, false, true)],
        note: Some((
            ("Customer interview guide", "Guide d’entretien client"),
            (
                "Ask about the last time the problem happened, not about the future. Listen more than you talk.\n",
                "Demander la dernière fois où le problème est arrivé, pas ce qui arrivera. Écouter plus que parler.\n",
            ),
            &["product", "interviews"],
        )),
    },
    Colleague {
        name: "Thomas Moreau",
        title: ("Data analyst", "Analyste de données"),
        team: ("Finance", "Finance"),
        hours_per_month: 5,
        skills: &[("SQL", 4, true, false), ("Accounting", 2, false, false)],
        note: Some((
            ("Monthly closing in SQL", "La clôture mensuelle en SQL"),
            (
                "The queries we run every month, with what each one checks.\n",
                "Les requêtes lancées chaque mois, et ce que chacune vérifie.\n",
            ),
            &["finance", "sql"],
        )),
    },
    Colleague {
        name: "Léa Fontaine",
        title: ("UX designer", "Designeuse UX"),
        team: ("Product", "Produit"),
        hours_per_month: 2,
        skills: &[("Design", 4, true, false), ("Rust", 1, false, true)],
        note: None,
    },
    Colleague {
        name: "Nicolas Petit",
        title: ("Sales lead", "Responsable commercial"),
        team: ("Sales", "Ventes"),
        hours_per_month: 2,
        skills: &[
            ("Negotiation", 4, true, false),
            ("Pricing", 3, false, false),
        ],
        note: None,
    },
    Colleague {
        name: "Amélie Girard",
        title: ("Support engineer", "Ingénieure support"),
        team: ("Support", "Support"),
        hours_per_month: 3,
        skills: &[
            ("Incident response", 2, false, true),
            ("Kubernetes", 2, false, true),
        ],
        note: None,
    },
    Colleague {
        name: "Julien Roux",
        title: ("Security officer", "Responsable sécurité"),
        team: ("Operations", "Exploitation"),
        hours_per_month: 1,
        skills: &[("Security", 4, false, false)],
        note: None,
    },
    Colleague {
        name: "Inès Mercier",
        title: ("Junior developer", "Développeuse junior"),
        team: ("Engineering", "Ingénierie"),
        hours_per_month: 0,
        skills: &[("Rust", 2, false, true), ("Architecture", 1, false, true)],
        note: None,
    },
];

fn profile(lang: DemoLanguage, c: &Colleague) -> ProfilePatch {
    ProfilePatch {
        title: Some(pick(lang, c.title)),
        team: Some(pick(lang, c.team)),
        hours_per_month: Some(c.hours_per_month),
        open_to_mentoring: Some(c.hours_per_month > 0),
        ..ProfilePatch::default()
    }
}

fn claim_all(core: &mut Core, skills: &[(&str, u64, bool, bool)]) -> Result<(), NodeError> {
    for (skill, level, teach, wants) in skills {
        let level = domain::Level::from_number(*level)?;
        core.claim_skill(skill, level, *wants, *teach)?;
    }
    Ok(())
}

impl Core {
    /// Whether this data directory holds the demo workspace.
    pub fn is_demo(&self) -> Result<bool, NodeError> {
        Ok(self.store.setting(DEMO_SETTING)?.as_deref() == Some("1"))
    }
}

impl Node {
    /// Builds the demo workspace in `dir` (which must not exist yet), with `me` as the member
    /// exploring it, and opens it. `lang` is the language of its content.
    pub async fn create_demo(dir: &Path, me: &str, lang: DemoLanguage) -> Result<Node, NodeError> {
        let shown = dir.display().to_string();
        if dir.exists() {
            return Err(NodeError::AlreadyInitialised(shown));
        }
        let building = sibling(dir, "building");
        if building.exists() {
            fs::remove_dir_all(&building).map_err(NodeError::io(format!(
                "cannot clear the unfinished demo in {}",
                building.display()
            )))?;
        }
        build(&building, me, lang).await?;
        fs::rename(building.join("me"), dir)
            .map_err(NodeError::io(format!("cannot move the demo into {shown}")))?;
        // The colleagues' devices were only needed to write their documents.
        let _ = fs::remove_dir_all(&building);
        Node::open(dir).await
    }
}

/// `dir` with `.suffix` appended to its last component.
fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    dir.with_file_name(name)
}

async fn build(base: &Path, me_name: &str, lang: DemoLanguage) -> Result<(), NodeError> {
    let workspace = pick(lang, ("Demo — Acme Robotics", "Démo — Acme Robotique"));
    let me = Node::init(&base.join("me"), me_name, &workspace).await?;
    let mut ids = Vec::new();
    for (i, c) in TEAM.iter().enumerate() {
        let id = Node::init_device(&base.join(format!("colleague-{i}")))?;
        let name = c.name;
        let member = id.clone();
        me.call(move |core| core.add_member(&member, name)).await?;
        ids.push(id);
    }
    let me_id = me.call(|c| Ok(c.me.clone())).await?;
    let ws = me.call(|core| core.join_package()).await?;

    let mut team = Vec::new();
    for (i, c) in TEAM.iter().enumerate() {
        let node = Node::join(&base.join(format!("colleague-{i}")), &ws).await?;
        let patch = profile(lang, c);
        let note = c.note.map(|(title, body, tags)| NoteDraft {
            title: pick(lang, title),
            body: pick(lang, body),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            skills: c.skills.iter().take(1).map(|s| s.0.to_owned()).collect(),
            scope: None,
        });
        let skills = c.skills;
        node.call(move |core| {
            core.set_profile(patch)?;
            claim_all(core, skills)?;
            if let Some(note) = note {
                core.add_note(note)?;
            }
            Ok(())
        })
        .await?;
        team.push(node);
    }
    // Each colleague wrote their own profile on their own device: the workspace, with every
    // profile, goes round once so that everyone knows everyone.
    let ws_id = me.call(|c| Ok(c.workspace_id().to_owned())).await?;
    for node in &team {
        let id = ws_id.clone();
        let bytes = node.call(move |core| core.document_bytes(&id)).await?;
        me.call(move |core| core.receive(&bytes)).await?;
    }
    let merged = me.call(move |core| core.document_bytes(&ws_id)).await?;
    for node in &team {
        let bytes = merged.clone();
        node.call(move |core| core.receive(&bytes)).await?;
    }

    // The one exploring: a developer who wants to grow.
    me.call(move |core| {
        core.set_profile(ProfilePatch {
            title: Some(pick(lang, ("Developer", "Développeur·euse"))),
            team: Some(pick(lang, ("Engineering", "Ingénierie"))),
            hours_per_month: Some(2),
            open_to_mentoring: Some(true),
            ..ProfilePatch::default()
        })?;
        claim_all(core, &[("Rust", 2, false, true), ("SQL", 3, true, false)])?;
        core.add_note(NoteDraft {
            title: pick(lang, ("Style guide", "Guide de style")),
            body: pick(
                lang,
                (
                    "Name things for what they mean. Errors say what happened and what to do.\n",
                    "Nommer les choses pour ce qu’elles veulent dire. Une erreur dit ce qui s’est passé et quoi faire.\n",
                ),
            ),
            tags: vec!["engineering".into()],
            skills: vec!["Rust".into()],
            scope: None,
        })?;
        Ok(())
    })
    .await?;

    // Claire mentors the one exploring; they met once, 17 days ago, and meet every 14 days: the
    // next session is due (Home reminds of it).
    let mentee = me_id.clone();
    team[0]
        .call(move |core| {
            let goals = [
                pick(
                    lang,
                    ("Lead a design review", "Animer une revue de conception"),
                ),
                pick(
                    lang,
                    (
                        "Ship a feature end to end",
                        "Livrer une fonctionnalité de bout en bout",
                    ),
                ),
            ];
            let id =
                core.mentoring_start(&mentee, MentoringRole::Mentor, false, &goals, Some(14))?;
            let met = domain::time::rfc3339(now() - 17 * DAY_MS);
            core.mentoring_log(
                &id,
                45,
                Some(&met[..10]),
                &pick(
                    lang,
                    (
                        "Went through the last pull request together.",
                        "Relecture ensemble de la dernière pull request.",
                    ),
                ),
                vec!["Rust".into()],
                &[pick(
                    lang,
                    (
                        "Read the architecture notes",
                        "Lire les notes d’architecture",
                    ),
                )],
            )
        })
        .await?;

    // A codéveloppement session held last week: Sophie brought her case.
    let people: Vec<String> = vec![
        format!("{}:client", ids[2]),
        format!("{}:consultant", ids[0]),
        format!("{}:consultant", ids[3]),
        format!("{}:consultant", ids[5]),
        format!("{}:facilitator", ids[1]),
    ];
    let host = ids[1].clone();
    team[1]
        .call(move |core| {
            let week_ago = domain::time::rfc3339(now() - 7 * 24 * 3600 * 1000);
            let id = core.session_plan(
                "codev",
                &pick(
                    lang,
                    (
                        "How do I say no to a key customer?",
                        "Comment dire non à un client clé ?",
                    ),
                ),
                &week_ago,
                Some(75),
                &[host],
                &people,
                &["Negotiation".to_owned()],
                "workspace",
            )?;
            core.session_start(&id)?;
            let notes: [Both; 6] = [
                (
                    "The request would take the whole quarter.",
                    "La demande prendrait tout le trimestre.",
                ),
                (
                    "Who decided the date? What does the customer really need?",
                    "Qui a fixé la date ? De quoi le client a-t-il vraiment besoin ?",
                ),
                (
                    "The real need is one report, not the whole module.",
                    "Le vrai besoin est un rapport, pas tout le module.",
                ),
                (
                    "Offer the report now and a plan for the rest.",
                    "Proposer le rapport tout de suite et un plan pour le reste.",
                ),
                (
                    "I will call them with two options.",
                    "Je les appelle avec deux options.",
                ),
                (
                    "Asking about the date changed the whole picture.",
                    "Questionner la date a tout changé.",
                ),
            ];
            for text in notes {
                core.session_step(&id, &pick(lang, text))?;
            }
            let closing = domain::Closing {
                takeaways: vec![pick(
                    lang,
                    ("Ask who set the deadline", "Demander qui a fixé l’échéance"),
                )],
                rating: Some(5),
                actions: vec![pick(
                    lang,
                    (
                        "Call the customer with two options",
                        "Appeler le client avec deux options",
                    ),
                )],
                ..domain::Closing::default()
            };
            core.session_close(&id, closing)
        })
        .await?;

    // Today, Thomas answers one question on SQL for the one exploring and Nicolas (a flash
    // learning session at 16:00 UTC): Home lists it among today's sessions.
    let people = vec![
        format!("{}:referent", ids[3]),
        format!("{me_id}:participant"),
        format!("{}:participant", ids[5]),
    ];
    let host = ids[3].clone();
    team[3]
        .call(move |core| {
            let today = now() - now().rem_euclid(DAY_MS);
            let at = domain::time::rfc3339(today + 16 * 3600 * 1000);
            core.session_plan(
                "flash",
                &pick(
                    lang,
                    (
                        "Window functions in 20 minutes",
                        "Les fonctions de fenêtrage en 20 minutes",
                    ),
                ),
                &at,
                Some(20),
                &[host],
                &people,
                &["SQL".to_owned()],
                "workspace",
            )
        })
        .await?;

    // Kudos across the team.
    let thanks: [(usize, Option<usize>, Both); 3] = [
        (
            3,
            None,
            (
                "Thanks for the SQL help on the closing queries!",
                "Merci pour l’aide en SQL sur les requêtes de clôture !",
            ),
        ),
        (
            5,
            Some(2),
            (
                "Great preparation for the customer meeting.",
                "Super préparation du rendez-vous client.",
            ),
        ),
        (
            8,
            Some(0),
            (
                "Your review made my first pull request so much better.",
                "Ta relecture a nettement amélioré ma première pull request.",
            ),
        ),
    ];
    for (from, to, text) in thanks {
        let to = to.map_or_else(|| me_id.clone(), |t| ids[t].clone());
        team[from]
            .call(move |core| core.kudos_give(&to, &pick(lang, text), None))
            .await?;
    }

    // Everything the colleagues wrote reaches the demo's device.
    for node in &team {
        for id in node.call(|core| core.document_ids()).await? {
            let bytes = node.call(move |core| core.document_bytes(&id)).await?;
            me.call(move |core| core.receive(&bytes)).await?;
        }
    }
    me.call(|core| Ok(core.store.set_setting(DEMO_SETTING, "1")?))
        .await?;
    for node in team {
        node.shutdown().await?;
    }
    me.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_holds_a_team_with_their_work_and_is_marked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        let node = Node::create_demo(&dir, "Camille", DemoLanguage::Fr)
            .await
            .unwrap();
        assert!(node.call(|c| c.is_demo()).await.unwrap());
        let me = node.run(ipc::ops::Whoami {}).await.unwrap();
        assert_eq!(me.workspace_name, "Démo — Acme Robotique");
        assert_eq!(
            node.run(ipc::ops::Members {}).await.unwrap().len(),
            TEAM.len() + 1
        );
        let notes = node.call(|c| c.notes(None, None)).await.unwrap();
        assert!(notes.iter().any(|n| n.title == "Guide d’astreinte"));
        assert_eq!(node.run(ipc::ops::Mentorings {}).await.unwrap().len(), 1);
        let mut sessions = node.call(|c| c.sessions(false)).await.unwrap();
        sessions.sort_by(|a, b| a.at.cmp(&b.at));
        let status: Vec<&str> = sessions.iter().map(|s| s.status.as_str()).collect();
        assert_eq!(status, ["closed", "planned"]);
        // Home's reminders: the mentoring session is due, the flash session is today.
        let mut reminders: Vec<String> = node
            .run(ipc::ops::Reminders {})
            .await
            .unwrap()
            .into_iter()
            .map(|r| format!("{} {}", r.kind, r.subject))
            .collect();
        reminders.sort();
        assert_eq!(
            reminders,
            [
                "mentoring-due Claire Dubois",
                "session-today Les fonctions de fenêtrage en 20 minutes"
            ]
        );
        assert_eq!(node.run(ipc::ops::Kudos {}).await.unwrap().len(), 3);
        let helpers = node
            .run(ipc::ops::WhoCanHelp {
                skill: "SQL".into(),
            })
            .await
            .unwrap();
        assert_eq!(
            helpers.first().map(|h| h.name.as_str()),
            Some("Thomas Moreau")
        );
        // Suggested pairs: the reciprocal one first (Claire teaches Léa Rust, Léa teaches
        // Claire design); Claire and the visitor, already in a relationship, are not suggested.
        let pairs = node
            .run(ipc::ops::Suggestions { member: None })
            .await
            .unwrap();
        let first = &pairs[0];
        assert_eq!(
            (first.mentor.name.as_str(), first.mentee.name.as_str()),
            ("Claire Dubois", "Léa Fontaine")
        );
        assert_eq!(first.reciprocal.as_deref(), Some("design"));
        assert!(
            !pairs
                .iter()
                .any(|p| p.mentor.name == "Claire Dubois" && p.mentee.member_id == me.member_id),
            "{pairs:?}"
        );
        assert!(
            pairs
                .iter()
                .any(|p| p.mentor.member_id == me.member_id && p.skill == "sql")
        );
        // Only the finished demo is left: no half-built directory beside it.
        assert!(!sibling(&dir, "building").exists());
        // A second demo in the same place is refused, the first left as it was.
        node.shutdown().await.unwrap();
        assert!(matches!(
            Node::create_demo(&dir, "Camille", DemoLanguage::Fr).await,
            Err(NodeError::AlreadyInitialised(_))
        ));
        let reopened = Node::open(&dir).await.unwrap();
        assert!(reopened.call(|c| c.is_demo()).await.unwrap());
    }
}
