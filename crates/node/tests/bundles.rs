//! Changes carried across the air gap: a bundle made on one device for a colleague, applied on
//! theirs with no network, brings them what they lacked of what they may hold, and nothing else;
//! a bundle changed after it was signed, or made for someone else, is refused whole.

#![allow(clippy::unwrap_used)] // test code: a failure is the report

use std::path::Path;

use ipc::forms::NoteDraft;
use ipc::ops;
use node::bundle::BundleRefusal;
use node::runtime::{Action, Input, join_package, join_request};
use node::{Node, NodeError};
use sync::ticket::Ticket;

/// A newcomer in `dir` joins through `founder`'s lobby (the same exchange the network carries).
async fn join(founder: &Node, dir: &Path, name: &str) -> (Node, String) {
    let invite = ops::CreateInvite {
        admin: false,
        seconds: None,
        addrs: vec!["/ip4/127.0.0.1/tcp/9".into()],
    };
    let ticket = founder.run(invite).await.unwrap().ticket;
    let id = Node::init_device(dir).unwrap();
    let request = join_request(&Ticket::decode(&ticket).unwrap(), name, &id);
    let peer = id.clone();
    let actions = founder
        .call(move |c| {
            c.step(
                1,
                Input::JoinRequest {
                    peer,
                    id: 1,
                    request,
                },
            )
        })
        .await
        .unwrap();
    let Some(Action::JoinReply(_, response)) = actions.into_iter().next() else {
        panic!("the lobby did not answer");
    };
    let package = join_package(&response).unwrap();
    (Node::join(dir, &package).await.unwrap(), id)
}

fn note(title: &str, body: &str) -> NoteDraft {
    NoteDraft {
        title: title.into(),
        body: body.into(),
        tags: vec![],
        skills: vec![],
        scope: None,
    }
}

async fn titles(node: &Node) -> Vec<String> {
    let mut t: Vec<String> = node
        .run(ops::Notes {
            tag: None,
            skill: None,
        })
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.title)
        .collect();
    t.sort();
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_carries_what_its_recipient_may_hold_and_is_refused_whole_once_tampered() {
    let tmp = tempfile::tempdir().unwrap();
    let ana = Node::init(&tmp.path().join("ana"), "Ana", "Acme")
        .await
        .unwrap();
    ana.call(|c| c.step(0, Input::Started)).await.unwrap();
    let (bruno, bruno_id) = join(&ana, &tmp.path().join("bruno"), "Bruno").await;
    let (chloe, chloe_id) = join(&ana, &tmp.path().join("chloe"), "Chloé").await;

    ana.run(ops::AddNote {
        draft: note("Kiln maintenance", "Check the seals every month."),
    })
    .await
    .unwrap();
    ana.run(ops::AddNote {
        draft: note("Glaze recipes", "Cone 6, satin matte."),
    })
    .await
    .unwrap();
    // A review between Ana and Bruno: private to the two of them.
    let review = ana
        .run(ops::ReviewRequest {
            reviewer: bruno_id.clone(),
            about: "Weekly kiln audit plan".into(),
            template: ipc::sets::Template::StartStopContinue,
            criteria: vec![],
        })
        .await
        .unwrap();

    let out = tmp.path().join("out");
    let for_bruno = ana
        .run(ops::CreateBundle {
            member: "Bruno".into(),
            dir: out.display().to_string(),
        })
        .await
        .unwrap();
    let for_chloe = ana
        .run(ops::CreateBundle {
            member: chloe_id.clone(),
            dir: out.join("chloe.epbundle").display().to_string(),
        })
        .await
        .unwrap();
    assert_eq!(for_bruno.name, "Bruno");
    assert!(for_bruno.file.ends_with(".epbundle"), "{}", for_bruno.file);
    // The workspace document, two notes, and for Bruno the review.
    assert_eq!(for_chloe.documents + 1, for_bruno.documents);

    // No byte of the review reaches Chloé's bundle: every message about a document names it,
    // and its id is found in Bruno's (so the search can find it).
    let bruno_bytes = std::fs::read(&for_bruno.file).unwrap();
    let chloe_bytes = std::fs::read(&for_chloe.file).unwrap();
    let holds = |bytes: &[u8], text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(
        holds(&bruno_bytes, &review),
        "the review's id is not in Bruno's bundle"
    );
    assert!(
        !holds(&chloe_bytes, &review),
        "the review's id is in Chloé's bundle"
    );

    // Tampered: one byte of a note changed after signing. Refused whole, nothing applied.
    let tampered = tmp.path().join("tampered.epbundle");
    let mut bytes = bruno_bytes.clone();
    let at = bytes
        .windows(b"Glaze".len())
        .position(|w| w == b"Glaze")
        .unwrap_or(bytes.len() / 2);
    bytes[at] ^= 0x20;
    std::fs::write(&tampered, &bytes).unwrap();
    let refused = bruno
        .run(ops::ApplyBundle {
            file: tampered.display().to_string(),
        })
        .await;
    assert!(
        matches!(refused, Err(NodeError::Bundle(BundleRefusal::BadSignature))),
        "{refused:?}"
    );
    assert!(titles(&bruno).await.is_empty());
    // Made for Chloé: refused on Bruno's device.
    let refused = bruno
        .run(ops::ApplyBundle {
            file: for_chloe.file.clone(),
        })
        .await;
    assert!(
        matches!(&refused, Err(NodeError::Bundle(BundleRefusal::NotForYou(to))) if *to == chloe_id),
        "{refused:?}"
    );
    assert!(titles(&bruno).await.is_empty());

    // Applied with no network: Bruno holds the notes and the review, and learns of Chloé's
    // membership from the log it carries.
    let applied = bruno
        .run(ops::ApplyBundle {
            file: for_bruno.file.clone(),
        })
        .await
        .unwrap();
    assert_eq!((applied.name.as_str(), applied.refused), ("Ana", None));
    // Chloé's invite and admission, which Bruno had not seen.
    assert_eq!(applied.entries, 2);
    // The two notes and the review; the workspace document is as Bruno received it on joining.
    assert_eq!((applied.documents, for_bruno.documents), (3, 4));
    assert_eq!(titles(&bruno).await, titles(&ana).await);
    assert_eq!(bruno.run(ops::Reviews {}).await.unwrap().len(), 1);
    let applied = chloe
        .run(ops::ApplyBundle {
            file: for_chloe.file.clone(),
        })
        .await
        .unwrap();
    assert_eq!(applied.refused, None);
    assert_eq!(
        applied.entries, 0,
        "Chloé joined last: she lacked no membership entry"
    );
    assert_eq!(titles(&chloe).await, titles(&ana).await);
    assert!(chloe.run(ops::Reviews {}).await.unwrap().is_empty());
    // A second time: nothing new.
    let again = bruno
        .run(ops::ApplyBundle {
            file: for_bruno.file.clone(),
        })
        .await
        .unwrap();
    assert_eq!((again.documents, again.entries), (0, 0));

    // Bruno writes and sends back; Ana's notes converge with his.
    bruno
        .run(ops::AddNote {
            draft: note("Firing log", "Bisque at 1000 °C."),
        })
        .await
        .unwrap();
    let back = bruno
        .run(ops::CreateBundle {
            member: "Ana".into(),
            dir: out.join("back.epbundle").display().to_string(),
        })
        .await
        .unwrap();
    let applied = ana.run(ops::ApplyBundle { file: back.file }).await.unwrap();
    assert_eq!(applied.refused, None);
    assert_eq!(titles(&ana).await, titles(&bruno).await);
    assert_eq!(titles(&ana).await.len(), 3);

    // Not for oneself, and a file that is no bundle is named as such.
    let mine = ana
        .run(ops::CreateBundle {
            member: "Ana".into(),
            dir: out.display().to_string(),
        })
        .await;
    assert!(matches!(mine, Err(NodeError::Invalid(_))), "{mine:?}");
    let not_one = tmp.path().join("note.txt");
    std::fs::write(&not_one, "hello").unwrap();
    let refused = ana
        .run(ops::ApplyBundle {
            file: not_one.display().to_string(),
        })
        .await;
    assert!(
        matches!(refused, Err(NodeError::Bundle(BundleRefusal::NotABundle))),
        "{refused:?}"
    );
}
