//! Peer reviews: one private document per review, between the requester and the reviewer.
//! request → write → submit → acknowledge. A submitted review is immutable; acknowledging adds
//! the requester's reply without touching the answers.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::rules::{REVIEW_ACKNOWLEDGE, REVIEW_FROZEN, REVIEW_SUBMIT, REVIEW_WRITE};
use crate::{
    Contribution, ContributionKind, DocKind, DocMeta, DomainError, TypedDoc, require_text,
};

/// The feedback templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// Start / Stop / Continue.
    StartStopContinue,
    /// Situation – Behaviour – Impact.
    Sbi,
    /// Criteria, each rated 1–5 with a comment.
    Rubric,
}

impl Template {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Template::StartStopContinue => "start-stop-continue",
            Template::Sbi => "sbi",
            Template::Rubric => "rubric",
        }
    }

    /// Parses a template name.
    pub fn parse(s: &str) -> Result<Template, DomainError> {
        match s.trim() {
            "start-stop-continue" => Ok(Template::StartStopContinue),
            "sbi" => Ok(Template::Sbi),
            "rubric" => Ok(Template::Rubric),
            other => Err(DomainError::Invalid(format!(
                "unknown template '{other}': expected start-stop-continue, sbi or rubric"
            ))),
        }
    }

    /// The answer keys of a fixed template.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Template::StartStopContinue => &["start", "stop", "continue"],
            Template::Sbi => &["situation", "behaviour", "impact"],
            Template::Rubric => &[],
        }
    }
}

/// Where a review is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStatus {
    /// Asked for, being written.
    Requested,
    /// Sent; immutable.
    Submitted,
    /// The requester read it and replied.
    Acknowledged,
}

impl ReviewStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Requested => "requested",
            ReviewStatus::Submitted => "submitted",
            ReviewStatus::Acknowledged => "acknowledged",
        }
    }
}

/// A review document's model.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Review {
    /// Signed header: private to requester and reviewer.
    pub meta: DocMeta,
    /// Who asked for feedback.
    pub requester: String,
    /// Who gives it.
    pub reviewer: String,
    /// What the feedback is about.
    pub about: String,
    /// [`Template::as_str`].
    pub template: String,
    /// Rubric criteria, in order (empty for other templates).
    pub criteria: Vec<String>,
    /// Answers by key (template key, or criterion for a rubric's comments).
    pub answers: BTreeMap<String, Text>,
    /// Rubric ratings 1–5 by criterion.
    pub ratings: BTreeMap<String, u8>,
    /// [`ReviewStatus::as_str`].
    pub status: String,
    /// When it was submitted.
    pub submitted_at: Option<i64>,
    /// When it was acknowledged.
    pub acknowledged_at: Option<i64>,
    /// The requester's reply.
    pub reply: String,
    /// Time the reviewer gave, credited once the requester confirms.
    pub contributions: Vec<Contribution>,
    /// Last change.
    pub updated_at: i64,
}

impl TypedDoc for Review {
    const KIND: DocKind = DocKind::Review;
    fn meta(&self) -> &DocMeta {
        &self.meta
    }
    fn validate(&self) -> Result<(), DomainError> {
        self.meta
            .require_private_pair(&self.requester, &self.reviewer, "a review")?;
        Template::parse(&self.template)?;
        crate::recognition::known_kinds(&self.contributions)
    }
    fn check_write(
        before: Option<&Self>,
        after: &Self,
        by: crate::Author<'_>,
    ) -> Result<(), DomainError> {
        crate::rules::review(before, after, by)
    }
}

impl Review {
    /// A new request. `meta` must be private to exactly the requester (its creator) and the
    /// reviewer.
    pub fn request(
        meta: DocMeta,
        reviewer: &str,
        about: &str,
        template: Template,
        criteria: &[String],
    ) -> Result<Review, DomainError> {
        let requester = meta.created_by.clone();
        if requester == reviewer {
            return Err(DomainError::Invalid(
                "ask a colleague, not yourself, for a review".into(),
            ));
        }
        let mut clean: Vec<String> = Vec::new();
        for c in criteria {
            let c = require_text("criterion", c)?;
            if clean.iter().any(|x| crate::fold(x) == crate::fold(&c)) {
                return Err(DomainError::Invalid(format!(
                    "criterion '{c}' is given twice"
                )));
            }
            clean.push(c);
        }
        match template {
            Template::Rubric if clean.is_empty() => {
                return Err(DomainError::Invalid(
                    "a rubric needs criteria: --criteria a,b,c".into(),
                ));
            }
            Template::StartStopContinue | Template::Sbi if !clean.is_empty() => {
                return Err(DomainError::Invalid(
                    "only the rubric template takes criteria".into(),
                ));
            }
            _ => {}
        }
        let review = Review {
            requester,
            reviewer: reviewer.to_owned(),
            about: require_text("about", about)?,
            template: template.as_str().to_owned(),
            criteria: clean,
            answers: BTreeMap::new(),
            ratings: BTreeMap::new(),
            status: ReviewStatus::Requested.as_str().to_owned(),
            submitted_at: None,
            acknowledged_at: None,
            reply: String::new(),
            contributions: Vec::new(),
            updated_at: meta.created_at,
            meta,
        };
        review.validate()?;
        Ok(review)
    }

    /// The parsed template.
    pub fn template(&self) -> Result<Template, DomainError> {
        Template::parse(&self.template)
    }

    /// The keys an answer may have: the template's, or the rubric's criteria.
    pub fn answer_keys(&self) -> Result<Vec<String>, DomainError> {
        Ok(match self.template()? {
            Template::Rubric => self.criteria.clone(),
            t => t.keys().iter().map(|k| (*k).to_owned()).collect(),
        })
    }

    fn key(&self, given: &str) -> Result<String, DomainError> {
        let keys = self.answer_keys()?;
        let folded = crate::fold(given);
        let folded = if folded == "behavior" {
            "behaviour".to_owned()
        } else {
            folded
        };
        keys.into_iter()
            .find(|k| crate::fold(k) == folded)
            .ok_or_else(|| {
                DomainError::Invalid(format!(
                    "'{given}' is not part of this {} review: use {}",
                    self.template,
                    self.answer_keys().unwrap_or_default().join(", ")
                ))
            })
    }

    /// Writes answers and ratings (the reviewer, while the review is not submitted).
    pub fn write(
        &mut self,
        by: &str,
        answers: &[(String, String)],
        ratings: &[(String, u32)],
        now: i64,
    ) -> Result<(), DomainError> {
        if by != self.reviewer {
            return Err(DomainError::forbidden(REVIEW_WRITE));
        }
        if self.status != ReviewStatus::Requested.as_str() {
            return Err(DomainError::forbidden(REVIEW_FROZEN));
        }
        if answers.is_empty() && ratings.is_empty() {
            return Err(DomainError::Invalid(
                "nothing to write: give --answer KEY=TEXT or --rating CRITERION=N".into(),
            ));
        }
        if !ratings.is_empty() && self.template()? != Template::Rubric {
            return Err(DomainError::Invalid(
                "only a rubric review has ratings".into(),
            ));
        }
        for (key, text) in answers {
            let key = self.key(key)?;
            crate::note::check_body(text)?;
            self.answers.entry(key).or_default().update(text);
        }
        for (criterion, rating) in ratings {
            let key = self.key(criterion)?;
            if !(1..=5).contains(rating) {
                return Err(DomainError::Invalid(format!(
                    "rating {rating} for '{key}': give 1 to 5"
                )));
            }
            self.ratings.insert(key, *rating as u8);
        }
        self.updated_at = now;
        Ok(())
    }

    /// Submits the review (the reviewer). It must say something: at least one answer, and for
    /// a rubric a rating for every criterion. Records the reviewer's time as a contribution.
    pub fn submit(
        &mut self,
        contribution_id: &str,
        by: &str,
        minutes: u32,
        now: i64,
    ) -> Result<(), DomainError> {
        if by != self.reviewer {
            return Err(DomainError::forbidden(REVIEW_SUBMIT));
        }
        if self.status != ReviewStatus::Requested.as_str() {
            return Err(DomainError::Invalid(
                "this review was already submitted".into(),
            ));
        }
        if self.answers.values().all(|t| t.as_str().trim().is_empty()) && self.ratings.is_empty() {
            return Err(DomainError::Invalid(
                "the review is empty: write at least one answer before submitting".into(),
            ));
        }
        if self.template()? == Template::Rubric {
            let missing: Vec<&String> = self
                .criteria
                .iter()
                .filter(|c| !self.ratings.contains_key(*c))
                .collect();
            if !missing.is_empty() {
                return Err(DomainError::Invalid(format!(
                    "rate every criterion before submitting; missing: {}",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        if !(1..=600).contains(&minutes) {
            return Err(DomainError::Invalid(format!(
                "{minutes} minutes: give 1 to 600"
            )));
        }
        self.status = ReviewStatus::Submitted.as_str().to_owned();
        self.submitted_at = Some(now);
        self.contributions.push(Contribution::new(
            contribution_id,
            ContributionKind::Review,
            &self.reviewer,
            vec![self.requester.clone()],
            minutes,
            now,
        ));
        self.updated_at = now;
        Ok(())
    }

    /// The requester acknowledges a submitted review, with an optional reply.
    pub fn acknowledge(&mut self, by: &str, reply: &str, now: i64) -> Result<(), DomainError> {
        if by != self.requester {
            return Err(DomainError::forbidden(REVIEW_ACKNOWLEDGE));
        }
        match self.status.as_str() {
            "submitted" => {}
            "requested" => {
                return Err(DomainError::Invalid(
                    "the review has not been submitted yet".into(),
                ));
            }
            _ => {
                return Err(DomainError::Invalid(
                    "this review was already acknowledged".into(),
                ));
            }
        }
        crate::note::check_body(reply)?;
        self.reply = reply.trim().to_owned();
        self.status = ReviewStatus::Acknowledged.as_str().to_owned();
        self.acknowledged_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    /// Confirms the reviewer's contribution (the requester).
    pub fn confirm(&mut self, id: &str, by: &str, now: i64) -> Result<(), DomainError> {
        crate::recognition::confirm_contribution(&mut self.contributions, id, by, now)?;
        self.updated_at = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scope;
    use libp2p_identity::Keypair;

    fn request(
        template: Template,
        criteria: &[&str],
    ) -> Result<(Review, String, String), DomainError> {
        let key = Keypair::generate_ed25519();
        let me = key.public().to_peer_id().to_string();
        let reviewer = Keypair::generate_ed25519()
            .public()
            .to_peer_id()
            .to_string();
        let meta = DocMeta::new_signed(
            &key,
            "rv",
            DocKind::Review,
            &Scope::Private,
            "ws",
            0,
            &[me.clone(), reviewer.clone()],
        )?;
        let criteria: Vec<String> = criteria.iter().map(|s| s.to_string()).collect();
        Ok((
            Review::request(meta, &reviewer, "my talk at the guild", template, &criteria)?,
            me,
            reviewer,
        ))
    }

    #[test]
    fn start_stop_continue_lifecycle() {
        let (mut r, me, rev) = request(Template::StartStopContinue, &[]).unwrap();
        let err = r.submit("c", &rev, 30, 1).unwrap_err().to_string();
        assert!(err.contains("empty"), "{err}");
        assert!(
            r.write(&me, &[("start".into(), "x".into())], &[], 1)
                .is_err(),
            "the requester does not write"
        );
        assert!(
            r.write(&rev, &[("middle".into(), "x".into())], &[], 1)
                .is_err()
        );
        assert!(
            r.write(&rev, &[], &[("start".into(), 3)], 1).is_err(),
            "no ratings outside a rubric"
        );
        assert!(r.acknowledge(&me, "", 1).is_err(), "not submitted yet");
        r.write(
            &rev,
            &[
                ("Start".into(), "Show a demo first.".into()),
                ("continue".into(), "The pace.".into()),
            ],
            &[],
            2,
        )
        .unwrap();
        assert!(
            r.submit("c", &me, 30, 3).is_err(),
            "only the reviewer submits"
        );
        r.submit("c1", &rev, 30, 3).unwrap();
        let answers = r.answers.clone();
        let err = r
            .write(&rev, &[("stop".into(), "late edit".into())], &[], 4)
            .unwrap_err()
            .to_string();
        assert!(err.contains("can no longer be changed"), "{err}");
        assert!(r.submit("c2", &rev, 30, 4).is_err());
        assert!(
            r.acknowledge(&rev, "", 5).is_err(),
            "only the requester acknowledges"
        );
        r.acknowledge(&me, "Thanks, noted.", 5).unwrap();
        assert_eq!(r.answers, answers, "acknowledging leaves the answers alone");
        assert_eq!(r.status, "acknowledged");
        assert!(r.acknowledge(&me, "again", 6).is_err());
        assert!(r.confirm("c1", &rev, 7).is_err());
        r.confirm("c1", &me, 7).unwrap();
    }

    #[test]
    fn rubric_needs_criteria_and_every_rating() {
        assert!(request(Template::Rubric, &[]).is_err());
        assert!(request(Template::Sbi, &["x"]).is_err());
        assert!(request(Template::Rubric, &["Clarity", "clarity"]).is_err());
        let (mut r, _me, rev) = request(Template::Rubric, &["Clarity", "Depth"]).unwrap();
        let err = r
            .write(&rev, &[], &[("Clarity".into(), 6)], 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("give 1 to 5"), "{err}");
        assert!(
            r.ratings.is_empty(),
            "a refused write changes nothing it had started"
        );
        r.write(
            &rev,
            &[("clarity".into(), "Crisp slides.".into())],
            &[("clarity".into(), 4)],
            2,
        )
        .unwrap();
        let err = r.submit("c", &rev, 20, 3).unwrap_err().to_string();
        assert!(err.contains("missing: Depth"), "{err}");
        r.write(&rev, &[], &[("Depth".into(), 3)], 4).unwrap();
        r.submit("c", &rev, 20, 5).unwrap();
        assert_eq!(r.ratings.get("Depth"), Some(&3));
    }

    #[test]
    fn sbi_accepts_american_spelling_and_rejects_self_review() {
        let (mut r, _me, rev) = request(Template::Sbi, &[]).unwrap();
        r.write(
            &rev,
            &[("behavior".into(), "Interrupted twice.".into())],
            &[],
            1,
        )
        .unwrap();
        assert!(r.answers.contains_key("behaviour"));
        let key = Keypair::generate_ed25519();
        let me = key.public().to_peer_id().to_string();
        let other = Keypair::generate_ed25519()
            .public()
            .to_peer_id()
            .to_string();
        let meta = DocMeta::new_signed(
            &key,
            "rv",
            DocKind::Review,
            &Scope::Private,
            "ws",
            0,
            &[me.clone(), other],
        )
        .unwrap();
        assert!(Review::request(meta, &me, "x", Template::Sbi, &[]).is_err());
    }
}
