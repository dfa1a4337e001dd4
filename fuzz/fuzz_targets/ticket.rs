//! Invite tickets pasted by a person. The property is [`checks::ticket`], shared with the workspace's tests.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ticket(data));
