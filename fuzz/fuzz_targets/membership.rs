//! Membership entries from a peer: decoding, verifying and evaluating a log never panics, and
//! evaluation does not depend on the order entries are stored in.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sync::membership::{SignedEntry, evaluate};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(entry) = SignedEntry::decode(text) {
        let _ = entry.verify();
        let _ = entry.hash();
    }
    let entries: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let forward = evaluate("w", &entries);
    let mut reversed = entries;
    reversed.reverse();
    assert_eq!(forward, evaluate("w", &reversed));
});
