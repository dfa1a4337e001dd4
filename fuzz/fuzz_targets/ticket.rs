//! Invite tickets pasted by a person: decoding never panics, and what decodes re-encodes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sync::ticket::Ticket;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(ticket) = Ticket::decode(text)
    {
        let again = ticket.encode().expect("a decoded ticket encodes");
        assert_eq!(Ticket::decode(&again).expect("and decodes again"), ticket);
    }
});
