//! Membership entries from a peer: decoding, verifying and evaluating a log never panics,
//! evaluation does not depend on the order entries are given in, and a log rebuilt from what
//! another log sends holds the same entries and evaluates the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sync::membership::{Log, SignedEntry, evaluate};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(entry) = SignedEntry::decode(text) {
        let _ = entry.verify();
        let _ = entry.hash();
    }
    let entries: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let forward = evaluate("w", &entries);
    let mut reversed = entries.clone();
    reversed.reverse();
    assert_eq!(forward, evaluate("w", &reversed));

    let mut log = Log::new("w");
    for e in &entries {
        let _ = log.insert(e);
    }
    let evaluated = log.evaluate();
    assert!(log.missing_for(&log.heads()).is_empty());
    let mut copy = Log::new("w");
    for e in log.encoded() {
        assert!(copy.insert(&e).is_ok());
    }
    assert_eq!(copy.heads(), log.heads());
    assert_eq!(copy.len(), log.len());
    assert_eq!(copy.evaluate(), evaluated);
});
