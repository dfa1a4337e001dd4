//! Labels in the reader's language: of skills, levels and every closed set.

use ipc::sets::{
    CreditKind, FormatId, HitKind, InviteStatus, MemberRole, MentoringKind, ReviewStatus,
    SessionStatus, Template,
};
use ipc::views::SkillView;

use crate::i18n::{I18n, Locale};

/// A skill's label in the reader's language.
pub(crate) fn label(locale: Locale, en: &str, fr: &str) -> String {
    match locale {
        Locale::Fr if !fr.is_empty() => fr.to_owned(),
        _ => en.to_owned(),
    }
}

/// A skill id's label in the reader's language, from the catalogue.
pub(crate) fn skill_label(skills: &[SkillView], locale: Locale, id: &str) -> String {
    skills.iter().find(|s| s.id == id).map_or_else(
        || id.to_owned(),
        |s| label(locale, &s.label_en, &s.label_fr),
    )
}

/// The name of level 1..=4 in the reader's language.
pub(crate) fn level_name(i18n: I18n, level: u8) -> String {
    i18n.t(match level {
        1 => "level.1",
        2 => "level.2",
        3 => "level.3",
        _ => "level.4",
    })
}

/// The catalogue key of each closed set's values: one arm per value, so a value added to a set
/// does not build until it has its words.
pub(crate) trait Labelled: Copy {
    /// The catalogue key naming `self`.
    fn key(self) -> &'static str;

    /// `self` in the reader's language.
    fn label(self, i18n: I18n) -> String {
        i18n.t(self.key())
    }
}

impl Labelled for HitKind {
    fn key(self) -> &'static str {
        match self {
            HitKind::Note => "search.kind_note",
            HitKind::Thread => "search.kind_thread",
            HitKind::Profile => "search.kind_profile",
            HitKind::Session => "search.kind_session",
        }
    }
}

impl Labelled for MemberRole {
    fn key(self) -> &'static str {
        match self {
            MemberRole::Admin => "team.role_admin",
            MemberRole::Member => "team.role_member",
            MemberRole::Removed => "team.role_removed",
        }
    }
}

impl Labelled for InviteStatus {
    fn key(self) -> &'static str {
        match self {
            InviteStatus::Open => "team.invite_open",
            InviteStatus::Redeemed => "team.invite_redeemed",
            InviteStatus::Revoked => "team.invite_revoked",
            InviteStatus::Expired => "team.invite_expired",
        }
    }
}

impl Labelled for MentoringKind {
    fn key(self) -> &'static str {
        match self {
            MentoringKind::Mentoring => "mentoring.kind_mentoring",
            MentoringKind::Reverse => "mentoring.kind_reverse",
            MentoringKind::Cross => "mentoring.kind_cross",
        }
    }
}

impl Labelled for CreditKind {
    fn key(self) -> &'static str {
        match self {
            CreditKind::SessionHosted => "kudos.kind_session_hosted",
            CreditKind::SessionFacilitated => "kudos.kind_session_facilitated",
            CreditKind::SessionPresented => "kudos.kind_session_presented",
            CreditKind::Mentoring => "kudos.kind_mentoring",
            CreditKind::Review => "kudos.kind_review",
        }
    }
}

impl Labelled for Template {
    fn key(self) -> &'static str {
        match self {
            Template::StartStopContinue => "review.template_ssc",
            Template::Sbi => "review.template_sbi",
            Template::Rubric => "review.template_rubric",
        }
    }
}

impl Labelled for ReviewStatus {
    fn key(self) -> &'static str {
        match self {
            ReviewStatus::Requested => "review.status_requested",
            ReviewStatus::Submitted => "review.status_submitted",
            ReviewStatus::Acknowledged => "review.status_acknowledged",
        }
    }
}

impl Labelled for SessionStatus {
    fn key(self) -> &'static str {
        match self {
            SessionStatus::Planned => "session.status_planned",
            SessionStatus::Running => "session.status_running",
            SessionStatus::Closed => "session.status_closed",
        }
    }
}

impl Labelled for FormatId {
    fn key(self) -> &'static str {
        match self {
            FormatId::Codev => "format.codev",
            FormatId::Aar => "format.aar",
            FormatId::PeerAssist => "format.peer-assist",
            FormatId::Wol => "format.wol",
            FormatId::Flash => "format.flash",
            FormatId::LunchLearn => "format.lunch-learn",
        }
    }
}
