//! Invite tickets: one printable line a newcomer is given out of band. It carries the workspace
//! id, the invite (its id, the hash of its log entry, and its secret) and how to reach the
//! inviter (peer id and addresses), in a compact binary form encoded as base64url.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

/// Longest ticket, in characters.
pub const MAX_TICKET: usize = 400;
const PREFIX: &str = "ep1";

/// What a ticket holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Workspace id (a UUID).
    pub workspace: String,
    /// Invite id (16 hex characters).
    pub invite: String,
    /// Hex SHA-256 of the invite's log entry (the admit entry follows it).
    pub invite_entry: String,
    /// The secret (32 hex characters).
    pub secret: String,
    /// The inviter's device id, as bytes of a `PeerId`.
    pub inviter: Vec<u8>,
    /// The inviter's addresses, as bytes of `Multiaddr`s.
    pub addrs: Vec<Vec<u8>>,
}

/// Why a ticket was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// Not a ticket at all, or damaged.
    #[error("this is not a valid Entrepairs invite ticket ({0})")]
    Invalid(&'static str),
    /// Longer than [`MAX_TICKET`].
    #[error("the ticket is longer than {MAX_TICKET} characters")]
    TooLong,
}

fn hex_bytes(s: &str, len: usize) -> Option<Vec<u8>> {
    if s.len() != len * 2 {
        return None;
    }
    (0..len)
        .map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Ticket {
    /// The printable line. Fails if a field has the wrong shape or the line would be too long.
    pub fn encode(&self) -> Result<String, TicketError> {
        let ws = uuid::Uuid::parse_str(&self.workspace)
            .map_err(|_| TicketError::Invalid("workspace id"))?;
        let invite = hex_bytes(&self.invite, 8).ok_or(TicketError::Invalid("invite id"))?;
        let entry =
            hex_bytes(&self.invite_entry, 32).ok_or(TicketError::Invalid("invite entry"))?;
        let secret = hex_bytes(&self.secret, 16).ok_or(TicketError::Invalid("secret"))?;
        let mut out = Vec::new();
        out.extend_from_slice(ws.as_bytes());
        out.extend_from_slice(&invite);
        out.extend_from_slice(&entry);
        out.extend_from_slice(&secret);
        let short = |b: &[u8]| u8::try_from(b.len()).map_err(|_| TicketError::TooLong);
        out.push(short(&self.inviter)?);
        out.extend_from_slice(&self.inviter);
        out.push(u8::try_from(self.addrs.len()).map_err(|_| TicketError::TooLong)?);
        for a in &self.addrs {
            out.push(short(a)?);
            out.extend_from_slice(a);
        }
        let line = format!("{PREFIX}{}", B64.encode(out));
        if line.len() > MAX_TICKET {
            Err(TicketError::TooLong)
        } else {
            Ok(line)
        }
    }

    /// Parses a line someone pasted (surrounding spaces ignored).
    pub fn decode(line: &str) -> Result<Ticket, TicketError> {
        let line = line.trim();
        if line.len() > MAX_TICKET {
            return Err(TicketError::TooLong);
        }
        let body = line
            .strip_prefix(PREFIX)
            .ok_or(TicketError::Invalid("it does not start with ep1"))?;
        let bytes = B64
            .decode(body)
            .map_err(|_| TicketError::Invalid("not base64url"))?;
        let mut rest: &[u8] = &bytes;
        let mut take = |n: usize| -> Result<Vec<u8>, TicketError> {
            if rest.len() < n {
                return Err(TicketError::Invalid("truncated"));
            }
            let (head, tail) = rest.split_at(n);
            rest = tail;
            Ok(head.to_vec())
        };
        let ws =
            uuid::Uuid::from_slice(&take(16)?).map_err(|_| TicketError::Invalid("workspace id"))?;
        let invite = hex(&take(8)?);
        let invite_entry = hex(&take(32)?);
        let secret = hex(&take(16)?);
        let n = take(1)?[0] as usize;
        let inviter = take(n)?;
        let count = take(1)?[0] as usize;
        let mut addrs = Vec::new();
        for _ in 0..count {
            let n = take(1)?[0] as usize;
            addrs.push(take(n)?);
        }
        if !rest.is_empty() {
            return Err(TicketError::Invalid("trailing bytes"));
        }
        Ok(Ticket {
            workspace: ws.to_string(),
            invite,
            invite_entry,
            secret,
            inviter,
            addrs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(addrs: usize) -> Ticket {
        Ticket {
            workspace: "4e57c3c5-6f01-463c-9dad-d3d13aa59883".into(),
            invite: "0123456789abcdef".into(),
            invite_entry: "ab".repeat(32),
            secret: "cd".repeat(16),
            inviter: vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20]
                .into_iter()
                .chain([7u8; 32])
                .collect(),
            addrs: (0..addrs)
                .map(|i| vec![4, 127, 0, 0, 1, 6, 0x1f, i as u8])
                .collect(),
        }
    }

    #[test]
    fn round_trips_within_400_characters() {
        for n in [0, 1, 4] {
            let t = sample(n);
            let line = t.encode().unwrap();
            assert!(
                line.len() <= MAX_TICKET && line.starts_with("ep1"),
                "{} chars",
                line.len()
            );
            assert_eq!(Ticket::decode(&format!("  {line}\n")).unwrap(), t);
        }
        assert_eq!(sample(60).encode(), Err(TicketError::TooLong));
    }

    #[test]
    fn damaged_tickets_are_refused() {
        let line = sample(1).encode().unwrap();
        for bad in [
            "",
            "ep1",
            "xyz",
            "ep1!!!!",
            &line[..line.len() - 3],
            &format!("{line}AA"),
            &"ep1A".repeat(200),
        ] {
            assert!(Ticket::decode(bad).is_err(), "{bad:?}");
        }
        for cut in 3..line.len() {
            let _ = Ticket::decode(&line[..cut]);
        }
    }
}
