//! The outer gate on join requests: how many one remote address may make per window, and how
//! many all addresses together. The clock is an argument, so the rule is tested without waiting.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

use libp2p::Multiaddr;
use libp2p::multiaddr::Protocol;

/// A sliding window: at most `per_key` accepted calls per key and `total` overall within
/// `window`. Only accepted calls are remembered, so memory stays within `total` entries however
/// many calls are refused, and refused calls do not push the window forward.
pub(crate) struct RateLimit<K> {
    per_key: usize,
    total: usize,
    window: Duration,
    accepted: VecDeque<(Instant, K)>,
}

impl<K: PartialEq> RateLimit<K> {
    pub(crate) fn new(per_key: usize, total: usize, window: Duration) -> Self {
        RateLimit {
            per_key,
            total,
            window,
            accepted: VecDeque::with_capacity(total.min(1024)),
        }
    }

    /// Whether one more call for `key` at `now` is within the limits; if so it is counted.
    pub(crate) fn allow(&mut self, key: K, now: Instant) -> bool {
        while let Some((at, _)) = self.accepted.front()
            && now.saturating_duration_since(*at) >= self.window
        {
            self.accepted.pop_front();
        }
        let same = self.accepted.iter().filter(|(_, k)| *k == key).count();
        if self.accepted.len() >= self.total || same >= self.per_key {
            return false;
        }
        self.accepted.push_back((now, key));
        true
    }
}

/// What a join limit counts against: the remote IP of a connection, TCP and QUIC alike. An IPv6
/// address is cut to its /64, since one device usually holds a whole /64 and could otherwise pick
/// a fresh address per request; an IPv4-mapped one counts as its IPv4 address. `None` when the
/// address carries no IP (all such connections then share one count).
pub(crate) fn ip_key(addr: &Multiaddr) -> Option<IpAddr> {
    addr.iter().find_map(|part| match part {
        Protocol::Ip4(ip) => Some(IpAddr::V4(ip)),
        Protocol::Ip6(ip) => Some(match ip.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(ip) & !(u128::MAX >> 64))),
        }),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `(seconds after start, key, allowed?)` steps against a limit of 3 per key and 5 in
    /// all per minute.
    fn check(steps: &[(u64, &str, bool)]) {
        let start = Instant::now();
        let mut limit = RateLimit::new(3, 5, Duration::from_secs(60));
        for (i, &(at, key, expected)) in steps.iter().enumerate() {
            let now = start + Duration::from_secs(at);
            assert_eq!(limit.allow(key, now), expected, "step {i}: {key} at {at} s");
        }
    }

    #[test]
    fn the_fourth_call_from_one_key_within_the_window_is_refused() {
        check(&[
            (0, "a", true),
            (1, "a", true),
            (2, "a", true),
            (3, "a", false),
            (3, "b", true),
            (59, "a", false),
            // The first call leaves the window: one more is allowed, not two.
            (60, "a", true),
            (60, "a", false),
            (62, "a", true),
        ]);
    }

    #[test]
    fn the_total_caps_every_key_together() {
        check(&[
            (0, "a", true),
            (0, "b", true),
            (0, "c", true),
            (0, "d", true),
            (0, "e", true),
            (1, "f", false),
            (1, "a", false),
            (60, "f", true),
        ]);
    }

    #[test]
    fn refused_calls_do_not_extend_the_window() {
        check(&[
            (0, "a", true),
            (0, "a", true),
            (0, "a", true),
            (10, "a", false),
            (30, "a", false),
            (59, "a", false),
            (60, "a", true),
        ]);
    }

    #[test]
    fn the_key_is_the_remote_ip_for_tcp_and_quic() {
        let key = |s: &str| ip_key(&s.parse().unwrap()).map(|ip| ip.to_string());
        let cases = [
            ("/ip4/192.0.2.7/tcp/4001", Some("192.0.2.7")),
            ("/ip4/192.0.2.7/udp/4001/quic-v1", Some("192.0.2.7")),
            ("/ip6/2001:db8:1:2:aaaa::1/tcp/4001", Some("2001:db8:1:2::")),
            (
                "/ip6/2001:db8:1:2:bbbb::9/udp/1/quic-v1",
                Some("2001:db8:1:2::"),
            ),
            ("/ip6/2001:db8:1:3::1/tcp/4001", Some("2001:db8:1:3::")),
            ("/ip6/::ffff:192.0.2.7/tcp/4001", Some("192.0.2.7")),
            ("/dns4/example.org/tcp/4001", None),
        ];
        for (addr, expected) in cases {
            assert_eq!(key(addr).as_deref(), expected, "{addr}");
        }
    }
}
