//! View models: what the node returns to its shells, shared with them through the `ipc` crate.

pub use ipc::views::*;

/// A value of a closed set as the store or a document holds it, read into its enum: a value
/// this build does not know is an error naming it, not a silent default.
pub(crate) fn closed<T: std::str::FromStr<Err = String>>(
    text: &str,
) -> Result<T, crate::NodeError> {
    text.parse().map_err(crate::NodeError::Invalid)
}

/// The items of a list that can be shown: one that cannot (a document another build wrote, a
/// value this build does not know) is logged and left out, so it never hides the others.
pub(crate) fn shown<T>(
    what: &str,
    items: impl IntoIterator<Item = Result<T, crate::NodeError>>,
) -> Vec<T> {
    items
        .into_iter()
        .filter_map(|item| {
            item.map_err(|e| tracing::warn!(list = what, error = %e, "left out of a list"))
                .ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use ipc::sets::{CreditKind, FormatId, MentoringKind, Template};

    fn names<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|v| name(*v)).collect()
    }

    /// The closed sets the views carry have exactly the values the domain writes.
    #[test]
    fn the_views_sets_are_the_domains() {
        assert_eq!(
            names(FormatId::ALL, FormatId::as_str),
            domain::FORMATS.iter().map(|f| f.id).collect::<Vec<_>>()
        );
        assert_eq!(
            names(CreditKind::ALL, CreditKind::as_str),
            names(
                &domain::ContributionKind::ALL,
                domain::ContributionKind::as_str
            )
        );
        for kind in MentoringKind::ALL {
            assert!(
                domain::MentoringKind::parse(kind.as_str()).is_ok(),
                "{kind}"
            );
        }
        for template in Template::ALL {
            assert!(
                domain::Template::parse(template.as_str()).is_ok(),
                "{template}"
            );
        }
        assert!(matches!(
            domain::MentoringKind::parse("apprentice"),
            Err(domain::DomainError::Invalid(m)) if m == "unknown mentoring kind 'apprentice'"
        ));
    }
}
