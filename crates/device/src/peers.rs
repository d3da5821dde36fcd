//! What this device needs to sync: the change hashes it holds per document, the changes to hand
//! out, invitation tickets it issued, and the peers it met. Tickets and peers are sealed in the
//! store's metadata.

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::Role;
use carnet_replica::{DeviceId, DocId, RegistryOp};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Device;
use crate::device::time_ms;
use crate::error::{ReadError, WriteError};

/// A document and the hashes of its changes that are not rejected.
pub type Held = (DocId, Vec<[u8; 32]>);

/// An invitation this device issued, kept until used or expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// Roles to grant.
    pub roles: BTreeSet<Role>,
    /// Who will hold the device.
    pub holder: String,
    /// Its city.
    pub city: Option<String>,
    /// Whether the holder signed the confidentiality agreement (recorded on joining).
    pub agreement: Option<String>,
    /// Expiry, ms since the epoch.
    pub expires_ms: i64,
    /// The device that used it, once used.
    pub used_by: Option<[u8; 32]>,
    /// Devices that presented the ticket and wait for the inviter to confirm their code (more
    /// than one: the ticket leaked).
    pub presented: Vec<[u8; 32]>,
    /// The device whose code the inviter confirmed: the only one the ticket enrols.
    pub confirmed: Option<[u8; 32]>,
    /// Devices whose code the inviter said differs from the new device's: never enrolled.
    pub refused: Vec<[u8; 32]>,
    /// Ended by the inviter (`device invite` stopped): refused from then on.
    pub cancelled: bool,
    /// Whether the inviter confirms each joining device's code before the ticket enrols it.
    pub confirm: bool,
}

/// How many devices may present one ticket before it stops listening to more.
const MAX_PRESENTED: usize = 8;

/// What a joining device is told while the inviter has not confirmed its code (the joining
/// side keeps trying while it reads this).
pub const AWAITING_CONFIRMATION: &str =
    "waiting for the inviting device to confirm the code shown on this one";

/// The confirmation code of a device joining with a ticket's secret: six digits both screens
/// show (`123 456`), which the inviter compares before the ticket enrols it. Someone who copied the ticket joins with another device id, so another
/// code.
pub fn join_code(secret: &[u8; 16], device: &DeviceId) -> String {
    let mut h = blake3::Hasher::new_derive_key("carnet 2026 invitation confirmation code");
    h.update(secret);
    h.update(&device.0);
    let n =
        u32::from_be_bytes(h.finalize().as_bytes()[..4].try_into().unwrap_or([0; 4])) % 1_000_000;
    format!("{:03} {:03}", n / 1000, n % 1000)
}

/// A peer this device synced with or tried to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerRecord {
    /// Addresses it was reached at (`ip:port`).
    pub addrs: Vec<String>,
    /// Last successful sync, ms since the epoch.
    pub last_sync_ms: Option<i64>,
    /// Outcome of the last attempt, for `carnet status`.
    pub last_result: String,
}

/// What the last sync with a peer moved (kept apart from [`PeerRecord`], whose stored form
/// older versions read).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncFigures {
    /// Changes received and stored.
    pub received: u64,
    /// Changes sent.
    pub sent: u64,
    /// Changes received and refused or rejected (see `carnet quarantine`).
    pub refused: u64,
}

fn ticket_key(secret: &[u8; 16]) -> String {
    format!("ticket/{}", hex::encode(blake3::hash(secret).as_bytes()))
}

impl Device {
    /// Hashes of the changes held for `doc` that are not rejected, sorted.
    pub fn held(&self, doc: &DocId) -> Result<Vec<[u8; 32]>, ReadError> {
        if *doc == DocId::Registry {
            let eval = self.registry.evaluation();
            let mut out: Vec<[u8; 32]> = self
                .registry
                .received()
                .keys()
                .filter(|h| !eval.rejected.contains_key(h))
                .map(|h| h.0)
                .collect();
            out.sort_unstable();
            return Ok(out);
        }
        Ok(self
            .state(&doc.to_string())?
            .map(|s| s.held)
            .unwrap_or_default())
    }

    /// Records committed writes for the sync layer's caches.
    pub(crate) fn note(&self, docs: impl IntoIterator<Item = (DocId, Vec<[u8; 32]>)>) {
        if let Ok(mut j) = self.journal.lock() {
            j.note(docs);
        }
    }

    /// Where the journal stands now (see [`Device::changed_since`]).
    pub(crate) fn stamp(&self) -> crate::journal::Stamp {
        match self.journal.lock() {
            Ok(j) => j.stamp(),
            Err(p) => p.into_inner().stamp(),
        }
    }

    /// The documents written since `stamp`, or `None` if the journal cannot prove it knows
    /// them all (then recompute from [`Device::held_all`]).
    pub(crate) fn changed_since(&self, stamp: crate::journal::Stamp) -> Option<Vec<DocId>> {
        self.journal.lock().ok()?.since(stamp)
    }

    /// The held change hashes of record document `doc` (empty if not held), from memory.
    pub fn held_cached(&self, doc: &DocId) -> Result<Vec<[u8; 32]>, ReadError> {
        self.load_held()?;
        let j = self
            .journal
            .lock()
            .map_err(|_| crate::device::damaged("journal"))?;
        Ok(j.held
            .as_ref()
            .and_then(|m| m.get(doc).cloned())
            .unwrap_or_default())
    }

    fn load_held(&self) -> Result<(), ReadError> {
        if self
            .journal
            .lock()
            .map(|j| j.held.is_some())
            .unwrap_or(false)
        {
            return Ok(());
        }
        let all = self.held_from_store()?;
        if let Ok(mut j) = self.journal.lock() {
            j.held = Some(all.into_iter().collect());
        }
        Ok(())
    }

    /// Every record document held, with the hashes of its changes that are not rejected
    /// (kept in memory after the first call).
    pub fn held_all(&self) -> Result<Vec<Held>, ReadError> {
        self.load_held()?;
        let j = self
            .journal
            .lock()
            .map_err(|_| crate::device::damaged("journal"))?;
        Ok(j.held
            .as_ref()
            .map(|m| m.iter().map(|(d, h)| (d.clone(), h.clone())).collect())
            .unwrap_or_default())
    }

    fn held_from_store(&self) -> Result<Vec<Held>, ReadError> {
        let mut out = Vec::new();
        for (name, value) in self.store.docs("")? {
            let Ok(doc) = name.parse::<DocId>() else {
                continue;
            };
            if doc == DocId::Registry {
                continue;
            }
            // A damaged state holds nothing to compare: peers then offer the whole document,
            // and receiving it rebuilds the state.
            let held = value
                .ok()
                .and_then(|b| crate::state::DocState::from_bytes(&b))
                .map(|state| state.held)
                .unwrap_or_default();
            out.push((doc, held));
        }
        Ok(out)
    }

    /// Signed changes of `doc` held and not rejected, except those in `except`, encoded.
    pub fn changes_for_peer(
        &self,
        doc: &DocId,
        except: &BTreeSet<[u8; 32]>,
    ) -> Result<Vec<Vec<u8>>, ReadError> {
        let keep: BTreeSet<[u8; 32]> = self
            .held(doc)?
            .into_iter()
            .filter(|h| !except.contains(h))
            .collect();
        if keep.is_empty() {
            return Ok(Vec::new());
        }
        // Handed out as stored: the seal proves this device wrote them, and the receiver
        // verifies every signature anyway (checking them here too doubled the cost of a sync).
        Ok(self
            .store
            .changes(&doc.to_string())?
            .into_iter()
            .filter(|(h, _)| keep.contains(h))
            .filter_map(|(_, sealed)| sealed.ok().map(|bytes| bytes.to_vec()))
            .collect())
    }

    /// Issues an invitation for a new device; returns its one-time secret. With `confirm`
    /// (what people hand over: `carnet device invite`, the web interface), the ticket enrols a
    /// device only once the inviter has compared its confirmation code ([`join_code`],
    /// [`Device::confirm_invitation`]); without it, the first device that presents it (for
    /// programs that hand the ticket to the joining device themselves: the demo, tests,
    /// benchmarks).
    pub fn invite(
        &mut self,
        roles: BTreeSet<Role>,
        holder: &str,
        city: Option<&str>,
        agreement: Option<String>,
        expires: DateTime<Utc>,
        confirm: bool,
    ) -> Result<[u8; 16], WriteError> {
        if !self.registry().is_some_and(|r| r.is_direction(&self.id())) {
            return Err(WriteError::NotDirection);
        }
        let mut secret = [0u8; 16];
        getrandom::fill(&mut secret).map_err(|_| carnet_store::StoreError::Random)?;
        let inv = Invitation {
            roles,
            holder: holder.to_owned(),
            city: city.map(str::to_owned),
            agreement,
            expires_ms: time_ms(expires),
            used_by: None,
            presented: vec![],
            confirmed: None,
            refused: vec![],
            cancelled: false,
            confirm,
        };
        self.save_invitation(&secret, &inv)?;
        Ok(secret)
    }

    /// Whether the invitation with this secret was used.
    pub fn invitation(&self, secret: &[u8; 16]) -> Result<Option<Invitation>, ReadError> {
        Ok(self
            .store
            .info(&ticket_key(secret))?
            .and_then(|v| v.ok())
            .and_then(|b| postcard::from_bytes(&b).ok()))
    }

    fn save_invitation(&mut self, secret: &[u8; 16], inv: &Invitation) -> Result<(), WriteError> {
        let mut batch = self.store.write()?;
        batch.put_info(
            &ticket_key(secret),
            &postcard::to_stdvec(inv).unwrap_or_default(),
        )?;
        batch.commit()?;
        Ok(())
    }

    /// The inviter compared the code `device` shows with the one this device shows for it
    /// ([`join_code`]) and said they match: the ticket enrols that device, and no other. False
    /// if `device` did not present the ticket (nothing changes).
    pub fn confirm_invitation(
        &mut self,
        secret: &[u8; 16],
        device: &DeviceId,
    ) -> Result<bool, WriteError> {
        let Some(mut inv) = self.invitation(secret)? else {
            return Ok(false);
        };
        if !inv.presented.contains(&device.0) || inv.cancelled || inv.refused.contains(&device.0) {
            return Ok(false);
        }
        inv.confirmed = Some(device.0);
        self.save_invitation(secret, &inv)?;
        Ok(true)
    }

    /// The inviter said the code `device` shows differs from the new device's: that device is
    /// never enrolled by this ticket (someone else read it; the right device may still join).
    pub fn refuse_invitation(
        &mut self,
        secret: &[u8; 16],
        device: &DeviceId,
    ) -> Result<(), WriteError> {
        if let Some(mut inv) = self.invitation(secret)?
            && !inv.refused.contains(&device.0)
        {
            inv.refused.push(device.0);
            if inv.confirmed == Some(device.0) {
                inv.confirmed = None;
            }
            self.save_invitation(secret, &inv)?;
        }
        Ok(())
    }

    /// Ends an invitation (its `device invite` stopped): the ticket is refused from then on, by
    /// this process and by a daemon that takes the store back.
    pub fn cancel_invitation(&mut self, secret: &[u8; 16]) -> Result<(), WriteError> {
        if let Some(mut inv) = self.invitation(secret)? {
            inv.cancelled = true;
            self.save_invitation(secret, &inv)?;
        }
        Ok(())
    }

    /// Redeems an invitation presented by `peer`. Until the inviter has confirmed `peer`'s code
    /// ([`Device::confirm_invitation`]), `peer` is noted as presenting it and told to wait
    /// ([`AWAITING_CONFIRMATION`]); once confirmed, it is enrolled with the invitation's roles
    /// and the invitation marked used. A used, cancelled, unknown or expired ticket is refused.
    pub fn redeem(
        &mut self,
        peer: DeviceId,
        secret: &[u8; 16],
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let refused = || "the invitation is unknown, used or expired; ask for a new one".to_owned();
        let mut inv = self
            .invitation(secret)
            .map_err(|e| e.to_string())?
            .ok_or_else(refused)?;
        if inv.used_by.is_some_and(|d| d != peer.0)
            || inv.expires_ms < time_ms(now)
            || inv.cancelled
            || inv.refused.contains(&peer.0)
        {
            return Err(refused());
        }
        if inv.confirm && inv.used_by.is_none() && inv.confirmed != Some(peer.0) {
            if !inv.presented.contains(&peer.0) && inv.presented.len() < MAX_PRESENTED {
                inv.presented.push(peer.0);
                self.save_invitation(secret, &inv)
                    .map_err(|e| e.to_string())?;
            }
            return Err(AWAITING_CONFIRMATION.to_owned());
        }
        if inv.used_by.is_none() {
            let mut ops = vec![RegistryOp::Enrol {
                device: peer,
                holder: inv.holder.clone(),
                city: inv.city.clone(),
                roles: inv.roles.clone(),
            }];
            if let Some(date) = &inv.agreement {
                ops.push(RegistryOp::Agreement {
                    device: peer,
                    signed_on: Some(date.clone()),
                });
            }
            self.change_registry(&ops, now).map_err(|e| e.to_string())?;
            inv.used_by = Some(peer.0);
            self.save_invitation(secret, &inv)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// The UDP port this device listens on when not told otherwise: chosen once (by the
    /// system, the first time the device listens) and kept, so that peers that stored this
    /// device's address (at joining, or at a sync) find it again after a restart.
    pub fn listen_port(&self) -> Result<Option<u16>, ReadError> {
        Ok(self
            .store
            .info("listen-port")?
            .and_then(|v| v.ok())
            .and_then(|b| <[u8; 2]>::try_from(b.as_slice()).ok())
            .map(u16::from_be_bytes))
    }

    /// Keeps `port` as this device's listening port (see [`Device::listen_port`]).
    pub fn set_listen_port(&mut self, port: u16) -> Result<(), WriteError> {
        let mut batch = self.store.write()?;
        batch.put_info("listen-port", &port.to_be_bytes())?;
        batch.commit()?;
        Ok(())
    }

    /// A small setting kept sealed in the store's metadata under `name` (a constant of the
    /// caller's, never a personal value), as written by [`Device::set_setting`].
    pub fn setting(&self, name: &str) -> Result<Option<Vec<u8>>, ReadError> {
        Ok(self
            .store
            .info(&format!("setting/{name}"))?
            .and_then(|v| v.ok())
            .map(|v| v.to_vec()))
    }

    /// Keeps `value` as the setting `name` (see [`Device::setting`]).
    pub fn set_setting(&mut self, name: &str, value: &[u8]) -> Result<(), WriteError> {
        let mut batch = self.store.write()?;
        batch.put_info(&format!("setting/{name}"), value)?;
        batch.commit()?;
        Ok(())
    }

    /// The peers this device met.
    pub fn peers(&self) -> Result<BTreeMap<String, PeerRecord>, ReadError> {
        Ok(self
            .store
            .info("peers")?
            .and_then(|v| v.ok())
            .and_then(|b| postcard::from_bytes(&b).ok())
            .unwrap_or_default())
    }

    /// What the last sync with each peer moved, by peer id.
    pub fn sync_figures(&self) -> Result<BTreeMap<String, SyncFigures>, ReadError> {
        Ok(self
            .store
            .info("peer-figures")?
            .and_then(|v| v.ok())
            .and_then(|b| postcard::from_bytes(&b).ok())
            .unwrap_or_default())
    }

    /// Records what the last sync with `peer` moved.
    pub fn note_sync_figures(
        &mut self,
        peer: DeviceId,
        figures: SyncFigures,
    ) -> Result<(), WriteError> {
        let mut all = self.sync_figures()?;
        all.insert(peer.to_string(), figures);
        let mut batch = self.store.write()?;
        batch.put_info(
            "peer-figures",
            &postcard::to_stdvec(&all).unwrap_or_default(),
        )?;
        batch.commit()?;
        Ok(())
    }

    /// Records the outcome of a sync with `peer`.
    pub fn note_peer(
        &mut self,
        peer: DeviceId,
        addrs: Vec<String>,
        ok: bool,
        result: &str,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let mut peers = self.peers()?;
        let p = peers.entry(peer.to_string()).or_default();
        if !addrs.is_empty() {
            p.addrs = addrs;
        }
        if ok {
            p.last_sync_ms = Some(time_ms(now));
        }
        p.last_result = result.to_owned();
        let mut batch = self.store.write()?;
        batch.put_info("peers", &postcard::to_stdvec(&peers).unwrap_or_default())?;
        batch.commit()?;
        Ok(())
    }
}
