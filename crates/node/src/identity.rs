//! The device key: an ed25519 key in libp2p's protobuf encoding, whose `PeerId` is this
//! device's (and, for a first device, its member's) id. Stored in the data directory, readable
//! only by its owner.

use std::fs;
use std::io::Write;
use std::path::Path;

use domain::Keypair;

use crate::NodeError;

/// Writes a new key to `path` (mode 0600 on Unix), durably, refusing to overwrite one.
pub(crate) fn create(path: &Path) -> Result<Keypair, NodeError> {
    let key = Keypair::generate_ed25519();
    let bytes = key
        .to_protobuf_encoding()
        .map_err(|e| NodeError::Invalid(format!("cannot encode the device key: {e}")))?;
    let what = format!("cannot write the device key {}", path.display());
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(NodeError::io(&what))?;
    file.write_all(&bytes).map_err(NodeError::io(&what))?;
    file.sync_all().map_err(NodeError::io(&what))?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(key)
}

/// Creates a data directory and any missing parent, the directory itself readable by its owner
/// only (0700 on Unix): it holds the device key and every document this member may see.
pub(crate) fn create_dir(dir: &Path) -> Result<(), NodeError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(NodeError::io(format!("cannot create {}", dir.display())))?;
    // A directory that already existed (empty: a new workspace goes only there) is made
    // private too.
    #[cfg(unix)]
    fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .map_err(NodeError::io(format!("cannot protect {}", dir.display())))?;
    Ok(())
}

/// Reads the key at `path`.
pub(crate) fn load(path: &Path) -> Result<Keypair, NodeError> {
    let bytes = fs::read(path).map_err(NodeError::io(format!(
        "cannot read the device key {}",
        path.display()
    )))?;
    Keypair::from_protobuf_encoding(&bytes).map_err(|e| {
        NodeError::Invalid(format!("the device key {} is damaged: {e}", path.display()))
    })
}

/// Makes a directory entry (a new file) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), NodeError> {
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(NodeError::io(format!("cannot sync {}", dir.display())))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
