//! Network namespaces for the reach measures and tests: an "internet" (a bridge in its own
//! namespace), a relay host on it, and two homes behind NAT routers (`iptables` MASQUERADE,
//! dropping what comes unsolicited from outside), or a meeting room (two namespaces on one LAN
//! segment). Needs root (or CAP_NET_ADMIN), `ip` and `iptables` (`scripts/setup.sh` installs
//! them); [`unavailable`] says why not, where this machine does not allow it. Used by `cargo xtask bench` and by
//! `tests/reach.rs` (which includes this file).

use std::process::Command;

/// Runs `ip`/`iptables`/`sysctl` arguments; their standard output, or the error text if it
/// fails.
pub fn sh(args: &[&str]) -> Result<String, String> {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("{}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Runs inside a namespace; its standard output.
pub fn in_ns(ns: &str, args: &[&str]) -> Result<String, String> {
    let mut all = vec!["ip", "netns", "exec", ns];
    all.extend_from_slice(args);
    sh(&all)
}

/// The namespaces of one scenario, removed on drop (which removes their interfaces too).
pub struct Lab {
    names: Vec<String>,
    /// The relay's host (on the internet).
    pub relay: String,
    /// Alice's home (or, in a meeting room, the admin's device).
    pub alice: String,
    /// Bob's home (or, in a meeting room, the guests' devices).
    pub bob: String,
    /// The relay host's address.
    pub relay_ip: String,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in &self.names {
            let _ = sh(&["ip", "netns", "del", ns]);
        }
    }
}

impl Lab {
    /// Builds the "internet" (a bridge in its own namespace) with the relay's host on it, and two
    /// homes behind a NAT router each; `symmetric` NATs pick a new port for every connection.
    pub fn build(tag: &str, k: u8, symmetric: bool) -> Result<Lab, String> {
        let id = std::process::id() % 100_000;
        let name = |what: &str| format!("ep{id}{tag}{what}");
        let (wan, relay, alice, bob, nat_a, nat_b) = (
            name("w"),
            name("r"),
            name("a"),
            name("b"),
            name("na"),
            name("nb"),
        );
        let mut lab = Lab {
            names: Vec::new(),
            relay: relay.clone(),
            alice: alice.clone(),
            bob: bob.clone(),
            relay_ip: format!("10.{k}.0.1"),
        };
        for ns in [&wan, &relay, &alice, &bob, &nat_a, &nat_b] {
            sh(&["ip", "netns", "add", ns])?;
            lab.names.push(ns.clone());
            in_ns(ns, &["ip", "link", "set", "lo", "up"])?;
        }
        in_ns(&wan, &["ip", "link", "add", "br0", "type", "bridge"])?;
        in_ns(&wan, &["ip", "link", "set", "br0", "up"])?;
        // A veth pair from `ns` (named `dev` there, with `addr`) to the internet's bridge.
        let wire = |ns: &str, dev: &str, addr: &str, port: &str| -> Result<(), String> {
            sh(&[
                "ip", "link", "add", port, "netns", &wan, "type", "veth", "peer", "name", dev,
                "netns", ns,
            ])?;
            in_ns(&wan, &["ip", "link", "set", port, "master", "br0", "up"])?;
            in_ns(ns, &["ip", "addr", "add", addr, "dev", dev])?;
            in_ns(ns, &["ip", "link", "set", dev, "up"]).map(drop)
        };
        wire(&relay, "eth0", &format!("10.{k}.0.1/24"), "p-r")?;
        // Each home: a router with the internet on one side and the home on the other.
        for (home, nat, n) in [(&alice, &nat_a, 2u8), (&bob, &nat_b, 3u8)] {
            wire(nat, "wan", &format!("10.{k}.0.{n}/24"), &format!("p-{n}"))?;
            sh(&[
                "ip", "link", "add", "lan", "netns", nat, "type", "veth", "peer", "name", "eth0",
                "netns", home,
            ])?;
            let lan = format!("192.168.{n}.1");
            in_ns(
                nat,
                &["ip", "addr", "add", &format!("{lan}/24"), "dev", "lan"],
            )?;
            in_ns(nat, &["ip", "link", "set", "lan", "up"])?;
            in_ns(nat, &["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])?;
            let mut masquerade = vec![
                "iptables",
                "-t",
                "nat",
                "-A",
                "POSTROUTING",
                "-o",
                "wan",
                "-j",
                "MASQUERADE",
            ];
            if symmetric {
                masquerade.push("--random-fully");
            }
            in_ns(nat, &masquerade)?;
            // Like a home router, it answers nothing unsolicited from outside (a refusal would
            // cut short a hole punch whose other half is a moment late).
            in_ns(nat, &["iptables", "-A", "INPUT", "-i", "wan", "-j", "DROP"])?;
            in_ns(
                home,
                &[
                    "ip",
                    "addr",
                    "add",
                    &format!("192.168.{n}.2/24"),
                    "dev",
                    "eth0",
                ],
            )?;
            in_ns(home, &["ip", "link", "set", "eth0", "up"])?;
            in_ns(home, &["ip", "route", "add", "default", "via", &lan])?;
        }
        Ok(lab)
    }

    /// A meeting room: two namespaces on one LAN segment (a veth pair), `alice` at 10.90.0.1 and
    /// `bob` at 10.90.0.2.
    pub fn room(tag: &str) -> Result<Lab, String> {
        let id = std::process::id() % 100_000;
        let (admin, guests) = (format!("ep{id}{tag}a"), format!("ep{id}{tag}g"));
        let mut lab = Lab {
            names: Vec::new(),
            relay: String::new(),
            alice: admin.clone(),
            bob: guests.clone(),
            relay_ip: String::new(),
        };
        for ns in [&admin, &guests] {
            sh(&["ip", "netns", "add", ns])?;
            lab.names.push(ns.clone());
            in_ns(ns, &["ip", "link", "set", "lo", "up"])?;
        }
        sh(&[
            "ip", "link", "add", "eth0", "netns", &admin, "type", "veth", "peer", "name", "eth0",
            "netns", &guests,
        ])?;
        for (ns, addr) in [(&admin, "10.90.0.1/24"), (&guests, "10.90.0.2/24")] {
            in_ns(ns, &["ip", "addr", "add", addr, "dev", "eth0"])?;
            in_ns(ns, &["ip", "link", "set", "eth0", "up"])?;
        }
        Ok(lab)
    }
}

/// Why namespaces with NAT cannot be made here, if they cannot.
pub fn unavailable() -> Option<String> {
    permitted().err().map(|why| {
        format!(
            "network namespaces with NAT are not permitted on this machine ({why}); run as root \
             with ip and iptables (scripts/setup.sh installs them)"
        )
    })
}

/// Whether namespaces can be made here; the reason when not.
fn permitted() -> Result<(), String> {
    static PROBES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = format!("ep{}p{n}", std::process::id() % 100_000);
    sh(&["ip", "netns", "add", &probe])?;
    let nat = in_ns(&probe, &["iptables", "-t", "nat", "-L", "-n"]);
    let _ = sh(&["ip", "netns", "del", &probe]);
    nat.map(drop)
}
