//! The closed sets that travel in views and operations: each a Rust enum with one wire name
//! per value, so a value this build does not know is an error where it is read, never a silent
//! fallback, and every `match` on one is checked whole by the compiler.

use serde::{Deserialize, Serialize};

/// Defines a closed set: the enum, its wire names (serde's too), `ALL`, `as_str` and `FromStr`.
macro_rules! closed_set {
    ($(#[$doc:meta])* $name:ident: $what:literal { $($(#[$vdoc:meta])* $variant:ident = $wire:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $wire)] $variant,)*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &[$name] = &[$($name::$variant,)*];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)*
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                let text = text.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == text)
                    .ok_or_else(|| {
                        let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        format!("unknown {} '{text}': expected {}", $what, names.join(", "))
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}

closed_set! {
    /// A member's standing in the membership log.
    MemberRole: "role" {
        /// Manages members and invites.
        Admin = "admin",
        /// A member.
        Member = "member",
        /// Removed from the workspace.
        Removed = "removed",
    }
}

closed_set! {
    /// Where an invite stands.
    InviteStatus: "invite status" {
        /// It can still admit someone.
        Open = "open",
        /// It admitted someone.
        Redeemed = "redeemed",
        /// Revoked by an admin (or with its issuer's rights).
        Revoked = "revoked",
        /// Past its expiry.
        Expired = "expired",
    }
}

closed_set! {
    /// A skill level.
    Level: "level" {
        /// 1: has notions.
        Notions = "notions",
        /// 2: practises it.
        Practitioner = "practitioner",
        /// 3: expert.
        Expert = "expert",
        /// 4: the team's referent.
        Referent = "referent",
    }
}

impl Level {
    /// The level numbered 1..=4.
    pub fn from_number(n: u8) -> Option<Level> {
        Level::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }
}

closed_set! {
    /// What a search hit is.
    HitKind: "search hit" {
        /// A note.
        Note = "note",
        /// A thread.
        Thread = "thread",
        /// A member's profile.
        Profile = "profile",
        /// A guided session.
        Session = "session",
    }
}

closed_set! {
    /// The kind of a mentoring relationship.
    MentoringKind: "mentoring kind" {
        /// The senior mentors the junior.
        Mentoring = "mentoring",
        /// The junior mentors the senior.
        Reverse = "reverse",
        /// Each teaches the other.
        Cross = "cross",
    }
}

closed_set! {
    /// What credited time was given for.
    CreditKind: "credit kind" {
        /// Hosting a guided session.
        SessionHosted = "session-hosted",
        /// Facilitating a guided session.
        SessionFacilitated = "session-facilitated",
        /// Speaking at a guided session (a lunch & learn's speaker, a flash session's referent).
        SessionPresented = "session-presented",
        /// A mentoring session.
        Mentoring = "mentoring",
        /// Writing a peer review.
        Review = "review",
    }
}

closed_set! {
    /// A peer review's template.
    Template: "template" {
        /// Start, stop, continue.
        StartStopContinue = "start-stop-continue",
        /// Situation, behaviour, impact.
        Sbi = "sbi",
        /// Criteria rated 1 to 5.
        Rubric = "rubric",
    }
}

closed_set! {
    /// Where a peer review stands.
    ReviewStatus: "review status" {
        /// Asked for, not yet submitted.
        Requested = "requested",
        /// Submitted by the reviewer.
        Submitted = "submitted",
        /// Acknowledged by the requester.
        Acknowledged = "acknowledged",
    }
}

closed_set! {
    /// Where a guided session stands.
    SessionStatus: "session status" {
        /// Planned, not started.
        Planned = "planned",
        /// Under way.
        Running = "running",
        /// Closed with its takeaways.
        Closed = "closed",
    }
}

closed_set! {
    /// A guided session's format.
    FormatId: "format" {
        /// Codéveloppement.
        Codev = "codev",
        /// After-action review.
        Aar = "aar",
        /// Peer assist.
        PeerAssist = "peer-assist",
        /// Working Out Loud circle.
        Wol = "wol",
        /// Flash learning.
        Flash = "flash",
        /// Lunch & learn.
        LunchLearn = "lunch-learn",
    }
}

closed_set! {
    /// What a reminder is about.
    ReminderKind: "reminder kind" {
        /// A mentoring session is due.
        MentoringDue = "mentoring-due",
        /// An action passed its due day.
        ActionOverdue = "action-overdue",
        /// A session takes place today.
        SessionToday = "session-today",
    }
}

closed_set! {
    /// A document's state with one peer.
    SyncState: "sync state" {
        /// Same heads as the peer last announced.
        InSync = "in-sync",
        /// Other heads.
        Differs = "differs",
        /// The peer never announced it.
        Unknown = "unknown",
    }
}

closed_set! {
    /// The kind of document an action item lives in.
    ActionHome: "action's document" {
        /// A mentoring relationship.
        Mentoring = "mentoring",
        /// A guided session.
        Session = "session",
    }
}

closed_set! {
    /// What a calendar file is made of.
    CalendarOf: "calendar" {
        /// A guided session.
        Session = "session",
        /// A mentoring relationship's next meeting.
        Mentoring = "mentoring",
    }
}

closed_set! {
    /// What a desktop notification is about.
    NoticeKind: "notice kind" {
        /// A session the reader takes part in is tomorrow (within a day).
        SessionTomorrow = "session-tomorrow",
        /// A session the reader takes part in starts within 15 minutes.
        SessionSoon = "session-soon",
        /// A mentoring meeting falls due.
        MentoringDue = "mentoring-due",
        /// One of the reader's actions passed its due day.
        ActionOverdue = "action-overdue",
    }
}

closed_set! {
    /// How figures are saved as a file.
    FileFormat: "file format" {
        /// Comma-separated values, one table after another.
        Csv = "csv",
        /// A Markdown document.
        Markdown = "markdown",
    }
}

/// Who may hold a document: its scope, on the wire `workspace`, `community:ID`, `private` or
/// `personal:MEMBER`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Every member.
    Workspace,
    /// The members of one community, by id.
    Community(String),
    /// The participants named in the document's signed header.
    Private,
    /// One member's own devices, by member id.
    Personal(String),
}

impl Scope {
    /// The wire form.
    pub fn to_wire(&self) -> String {
        match self {
            Scope::Workspace => "workspace".to_owned(),
            Scope::Community(id) => format!("community:{id}"),
            Scope::Private => "private".to_owned(),
            Scope::Personal(owner) => format!("personal:{owner}"),
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let named = |rest: &str, make: fn(String) -> Scope| {
            if rest.is_empty() {
                Err(format!("unknown scope '{text}': the id is missing"))
            } else {
                Ok(make(rest.to_owned()))
            }
        };
        match text.split_once(':') {
            None if text == "workspace" => Ok(Scope::Workspace),
            None if text == "private" => Ok(Scope::Private),
            Some(("community", id)) => named(id, Scope::Community),
            Some(("personal", owner)) => named(owner, Scope::Personal),
            _ => Err(format!(
                "unknown scope '{text}': expected workspace, community:ID, private or personal:MEMBER"
            )),
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&self.to_wire())
    }
}

impl Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each value travels by its wire name, reads back from it, and an unknown name is an
    /// error naming what was expected.
    #[test]
    fn values_travel_by_their_wire_names_and_unknown_ones_are_refused() {
        for (value, wire) in [
            (serde_json::to_value(MemberRole::Admin), "admin"),
            (
                serde_json::to_value(CreditKind::SessionHosted),
                "session-hosted",
            ),
            (
                serde_json::to_value(Template::StartStopContinue),
                "start-stop-continue",
            ),
            (serde_json::to_value(FormatId::LunchLearn), "lunch-learn"),
            (serde_json::to_value(SyncState::InSync), "in-sync"),
        ] {
            assert_eq!(value.expect("serializes"), serde_json::json!(wire));
        }
        for role in MemberRole::ALL {
            assert_eq!(role.as_str().parse::<MemberRole>(), Ok(*role));
        }
        assert_eq!(
            "lurker".parse::<MemberRole>(),
            Err("unknown role 'lurker': expected admin, member, removed".to_owned())
        );
        let paused = serde_json::from_value::<SessionStatus>(serde_json::json!("paused"))
            .expect_err("an unknown status is refused")
            .to_string();
        assert!(paused.contains("unknown variant `paused`"), "{paused}");
        for scope in [
            Scope::Workspace,
            Scope::Community("c1".into()),
            Scope::Private,
            Scope::Personal("12D3KooW".into()),
        ] {
            let wire = serde_json::to_value(&scope).expect("serializes");
            let back: Scope = serde_json::from_value(wire).expect("reads back");
            assert_eq!(back, scope);
        }
        assert_eq!(
            serde_json::to_value(Scope::Community("c1".into())).expect("serializes"),
            serde_json::json!("community:c1")
        );
        assert_eq!(
            "community:".parse::<Scope>(),
            Err("unknown scope 'community:': the id is missing".to_owned())
        );
        assert_eq!(
            "team".parse::<Scope>(),
            Err(
                "unknown scope 'team': expected workspace, community:ID, private or personal:MEMBER"
                    .to_owned()
            )
        );
        assert_eq!(Level::from_number(3), Some(Level::Expert));
        assert_eq!(Level::from_number(0), None);
        assert_eq!(Level::from_number(5), None);
    }
}
