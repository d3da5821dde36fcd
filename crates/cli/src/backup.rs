//! `carnet backup` and `carnet restore`: a sealed copy of this device in one file, and the
//! deliberate act that brings one back under a new device key (`docs/storage.md`, "Backup").

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use carnet_device::Device;

use crate::{access, open, passphrase};

/// `carnet backup --out FILE`: borrows the store from a running daemon like any command, so
/// the copy is one consistent read whatever the daemon was doing.
pub(crate) fn backup(home: &Path, out: &Path) -> Result<()> {
    let device = open(home)?;
    let bytes = device.backup()?;
    let mut file = access::create_private(out)?;
    let written = file.write_all(&bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(out);
        return Err(e).with_context(|| format!("cannot write {}", out.display()));
    }
    println!(
        "backup of device {} written to {} ({} bytes, sealed: it opens with this device's \
         passphrase as it is now)",
        device.id(),
        out.display(),
        bytes.len()
    );
    println!("keep it where the phone is not; `carnet restore FILE --home DIR` brings it back");
    Ok(())
}

/// `carnet restore FILE [--replace]`.
pub(crate) fn restore(home: &Path, file: &Path, replace: bool) -> Result<()> {
    if replace && daemon_answers(home) {
        bail!(
            "`carnet serve` or `carnet ui` is running on {}: stop it before replacing its store",
            home.display()
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let passphrase = passphrase::read(false)?;
    let (device, old) = Device::restore(home, &bytes, passphrase.as_bytes(), replace)?;
    println!(
        "restored into {} as a new device: {}",
        home.display(),
        device.id()
    );
    println!(
        "the backup was made on device {old}; this one has a new key, so it never signs a \
         change under a number the old one used"
    );
    println!(
        "it holds the data but is not enrolled: no peer syncs with it or accepts its changes \
         until a direction device enrols it again:"
    );
    println!("  1. on a direction device: carnet device invite --role ROLE --holder NAME");
    println!(
        "  2. here: carnet join TICKET --home {} (the confirmation codes must match)",
        home.display()
    );
    println!(
        "if the old device is lost or seized, revoke it on a direction device: carnet device \
         revoke {old}"
    );
    Ok(())
}

/// Whether a daemon answers on `home`'s control socket.
#[cfg(unix)]
fn daemon_answers(home: &Path) -> bool {
    std::os::unix::net::UnixStream::connect(crate::control_socket(home)).is_ok()
}

#[cfg(not(unix))]
fn daemon_answers(_: &Path) -> bool {
    false
}
