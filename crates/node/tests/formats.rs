//! The formats across several members' devices: documents are carried between nodes by hand
//! (as the network will), each member acts on their own device, and the contribution report
//! counts confirmed time only.

#![allow(clippy::unwrap_used)] // a failed unwrap is a test failure, with its location

use node::formats::{GoalChange, MentoringRole};
use node::{Node, NoteDraft};

struct Member {
    _tmp: tempfile::TempDir,
    node: Node,
    id: String,
}

async fn team(names: &[&str]) -> Vec<Member> {
    let tmp = tempfile::tempdir().unwrap();
    let admin = Node::init(&tmp.path().join("data"), names[0], "Acme")
        .await
        .unwrap();
    let admin_id = admin.run(ipc::ops::Whoami {}).await.unwrap().member_id;
    let mut out = vec![Member {
        _tmp: tmp,
        node: admin,
        id: admin_id,
    }];
    for name in &names[1..] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let id = Node::init_device(&dir).unwrap();
        out[0]
            .node
            .add_member(id.clone(), name.to_string())
            .await
            .unwrap();
        let package = out[0].node.join_package().await.unwrap();
        let node = Node::join(&dir, &package).await.unwrap();
        out.push(Member {
            _tmp: tmp,
            node,
            id,
        });
    }
    // Everyone gets the final member list.
    for i in 1..out.len() {
        share_workspace(&out, 0, i).await;
    }
    out
}

async fn deliver(from: &Node, to: &Node, doc: &str) {
    let bytes = from.document_bytes(doc.to_owned()).await.unwrap();
    to.receive(bytes).await.unwrap();
}

async fn share_workspace(team: &[Member], from: usize, to: usize) {
    let log = team[from].node.membership_entries().await.unwrap();
    team[to].node.add_membership_entries(log).await.unwrap();
    let ws = team[from]
        .node
        .run(ipc::ops::Whoami {})
        .await
        .unwrap()
        .workspace_id;
    deliver(&team[from].node, &team[to].node, &ws).await;
}

#[tokio::test]
async fn the_report_credits_confirmed_minutes_only() {
    let t = team(&["Hana", "Bruno", "Chloé", "Dalia", "Emil"]).await;
    let (h, b, c, d, e) = (&t[0], &t[1], &t[2], &t[3], &t[4]);
    h.node
        .run(ipc::ops::ClaimSkill {
            name: "SQL".into(),
            level: domain::Level::Referent as u8,
            wants: false,
            teach: true,
        })
        .await
        .unwrap();
    share_workspace(&t, 0, 2).await;

    // A lunch & learn hosted by Hana for Dalia and Emil, 45 minutes; Dalia confirms.
    let s = h
        .node
        .run(ipc::ops::SessionPlan {
            draft: ipc::forms::SessionDraft {
                format: ipc::sets::FormatId::LunchLearn,
                title: "Window functions".into(),
                at: "2026-11-20T12:00:00Z".into(),
                minutes: Some(45),
                hosts: vec![],
                participants: vec![d.id.clone(), format!("{}:attendee", e.id)],
                skills: vec!["SQL".into()],
                scope: Some("workspace".into()),
            },
        })
        .await
        .unwrap();
    h.node
        .run(ipc::ops::SessionStart { id: s.clone() })
        .await
        .unwrap();
    for notes in [
        "OVER, PARTITION BY",
        "ranking questions",
        "more exercises next time",
    ] {
        h.node
            .run(ipc::ops::SessionStep {
                id: s.clone(),
                notes: notes.into(),
            })
            .await
            .unwrap();
    }
    h.node
        .run(ipc::ops::SessionClose {
            id: s.clone(),
            takeaways: vec!["Use window functions".into()],
            rating: Some(5),
            actions: vec![],
            attended: vec![],
        })
        .await
        .unwrap();
    deliver(&h.node, &d.node, &s).await;
    let credit = d
        .node
        .run(ipc::ops::Credits { member: None })
        .await
        .unwrap();
    assert_eq!(credit.len(), 1);
    let refused = h
        .node
        .run(ipc::ops::ConfirmCredit {
            id: credit[0].id.clone(),
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("you cannot confirm your own contribution"),
        "no self-confirmation: {refused}"
    );
    d.node
        .run(ipc::ops::ConfirmCredit {
            id: credit[0].id.clone(),
        })
        .await
        .unwrap();
    deliver(&d.node, &h.node, &s).await;

    // Hana mentors Bruno: 60 minutes confirmed, 30 minutes not (yet).
    let m = h
        .node
        .run(ipc::ops::MentoringStart {
            draft: ipc::forms::MentoringDraft {
                with: b.id.clone(),
                role: MentoringRole::Mentor,
                reverse: false,
                goals: vec!["Own the data model".into()],
                cadence_days: Some(14),
            },
        })
        .await
        .unwrap();
    h.node
        .run(ipc::ops::MentoringLog {
            log: ipc::forms::LogDraft {
                id: m.clone(),
                minutes: 60,
                date: Some("2026-11-10".into()),
                notes: "Normal forms".into(),
                topics: vec![],
                actions: vec!["Read chapter 3".into()],
            },
        })
        .await
        .unwrap();
    deliver(&h.node, &b.node, &m).await;
    let first = b
        .node
        .run(ipc::ops::Credits { member: None })
        .await
        .unwrap()[0]
        .id
        .clone();
    b.node
        .run(ipc::ops::ConfirmCredit { id: first })
        .await
        .unwrap();
    b.node
        .run(ipc::ops::MentoringGoal {
            id: m.clone(),
            change: GoalChange::Progress {
                goal: "1".into(),
                percent: 50,
            },
        })
        .await
        .unwrap();
    let action = b
        .node
        .run(ipc::ops::Actions {
            mine: true,
            overdue: false,
        })
        .await
        .unwrap()[0]
        .id
        .clone();
    b.node
        .run(ipc::ops::ActionDone { id: action })
        .await
        .unwrap();
    deliver(&b.node, &h.node, &m).await;
    h.node
        .run(ipc::ops::MentoringLog {
            log: ipc::forms::LogDraft {
                id: m.clone(),
                minutes: 30,
                date: Some("2026-11-24".into()),
                notes: "Indexes".into(),
                topics: vec![],
                actions: vec![],
            },
        })
        .await
        .unwrap();
    let shown = h
        .node
        .run(ipc::ops::Mentoring { id: m.clone() })
        .await
        .unwrap();
    assert_eq!(shown.goals[0].progress, 50, "Bruno's progress reached Hana");
    assert!(shown.actions[0].done);

    // Chloé asks Hana for a review; Hana writes 20 minutes' worth; Chloé acknowledges and confirms.
    let r = c
        .node
        .run(ipc::ops::ReviewRequest {
            reviewer: h.id.clone(),
            about: "my migration plan".into(),
            template: ipc::sets::Template::StartStopContinue,
            criteria: vec![],
        })
        .await
        .unwrap();
    deliver(&c.node, &h.node, &r).await;
    let err = h
        .node
        .run(ipc::ops::ReviewSubmit {
            id: r.clone(),
            minutes: 20,
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("empty"), "{err}");
    h.node
        .run(ipc::ops::ReviewWrite {
            draft: ipc::forms::ReviewDraft {
                id: r.clone(),
                answers: vec![("continue".into(), "Small steps with rollbacks.".into())],
                ratings: vec![],
            },
        })
        .await
        .unwrap();
    h.node
        .run(ipc::ops::ReviewSubmit {
            id: r.clone(),
            minutes: 20,
        })
        .await
        .unwrap();
    let refused = h
        .node
        .run(ipc::ops::ReviewWrite {
            draft: ipc::forms::ReviewDraft {
                id: r.clone(),
                answers: vec![("stop".into(), "x".into())],
                ratings: vec![],
            },
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("this review was submitted and can no longer be changed"),
        "{refused}"
    );
    deliver(&h.node, &c.node, &r).await;
    c.node
        .run(ipc::ops::ReviewAck {
            id: r.clone(),
            reply: "Thank you!".into(),
        })
        .await
        .unwrap();
    let review_credit = c
        .node
        .run(ipc::ops::Credits { member: None })
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.kind == ipc::sets::CreditKind::Review)
        .unwrap();
    c.node
        .run(ipc::ops::ConfirmCredit {
            id: review_credit.id,
        })
        .await
        .unwrap();
    deliver(&c.node, &h.node, &r).await;

    // A private review never reaches a third member, even handed over directly.
    let bytes = h.node.document_bytes(r.clone()).await.unwrap();
    let err = e.node.receive(bytes).await.unwrap_err().to_string();
    assert!(err.contains("not entitled"), "{err}");
    let missing = e.node.run(ipc::ops::Review { id: r.clone() }).await;
    assert!(
        matches!(missing, Err(node::NodeError::NotFound(_))),
        "{missing:?}"
    );

    // Kudos from Bruno and an endorsement from Chloé, in the workspace document.
    share_workspace(&t, 0, 1).await;
    b.node
        .run(ipc::ops::GiveKudos {
            member: h.id.clone(),
            message: "Patient and precise".into(),
            skill: Some("sql".into()),
        })
        .await
        .unwrap();
    share_workspace(&t, 1, 0).await;
    share_workspace(&t, 0, 2).await;
    c.node
        .run(ipc::ops::Endorse {
            member: h.id.clone(),
            skill: "SQL".into(),
            comment: "".into(),
        })
        .await
        .unwrap();
    share_workspace(&t, 2, 0).await;

    let report = h
        .node
        .run(ipc::ops::Report {
            member: None,
            since: Some("2026-01-01".into()),
            language: None,
        })
        .await
        .unwrap();
    let data = &report.report;
    assert_eq!(data.credited_minutes, 45 + 60 + 20, "{data:?}");
    assert_eq!(
        data.pending_minutes, 30,
        "the second mentoring log is unconfirmed"
    );
    assert_eq!(data.sessions_hosted.len(), 1);
    assert_eq!(data.people_mentored, [("Bruno".to_owned(), 2, 90)]);
    assert_eq!(data.reviews_given.len(), 1);
    assert_eq!(data.kudos_received.len(), 1);
    assert_eq!(data.skills_endorsed, [("SQL".to_owned(), 1)]);
    let md = &report.markdown;
    for want in [
        "# Contributions of Hana",
        "Credited time: 2h05",
        "Window functions",
        "Bruno: 2 session(s), 1h30",
        "for Chloé: my migration plan",
        "Patient and precise",
        "SQL: 1 endorsement(s)",
        "## Sharing record",
        "- Sessions given: 1",
        "- Minutes given and confirmed: 45",
    ] {
        assert!(md.contains(want), "missing {want:?} in:\n{md}");
    }
    assert_eq!(
        (report.sharing.sessions, report.sharing.minutes_given),
        (1, 45)
    );
    // The same report in French, for the same period.
    let fr = h
        .node
        .run(ipc::ops::Report {
            member: None,
            since: Some("2026-01-01".into()),
            language: Some("fr".into()),
        })
        .await
        .unwrap()
        .markdown;
    for want in [
        "# Contributions de Hana",
        "Période : du 2026-01-01 au",
        "Temps crédité : 2h05",
        "Bruno : 2 séance(s), 1h30",
        "## Bilan de partage",
        "- Minutes données et confirmées : 45",
    ] {
        assert!(fr.contains(want), "missing {want:?} in:\n{fr}");
    }
    let refused = h
        .node
        .run(ipc::ops::Report {
            member: None,
            since: None,
            language: Some("de".into()),
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("unknown language 'de'"), "{refused}");
    let balance = h
        .node
        .run(ipc::ops::Balance { member: None })
        .await
        .unwrap();
    assert_eq!((balance.given_minutes, balance.received_minutes), (125, 0));
    let bruno = b
        .node
        .run(ipc::ops::Balance { member: None })
        .await
        .unwrap();
    assert_eq!(bruno.received_minutes, 60);
}

/// A flash session: Hana plans it, Bruno is the referent who answers, Chloé and Dalia ask.
async fn flash(t: &[Member], title: &str) -> String {
    let (h, b, c, d) = (&t[0], &t[1], &t[2], &t[3]);
    h.node
        .run(ipc::ops::SessionPlan {
            draft: ipc::forms::SessionDraft {
                format: ipc::sets::FormatId::Flash,
                title: title.into(),
                at: "2026-11-20T16:00:00Z".into(),
                minutes: Some(20),
                hosts: vec![],
                participants: vec![
                    format!("{}:referent", b.id),
                    c.id.clone(),
                    format!("{}:participant", d.id),
                ],
                skills: vec!["SQL".into()],
                scope: Some("workspace".into()),
            },
        })
        .await
        .unwrap()
}

async fn step_through(node: &Node, id: &str, notes: &[&str]) {
    node.run(ipc::ops::SessionStart { id: id.into() })
        .await
        .unwrap();
    for notes in notes {
        node.run(ipc::ops::SessionStep {
            id: id.into(),
            notes: (*notes).into(),
        })
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn the_referent_is_credited_and_the_flash_session_leaves_its_takeaway_note() {
    let t = team(&["Hana", "Bruno", "Chloé", "Dalia"]).await;
    let (h, b, c, d) = (&t[0], &t[1], &t[2], &t[3]);
    let close = |id: &str, attended: Vec<String>| ipc::ops::SessionClose {
        id: id.into(),
        takeaways: vec![],
        rating: Some(4),
        actions: vec![],
        attended,
    };

    // With nothing written in the Takeaway step and no takeaway, it does not close.
    let empty = flash(&t, "Why is this query slow?").await;
    step_through(
        &h.node,
        &empty,
        &["Why is it slow?", "Look at the plan.", ""],
    )
    .await;
    let refused = h
        .node
        .run(close(&empty, vec![]))
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("one-page takeaway"), "{refused}");
    let still = h.node.run(ipc::ops::Session { id: empty }).await.unwrap();
    assert_eq!(
        still.status,
        ipc::sets::SessionStatus::Running,
        "nothing closed"
    );

    // Dalia did not come; Bruno explained; Chloé came.
    let s = flash(&t, "Reading a query plan").await;
    let page = "Run EXPLAIN ANALYZE before adding an index.";
    step_through(
        &h.node,
        &s,
        &["How do I read a plan?", "Bottom up, by cost.", page],
    )
    .await;
    h.node
        .run(close(&s, vec![c.id.clone(), b.id.clone()]))
        .await
        .unwrap();
    let closed = h
        .node
        .run(ipc::ops::Session { id: s.clone() })
        .await
        .unwrap();
    let came: Vec<&str> = closed
        .attended
        .iter()
        .map(|w| w.member_id.as_str())
        .collect();
    assert_eq!(came, [&c.id, &b.id]);

    // The takeaway is a real note, in the session's scope, about its skills.
    let note_id = closed.takeaway_note.clone().expect("a takeaway note");
    let note = h.node.run(ipc::ops::Note { id: note_id }).await.unwrap();
    assert_eq!(note.title, "Takeaway: Reading a query plan");
    assert!(note.body.contains(page), "{}", note.body);
    assert_eq!(note.skills, ["sql"], "the skill's id");
    assert_eq!(note.tags, ["takeaway"]);
    assert_eq!(note.author, h.id);

    // Hana hosted and Bruno presented; each credited to Chloé alone, who came.
    let credits = h
        .node
        .run(ipc::ops::Credits { member: None })
        .await
        .unwrap();
    let mut given: Vec<(&str, ipc::sets::CreditKind, Vec<&str>, u32)> = credits
        .iter()
        .map(|c| {
            let to = c.receivers.iter().map(|r| r.member_id.as_str()).collect();
            (c.giver.member_id.as_str(), c.kind, to, c.minutes)
        })
        .collect();
    given.sort_by_key(|g| g.1.as_str());
    let kind = ipc::sets::CreditKind::SessionHosted;
    let spoke = ipc::sets::CreditKind::SessionPresented;
    assert_eq!(
        given,
        [
            (h.id.as_str(), kind, vec![c.id.as_str()], 20),
            (b.id.as_str(), spoke, vec![c.id.as_str()], 20),
        ]
    );
    let bruno_s = credits
        .iter()
        .find(|c| c.giver.member_id == b.id)
        .unwrap()
        .id
        .clone();
    for member in [c, d] {
        deliver(&h.node, &member.node, &s).await;
    }
    let refused = d
        .node
        .run(ipc::ops::ConfirmCredit {
            id: bruno_s.clone(),
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("only someone who received this time can confirm it"),
        "Dalia did not come: {refused}"
    );
    c.node
        .run(ipc::ops::ConfirmCredit { id: bruno_s })
        .await
        .unwrap();
    deliver(&c.node, &b.node, &s).await;
    let balance = b
        .node
        .run(ipc::ops::Balance { member: None })
        .await
        .unwrap();
    assert_eq!(balance.given_minutes, 20, "Bruno's time is confirmed");
}

#[tokio::test]
async fn received_documents_are_checked_before_anything_is_stored() {
    let t = team(&["Ana", "Ben"]).await;
    let (a, b) = (&t[0], &t[1]);
    let note = a
        .node
        .run(ipc::ops::AddNote {
            draft: NoteDraft {
                title: "Shared".into(),
                body: "hello".into(),
                ..NoteDraft::default()
            },
        })
        .await
        .unwrap();
    deliver(&a.node, &b.node, &note).await;
    assert_eq!(
        b.node
            .run(ipc::ops::Note { id: note.clone() })
            .await
            .unwrap()
            .body,
        "hello"
    );

    // Garbage, truncation and a document of another workspace are refused.
    let good = a.node.document_bytes(note.clone()).await.unwrap();
    for bad in [
        b"garbage".to_vec(),
        good[..good.len() / 2].to_vec(),
        Vec::new(),
    ] {
        assert!(b.node.receive(bad).await.is_err());
    }
    let tmp = tempfile::tempdir().unwrap();
    let stranger = Node::init(&tmp.path().join("s"), "Stranger", "Elsewhere")
        .await
        .unwrap();
    let foreign = stranger
        .run(ipc::ops::AddNote {
            draft: NoteDraft {
                title: "x".into(),
                body: "y".into(),
                ..NoteDraft::default()
            },
        })
        .await
        .unwrap();
    let err = b
        .node
        .receive(stranger.document_bytes(foreign).await.unwrap())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("not entitled"), "{err}");

    // A personal note stays with its owner.
    let draft = a
        .node
        .run(ipc::ops::AddNote {
            draft: NoteDraft {
                title: "Draft".into(),
                body: "mine".into(),
                scope: Some("personal".into()),
                ..NoteDraft::default()
            },
        })
        .await
        .unwrap();
    let err = b
        .node
        .receive(a.node.document_bytes(draft).await.unwrap())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("not entitled"), "{err}");
    assert!(
        b.node
            .run(ipc::ops::Doctor {
                rebuild_index: false
            })
            .await
            .unwrap()
            .ok
    );
}

async fn mentor(from: &Member, with: &Member) {
    from.node
        .run(ipc::ops::MentoringStart {
            draft: ipc::forms::MentoringDraft {
                with: with.id.clone(),
                role: MentoringRole::Mentor,
                reverse: false,
                goals: vec![],
                cadence_days: Some(14),
            },
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn the_programme_counts_what_happened_and_shows_private_documents_only_as_counts_of_three() {
    let t = team(&["Hana", "Bruno", "Chloé", "Dalia"]).await;
    let (h, b, c, d) = (&t[0], &t[1], &t[2], &t[3]);
    for i in 1..t.len() {
        share_workspace(&t, i, 0).await;
    }
    // Hana is the only referent in SQL: one skill at risk, since her claim (today).
    h.node
        .run(ipc::ops::ClaimSkill {
            name: "SQL".into(),
            level: domain::Level::Referent as u8,
            wants: false,
            teach: true,
        })
        .await
        .unwrap();
    // October: Hana's lunch & learn for Chloé and Dalia, rated 3; Dalia confirms the time.
    let lunch = h
        .node
        .run(ipc::ops::SessionPlan {
            draft: ipc::forms::SessionDraft {
                format: ipc::sets::FormatId::LunchLearn,
                title: "Window functions".into(),
                at: "2026-10-15T12:00:00Z".into(),
                minutes: Some(45),
                hosts: vec![],
                participants: vec![c.id.clone(), d.id.clone()],
                skills: vec![],
                scope: None,
            },
        })
        .await
        .unwrap();
    step_through(&h.node, &lunch, &["talk", "questions", "feedback"]).await;
    let closing = ipc::ops::SessionClose {
        id: lunch.clone(),
        takeaways: vec![],
        rating: Some(3),
        actions: vec![],
        attended: vec![],
    };
    h.node.run(closing).await.unwrap();
    // November: the flash session, Bruno's time confirmed by Chloé (Hana's is not).
    let s = flash(&t, "Reading a query plan").await;
    step_through(&h.node, &s, &["q", "a", "Bottom up, by cost."]).await;
    let closing = ipc::ops::SessionClose {
        id: s.clone(),
        takeaways: vec![],
        rating: Some(4),
        actions: vec![],
        attended: vec![c.id.clone(), b.id.clone()],
    };
    h.node.run(closing).await.unwrap();
    for (doc, by, giver) in [(&lunch, d, &h.id), (&s, c, &b.id)] {
        deliver(&h.node, &by.node, doc).await;
        let credit = by
            .node
            .run(ipc::ops::Credits { member: None })
            .await
            .unwrap();
        let id = credit
            .iter()
            .find(|x| &x.giver.member_id == giver)
            .unwrap()
            .id
            .clone();
        by.node.run(ipc::ops::ConfirmCredit { id }).await.unwrap();
        deliver(&by.node, &h.node, doc).await;
    }
    // Two mentoring relationships: too few to say anything about them.
    mentor(h, b).await;
    mentor(h, c).await;
    let since = Some("2026-10-01".to_owned());
    let p = h
        .node
        .run(ipc::ops::Programme {
            since: since.clone(),
        })
        .await
        .unwrap();
    assert_eq!(p.since, "2026-10-01");
    assert_eq!(p.mentoring, None, "2 relationships are fewer than 3");
    assert_eq!(p.reviews_submitted, None);

    let month = |m: &str| p.months.iter().find(|x| x.month == m).unwrap().clone();
    let held = |m: &str| {
        month(m)
            .held
            .iter()
            .map(|h| (h.format, h.sessions))
            .collect::<Vec<_>>()
    };
    use ipc::sets::FormatId::{Flash, LunchLearn};
    assert_eq!(held("2026-10"), [(LunchLearn, 1)]);
    assert_eq!(held("2026-11"), [(Flash, 1)]);
    // Hana with Chloé and Dalia; Hana with those who came, Chloé and Bruno.
    assert_eq!(
        (month("2026-10").participants, month("2026-11").participants),
        (3, 3)
    );
    assert_eq!(p.participants, 4);
    let format = |f| p.formats.iter().find(|x| x.format == f).unwrap();
    assert_eq!((format(Flash).held, format(Flash).rating), (1, Some(4.0)));
    assert_eq!(
        (format(LunchLearn).held, format(LunchLearn).rating),
        (1, Some(3.0))
    );
    assert_eq!(p.formats.len(), ipc::sets::FormatId::ALL.len());

    let name = |id: &str| t.iter().position(|m| m.id == id).unwrap();
    let reciprocity: Vec<(usize, u32, u32)> = p
        .reciprocity
        .iter()
        .map(|r| (name(&r.who.member_id), r.given, r.received))
        .collect();
    // Hana 45 given; Bruno 20; Chloé received 45 + 20; Dalia 45. Hana's flash time: unconfirmed.
    assert_eq!(
        reciprocity,
        [(0, 45, 0), (1, 20, 0), (2, 0, 65), (3, 0, 45)]
    );
    assert_eq!(p.give_and_receive, 0);

    let risk: Vec<(String, u32)> = p
        .at_risk
        .iter()
        .map(|r| (r.month.clone(), r.skills))
        .collect();
    assert_eq!(
        risk[0],
        ("2026-10".to_owned(), 0),
        "the claim is from today"
    );
    assert_eq!(risk.last().unwrap().1, 1);

    let sharing: Vec<(usize, u32, u32, u32)> = p
        .sharing
        .iter()
        .map(|s| (name(&s.who.member_id), s.notes, s.sessions, s.minutes_given))
        .collect();
    // Hana hosted both and wrote the takeaway note; Bruno spoke once.
    assert_eq!(sharing, [(0, 1, 2, 45), (1, 0, 1, 20)]);
    let mine = h.node.run(ipc::ops::Sharing {
        member: Some(b.id.clone()),
        since: since.clone(),
    });
    assert_eq!(mine.await.unwrap(), p.sharing[1]);

    // A third relationship: now the counts are shown, and nothing names anyone.
    mentor(h, d).await;
    let p = h
        .node
        .run(ipc::ops::Programme {
            since: since.clone(),
        })
        .await
        .unwrap();
    let m = p.mentoring.clone().expect("3 relationships are shown");
    assert_eq!((m.active, m.on_cadence, m.sessions), (3, 3, 0));
    let file = |format| {
        h.node.run(ipc::ops::ProgrammeFile {
            since: since.clone(),
            format,
        })
    };
    let md = file(ipc::sets::FileFormat::Markdown).await.unwrap();
    assert!(
        md.text
            .contains("3 active mentoring relationships, 3 on cadence"),
        "{}",
        md.text
    );
    assert!(md.name.starts_with("programme-") && md.name.ends_with(".md"));
    let csv = file(ipc::sets::FileFormat::Csv).await.unwrap().text;
    assert!(
        csv.contains("2026-10,lunch-learn,1\n2026-11,flash,1\n"),
        "{csv}"
    );
    assert!(csv.contains("\nflash,1,3,4.0\n"), "{csv}");
    let refused = h
        .node
        .run(ipc::ops::Programme {
            since: Some("1900-01-01".into()),
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("more than ten years back"), "{refused}");
}

/// A session `minutes_from_now` ahead, with `with` taking part.
async fn session_in(from: &Member, with: &Member, title: &str, minutes_from_now: i64) -> String {
    let at = chrono::Utc::now() + chrono::Duration::minutes(minutes_from_now);
    from.node
        .run(ipc::ops::SessionPlan {
            draft: ipc::forms::SessionDraft {
                format: ipc::sets::FormatId::Aar,
                title: title.into(),
                at: at.to_rfc3339(),
                minutes: Some(30),
                hosts: vec![],
                participants: vec![with.id.clone()],
                skills: vec![],
                scope: None,
            },
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn notices_come_once_each_in_the_readers_language_and_not_when_switched_off() {
    let mut t = team(&["Hana", "Bruno"]).await;
    let soon = session_in(&t[0], &t[1], "Launch review", 10).await;
    let later = session_in(&t[0], &t[1], "Retro", 5 * 60).await;
    let far = session_in(&t[0], &t[1], "Next month", 40 * 24 * 60).await;
    for doc in [&soon, &later, &far] {
        deliver(&t[0].node, &t[1].node, doc).await;
    }
    let b = &t[1].node;
    let notices = b.run(ipc::ops::Notices {}).await.unwrap();
    let seen: Vec<(ipc::sets::NoticeKind, &str, &str)> = notices
        .iter()
        .map(|n| (n.kind, n.title.as_str(), n.doc.as_str()))
        .collect();
    use ipc::sets::NoticeKind::{SessionSoon, SessionTomorrow};
    let mut want = vec![
        (SessionSoon, "In 15 minutes: Launch review", soon.as_str()),
        (SessionTomorrow, "Tomorrow: Retro", later.as_str()),
    ];
    let mut seen_sorted = seen.clone();
    seen_sorted.sort_by_key(|n| n.2);
    want.sort_by_key(|n| n.2);
    assert_eq!(seen_sorted, want, "nothing for the session in a month");

    // Raised once: not again, even after a restart.
    let soon_key = notices.iter().find(|n| n.doc == soon).unwrap().key.clone();
    b.run(ipc::ops::NoticesRaised {
        keys: vec![soon_key],
    })
    .await
    .unwrap();
    let left = b.run(ipc::ops::Notices {}).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].doc, later);
    let dir = b.data_dir().to_owned();
    let bruno = t.remove(1);
    bruno.node.shutdown().await.unwrap();
    let b = node::Node::open(&dir).await.unwrap();
    let again = b.run(ipc::ops::Notices {}).await.unwrap();
    assert_eq!(again.len(), 1, "the raised one stays raised: {again:?}");

    // In French, and none while switched off.
    b.run(ipc::ops::SetLanguage {
        language: "fr".into(),
    })
    .await
    .unwrap();
    let fr = b.run(ipc::ops::Notices {}).await.unwrap();
    assert_eq!(fr[0].title, "Demain : Retro");
    let refused = b
        .run(ipc::ops::SetLanguage {
            language: "de".into(),
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("unknown language 'de'"), "{refused}");
    b.run(ipc::ops::SetNotifications { on: false })
        .await
        .unwrap();
    assert!(!b.run(ipc::ops::Notifications {}).await.unwrap());
    assert_eq!(b.run(ipc::ops::Notices {}).await.unwrap(), []);
    b.run(ipc::ops::SetNotifications { on: true })
        .await
        .unwrap();
    assert_eq!(b.run(ipc::ops::Notices {}).await.unwrap().len(), 1);
    drop(bruno._tmp);
}
