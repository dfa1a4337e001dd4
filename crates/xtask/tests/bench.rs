//! The benchmark harness at a reduced size, so it cannot rot: every measure runs (the
//! automerge-repo and samod comparisons included), each reports finite figures, and the report is written.
//! Goals are not judged here: this build is unoptimised and the machine is shared; the figures
//! that count come from `cargo xtask bench` (release).

#![allow(clippy::unwrap_used)] // test failures, with their location

use std::process::Command;

/// The rows of the measures in network namespaces.
const REACH: [&str; 4] = [
    "initial sync through the team's relay, both homes behind symmetric NATs, in network namespaces (506 documents)",
    "the same sync direct: A at a public address, B behind its NAT",
    "bytes on B's link for that sync: relayed",
    "from typing a code to holding the admin's note",
];

/// The rows of the desktop app beside the empty app, then on the bench's workspace.
const DESKTOP: [&str; 14] = [
    "the desktop app (debug build) on the demo: process start → first screen painted",
    "the empty Tauri 2 + Leptos app (`crates/empty-app`), same build: process start → first screen painted",
    "the desktop app: resident memory of its process 2 s after its first screen",
    "the empty app: resident memory of its process, the same",
    "the desktop app: resident memory of its WebKit web process, the same",
    "the empty app: resident memory of its WebKit web process, the same",
    "the desktop app: CPU time over the 2 s after its first screen was painted",
    "the empty app: CPU time over the same time",
    "the desktop app (debug build) on the bench's workspace (500 notes): a click on Notes → its first notes painted",
    "the same on the same workspace with 100 notes",
    "the desktop app: quick search over 500 notes, a query → its hits painted",
    "the desktop app: the skills map (10 members, 500 notes), a click on People → the map painted",
    "the desktop app: resident memory of its WebKit web process after those, 500 notes",
    "the same with 100 notes",
];

#[test]
fn the_harness_runs_every_measure_at_a_reduced_size() {
    // The two apps as `cargo test --workspace` builds them, beside this harness's binary.
    let built = std::path::Path::new(env!("CARGO_BIN_EXE_xtask"))
        .parent()
        .unwrap()
        .to_owned();
    let (desktop, empty) = (built.join("entrepairs-app"), built.join("empty-app"));
    assert!(
        desktop.exists() && empty.exists(),
        "the desktop app and the empty app are not built in {}: `cargo test --workspace` builds \
         them, or `cargo build -p entrepairs-app -p empty-app`",
        built.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("BENCHMARKS.md");
    std::fs::write(
        &out,
        format!("old figures\n{}\nanalysis to keep\n", xtask::report::MARKER),
    )
    .unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "bench",
            "--notes",
            "500",
            "--members",
            "10",
            "--private",
            "40",
            "--runs",
            "2",
            "--edits",
            "100",
            "--resync-docs",
            "200",
            "--peers",
            "5",
            "--searches",
            "50",
            "--scale-notes",
            "800",
            "--scale-members",
            "20",
            "--scale-private",
            "30",
            "--idle-secs",
            "2",
        ])
        .arg("--desktop-app")
        .arg(&desktop)
        .arg("--empty-app")
        .arg(&empty)
        .arg("--out")
        .arg(&out)
        .arg("--work")
        .arg(dir.path().join("work"))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{log}");
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(!md.contains("old figures"), "{md}");
    assert!(md.trim_end().ends_with("analysis to keep"), "{md}");
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| measure"))
        .collect();
    for expected in [
        "initial sync of two fresh peers over loopback TCP (506 documents)",
        "floor: in-process Automerge save + load",
        "Automerge's own sync protocol",
        "the check of every change B receives",
        "the same sync by automerge-repo",
        "the same sync by samod",
        "an edit on A visible on connected B (100 edits)",
        "re-sync of two peers sharing 200 unchanged documents",
        "the same comparison at 200 documents: automerge-repo",
        "the same comparison at 200 documents: samod",
        "bytes on the wire for one small note edit",
        "open data dir → ready (500 notes)",
        "search over 500 notes",
        "resident memory of a serving headless peer with 500 notes",
        "5 peers on loopback, one edit each, all converged",
        REACH[0],
        REACH[1],
        REACH[2],
        REACH[3],
        "evaluating the membership log: ",
        "the desktop app's Debian package",
        "at 800 notes and 20 members: initial sync (",
        "at 800 notes and 20 members: search",
        "at 800 notes and 20 members: open data dir → ready",
        "at 800 notes and 20 members: the programme's figures",
        "at 800 notes and 20 members: resident memory of a serving headless peer",
        "at 800 notes and 20 members: evaluating the membership log: ",
    ]
    .into_iter()
    .chain(DESKTOP)
    {
        let row = rows
            .iter()
            .find(|r| r.contains(expected))
            .unwrap_or_else(|| panic!("no row '{expected}' in\n{md}"));
        // A figure that could not be taken shows as "—": only the installer's may be missing
        // (the harness does not build the package), and the reach rows' where network
        // namespaces are not permitted (checked below).
        let median = row.split(" | ").nth(1).unwrap_or_default();
        let may_miss = expected.starts_with("the desktop app's Debian package")
            || (xtask::netns::unavailable().is_some() && REACH.contains(&expected));
        assert!(
            may_miss
                || !(median.is_empty()
                    || median == "—"
                    || median.contains("NaN")
                    || median.contains("inf")),
            "a figure is missing: {row}"
        );
    }
    // The log replayed holds every member generated, at both sizes.
    for (prefix, members) in [
        ("| evaluating", 10),
        ("| at 800 notes and 20 members: evaluating", 20),
    ] {
        assert!(
            rows.iter()
                .any(|r| r.starts_with(prefix)
                    && r.contains(&format!(" entries, {members} members |"))),
            "no log row of {members} members in\n{md}"
        );
    }
    assert!(!md.contains("did not complete"), "{md}");
    // The reach measures run wherever network namespaces are permitted (as root, as in CI), and
    // the relayed sync went through the relay.
    match xtask::netns::unavailable() {
        None => {
            assert!(!md.contains("not measured"), "{md}");
            assert!(
                md.contains(r#"path B reported: ["relayed", "relayed"]"#),
                "{md}"
            );
            assert!(
                md.contains(r#"path B reported: ["direct", "direct"]"#),
                "{md}"
            );
        }
        // (The reason names the probe namespace of the harness's process, not this one's.)
        Some(_) => assert!(
            md.contains("not measured: network namespaces with NAT are not permitted"),
            "{md}"
        ),
    }
    assert!(md.contains("Build: debug"), "{md}");
}
