//! Membership log entries from a peer. The property is [`checks::membership`], shared with the workspace's tests.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::membership(data));
