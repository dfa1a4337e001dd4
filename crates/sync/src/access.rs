//! Who may hold which document: the one rule the engine, the receiving side and the network
//! layer all apply (DESIGN.md, "Documents, scopes and who may see what").

use domain::{DocKind, DocMeta, Scope};

use crate::membership::Members;

/// Whether `member` may hold a document with this header: it must be a current member (by the
/// verified membership log) of the document's workspace `workspace`, and inside the document's
/// scope; a community's members also come from that log, never from the editable workspace
/// document.
pub fn entitled(members: &Members, workspace: &str, meta: &DocMeta, member: &str) -> bool {
    if meta.workspace != workspace || !members.is_member(member) {
        return false;
    }
    // A workspace has one workspace document, whose id is the workspace's: any other document
    // of that kind is nobody's to hold.
    if meta.kind == DocKind::Workspace.as_str() && meta.id != workspace {
        return false;
    }
    match meta.parsed_scope() {
        Ok(Scope::Workspace) => true,
        Ok(Scope::Community(c)) => members.in_community(&c, member),
        Ok(Scope::Private) => meta.participants.iter().any(|p| p == member),
        Ok(Scope::Personal(owner)) => owner == member,
        Err(_) => false,
    }
}
