//! Backing this device up and restoring a backup: the store and its record keys in one sealed
//! file (`carnet_store`'s `backup.rs`), brought back under a **new device key**, so that a
//! restored device never signs a change under a sequence number its old key already used.

use std::path::Path;

use carnet_replica::{DeviceId, DeviceKey};
use carnet_store::{Store, StoreError};

use crate::Device;
use crate::error::RestoreDeviceError;

/// The folder inside a home where a backup is made into a store before it takes the home's.
const STAGING: &str = "restoring";

impl Device {
    /// A sealed backup of this device: every table as one consistent read, and the record
    /// keys, opened by this device's passphrase (see [`Store::backup`]).
    pub fn backup(&self) -> Result<Vec<u8>, StoreError> {
        self.store.backup()
    }

    /// Restores `backup` (opened by `passphrase`, the one its device had) into `home` under a
    /// new device key, refusing a home that holds a store unless `replace`. Returns the device
    /// and the id of the device the backup was made on. The new device is not enrolled: it
    /// holds the data, but no peer accepts its changes or sessions until a direction device
    /// invites it and it joins (`carnet device invite`, then `carnet join` in this home).
    pub fn restore(
        home: &Path,
        backup: &[u8],
        passphrase: &[u8],
        replace: bool,
    ) -> Result<(Device, DeviceId), RestoreDeviceError> {
        let path = Self::store_path(home);
        if path.exists() && !replace {
            return Err(RestoreDeviceError::Exists);
        }
        std::fs::create_dir_all(home)?;
        crate::device::restrict(home, 0o700)?;
        // Made aside first: the home's store is replaced only by a backup that opened.
        let staging = home.join(STAGING);
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir(&staging)?;
        crate::device::restrict(&staging, 0o700)?;
        let made = Self::restore_into(&staging, backup, passphrase);
        let old = match made {
            Ok(old) => old,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        let staged = Self::store_path(&staging);
        let keys = staged.with_extension("keys");
        if keys.exists() {
            std::fs::rename(&keys, path.with_extension("keys"))?;
        }
        std::fs::rename(&staged, &path)?;
        std::fs::remove_dir_all(&staging)?;
        Ok((Device::open(home, passphrase)?, old))
    }

    /// Makes the store of `backup` in `home` (empty) under a new key and checks that it opens
    /// as a sound device; the id of the backup's own device.
    fn restore_into(
        home: &Path,
        backup: &[u8],
        passphrase: &[u8],
    ) -> Result<DeviceId, RestoreDeviceError> {
        let key = DeviceKey::generate()?;
        let path = Self::store_path(home);
        let (store, old) = Store::restore(&path, backup, passphrase, &key.secret_bytes())?;
        crate::device::restrict(&path, 0o600)?;
        Self::running(Self::unlocked(store)?)?;
        Ok(DeviceKey::from_secret_bytes(&old).id())
    }
}
