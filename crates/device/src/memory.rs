//! The device over a store in memory: the seam through which the test kit, the simulator and
//! the fuzz targets run the real [`Device`] (its ledger, store code, journal and sync caches)
//! without a home on disk.
//!
//! Everything but where the bytes live is the file-based path: [`Device::init`],
//! [`Device::create_joining`] and [`Device::open`] share their code with the constructors
//! here. What differs: the key is given (a seeded run makes the same keys, hence the same
//! organisation and the same change hashes), and the store's passphrase is derived with cheap
//! test parameters ([`carnet_store::KdfParams::INSECURE_FOR_TESTS`]). A [`Memory`] is the
//! "file": [`Device::open_in_memory`] on the same memory is a restart, or, while the first
//! device is suspended ([`Device::suspend`]), the other process `carnet serve` lends its store to.

use carnet_replica::{DeviceKey, OrgId};
use carnet_store::{Memory, Store};
use chrono::{DateTime, Utc};

use crate::Device;
use crate::error::{InitError, OpenDeviceError};

impl Device {
    /// Founds an organisation named `org_name` on a new device with key `key`, its store in
    /// `memory` (which must be empty), at `now`: as [`Device::init`], deterministic for a given
    /// key and time.
    pub fn found_in_memory(
        memory: &Memory,
        passphrase: &[u8],
        key: DeviceKey,
        org_name: &str,
        holder: &str,
        now: DateTime<Utc>,
    ) -> Result<Device, InitError> {
        let store = Store::create_in_memory(memory, passphrase, &key.secret_bytes())?;
        Self::found(store, key, org_name, holder, None, now)
    }

    /// A device with key `key` that will join organisation `org`, its store in `memory` (which
    /// must be empty): as [`Device::create_joining`].
    pub fn join_in_memory(
        memory: &Memory,
        passphrase: &[u8],
        key: DeviceKey,
        org: OrgId,
    ) -> Result<Device, InitError> {
        let store = Store::create_in_memory(memory, passphrase, &key.secret_bytes())?;
        Self::joining(store, key, org)
    }

    /// Opens the device whose store is in `memory`: as [`Device::open`] (a restart, or a
    /// second process while the first is suspended). Fails with "in use" while another device
    /// holds the memory.
    pub fn open_in_memory(memory: &Memory, passphrase: &[u8]) -> Result<Device, OpenDeviceError> {
        Self::running(Self::unlocked(Store::open_in_memory(memory, passphrase)?)?)
    }
}
