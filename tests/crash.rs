//! Crash test: a child process adds notes in a loop and is killed with SIGKILL at random
//! moments. After each kill (and so at each restart) every note whose `add` had printed its id
//! must be present and `doctor` must be clean.
//!
//! Seeded: the seed is printed; `CRASH_SEED=n` replays it, `CRASH_KILLS=N` sets the number of
//! kills (200 by default).

#![cfg(unix)]
#![allow(clippy::print_stdout)] // the seed and the counts are the test's report

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::Peer;
use rand::{Rng, SeedableRng, rngs::StdRng};

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, got {v:?}")),
        Err(_) => default,
    }
}

#[test]
fn no_acknowledged_note_is_lost_when_the_process_is_killed() {
    let seed = env_number("CRASH_SEED", u64::from(rand::random::<u32>()));
    let kills = env_number("CRASH_KILLS", 200);
    println!("crash test: CRASH_SEED={seed} CRASH_KILLS={kills}");
    let mut rng = StdRng::seed_from_u64(seed);

    let peer = Peer::init("Crash");
    let body = "Lorem ipsum dolor sit amet, [[link]] consectetur adipiscing elit. ".repeat(8);
    // Each add also links a new skill, so the workspace document changes (and is compacted)
    // inside the same transactions as the notes.
    let script = r#"i=0
while :; do
  i=$((i+1))
  "$BIN" --data-dir "$DIR" note add --title "round $ROUND note $i" --body "$BODY" --tag crash --skill "skill $ROUND $i" || exit 3
done"#;

    let mut acknowledged: BTreeSet<String> = BTreeSet::new();
    let mut unacknowledged_but_stored = 0usize;
    let started = Instant::now();
    for round in 0..kills {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .env("BIN", common::bin())
            .env("DIR", &peer.dir)
            .env("BODY", &body)
            .env("ROUND", round.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("spawn the writer");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let reader = thread::spawn(move || {
            let mut ids = Vec::new();
            let mut reader = BufReader::new(stdout);
            let mut line = Vec::new();
            // Only complete lines count: the id is printed after its transaction committed.
            while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
                if line.ends_with(b"\n") {
                    ids.push(String::from_utf8_lossy(&line).trim().to_owned());
                }
                line.clear();
            }
            ids
        });
        let errors = thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
            text
        });

        // The kill moment is the random variable of this test, not a synchronisation.
        thread::sleep(Duration::from_micros(rng.gen_range(0..100_000)));
        let group = format!("-{}", child.id());
        let status = Command::new("kill")
            .args(["-s", "KILL", "--", &group])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {group} failed");
        child.wait().expect("reap the writer");
        let printed = reader.join().expect("stdout reader");
        let stderr = errors.join().expect("stderr reader");
        assert!(
            !stderr.contains("error"),
            "seed {seed}, round {round}: the writer failed before it was killed:\n{stderr}"
        );
        acknowledged.extend(printed);

        // Restart: every acknowledged note is there, and the database is sound.
        let listed: BTreeSet<String> = peer
            .json(&["note", "list"])
            .as_array()
            .expect("note list")
            .iter()
            .map(|n| n["id"].as_str().expect("id").to_owned())
            .collect();
        let lost: Vec<&String> = acknowledged.difference(&listed).collect();
        assert!(
            lost.is_empty(),
            "seed {seed}, round {round}: lost acknowledged notes {lost:?}"
        );
        unacknowledged_but_stored = listed.len() - acknowledged.len();
        let doctor = peer.json(&["doctor"]);
        assert_eq!(doctor["ok"], true, "seed {seed}, round {round}: {doctor}");
    }
    let skills = peer
        .json(&["skill", "list"])
        .as_array()
        .expect("skills")
        .len();
    println!(
        "crash test: {kills} kills in {:.1}s, {} acknowledged notes, 0 lost, {unacknowledged_but_stored} committed but killed before printing, {skills} skills",
        started.elapsed().as_secs_f64(),
        acknowledged.len(),
    );
    assert!(
        acknowledged.len() as u64 >= kills / 4,
        "the writer made too little progress to test anything"
    );
}
