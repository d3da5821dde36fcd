//! Discovery on the local network that does not name the device. An mDNS announcement under
//! the device's own key would let anyone on a café's or a shelter's network follow one phone
//! from network to network. So a device announces a random name, chosen again every
//! [`ROTATE`] and at every start, and beside it (in the announcement's user data) a random
//! nonce and a tag: the keyed hash of the nonce and the device's id under the association's
//! LAN key ([`carnet_device::Device::lan_key`]). A device of the association recognises a peer
//! by computing the tag for each device it knows; anyone else sees random bytes that change.
//!
//! What this does not hide: the announcement's addresses and port (the port is stable per
//! home, see `carnet serve`), and, to someone who connects to that port, the device's key
//! (QUIC's handshake shows it). A revoked device still holds the LAN key.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use carnet_device::Device;
use carnet_replica::DeviceId;
use data_encoding::BASE32_NOPAD;
use iroh::address_lookup::{AddressLookup, EndpointData, UserData};
use iroh::{Endpoint, SecretKey, TransportAddr};
use iroh_mdns_address_lookup::{DiscoveryEvent, MdnsAddressLookup};
use n0_future::StreamExt;
use tokio::sync::{Mutex, mpsc, watch};

use crate::addr::PeerAddr;

/// How long a device keeps one announced name.
pub const ROTATE: Duration = Duration::from_secs(3600);

/// How often the announced addresses are brought up to date (they change with the network).
const REPUBLISH: Duration = Duration::from_secs(30);

/// The service the association's devices announce.
const SERVICE: &str = "carnet";

/// The nonce's and the tag's length in bytes.
const NONCE: usize = 16;
const TAG: usize = 16;

/// The tag a device announces beside `nonce`: who it is, for those who hold `key` only.
pub fn tag(key: &[u8; 32], nonce: &[u8; NONCE], device: &[u8; 32]) -> [u8; TAG] {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(b"carnet mdns tag v1");
    h.update(nonce);
    h.update(device);
    let mut out = [0; TAG];
    out.copy_from_slice(&h.finalize().as_bytes()[..TAG]);
    out
}

/// One announcement: the random name it goes under and its user data (`nonce.tag`, base32).
#[derive(Debug, Clone)]
pub struct Announcement {
    /// The name announced (a random key's public half, never used to connect).
    pub name: iroh::EndpointId,
    /// `nonce.tag`, in base32.
    pub user_data: String,
}

impl Announcement {
    /// A fresh announcement for `device` under `key`.
    pub fn new(key: &[u8; 32], device: &[u8; 32]) -> Announcement {
        let nonce: [u8; NONCE] = SecretKey::generate().to_bytes()[..NONCE]
            .try_into()
            .expect("16 bytes");
        Announcement {
            name: SecretKey::generate().public(),
            user_data: format!(
                "{}.{}",
                BASE32_NOPAD.encode(&nonce),
                BASE32_NOPAD.encode(&tag(key, &nonce, device))
            ),
        }
    }
}

/// Which of `candidates` announced `user_data` under `key`, if any.
pub fn recognise(key: &[u8; 32], user_data: &str, candidates: &[DeviceId]) -> Option<DeviceId> {
    let (nonce, tagged) = user_data.split_once('.')?;
    let nonce: [u8; NONCE] = BASE32_NOPAD
        .decode(nonce.as_bytes())
        .ok()?
        .try_into()
        .ok()?;
    let tagged: [u8; TAG] = BASE32_NOPAD
        .decode(tagged.as_bytes())
        .ok()?
        .try_into()
        .ok()?;
    candidates
        .iter()
        .find(|d| tag(key, &nonce, &d.0) == tagged)
        .copied()
}

/// This node's discovery: what it announces, and the association's devices it found.
pub(crate) struct Lan {
    /// Where each recognised device was last seen.
    seen: std::sync::Mutex<HashMap<[u8; 32], Vec<SocketAddr>>>,
    /// Tells waiters that `seen` changed.
    changed: watch::Sender<u64>,
    /// Stops the announcing task when the node goes.
    _task: n0_future::task::AbortOnDropHandle<()>,
}

impl std::fmt::Debug for Lan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lan").finish_non_exhaustive()
    }
}

impl Lan {
    /// Starts announcing this device under rotating names and listening for the association's
    /// other devices; each one recognised (enrolled, not revoked) is also sent on `found`.
    /// Fails when the network allows no multicast at all.
    pub(crate) fn start(
        endpoint: Endpoint,
        device: Arc<Mutex<Device>>,
        key: [u8; 32],
        me: [u8; 32],
        found: mpsc::UnboundedSender<PeerAddr>,
    ) -> Result<Arc<Lan>, String> {
        // Build the first announcer here, so that a network without multicast says so at once.
        let first = announcer(&endpoint, &key, &me)?;
        let (changed, _) = watch::channel(0);
        let lan = Arc::new_cyclic(|weak: &std::sync::Weak<Lan>| {
            let weak = weak.clone();
            let task = tokio::spawn(async move {
                let mut current = Some(first);
                loop {
                    let (mdns, data) = match current.take() {
                        Some(m) => m,
                        None => match announcer(&endpoint, &key, &me) {
                            Ok(m) => m,
                            Err(e) => {
                                tracing::warn!(error = %e, "mDNS announcer not rebuilt");
                                tokio::time::sleep(REPUBLISH).await;
                                continue;
                            }
                        },
                    };
                    let mut events = mdns.subscribe().await;
                    let rotate = tokio::time::sleep(ROTATE);
                    tokio::pin!(rotate);
                    let mut republish = tokio::time::interval(REPUBLISH);
                    loop {
                        tokio::select! {
                            _ = &mut rotate => break,
                            _ = republish.tick() => publish(&mdns, &endpoint, &data),
                            ev = events.next() => {
                                let Some(DiscoveryEvent::Discovered { endpoint_info, .. }) = ev else {
                                    if ev.is_none() { break } else { continue }
                                };
                                let Some(user_data) = endpoint_info.data.user_data() else { continue };
                                let candidates = enrolled(&device, &me).await;
                                let Some(id) = recognise(&key, user_data.as_ref(), &candidates) else {
                                    continue;
                                };
                                let addrs: Vec<SocketAddr> =
                                    endpoint_info.data.ip_addrs().copied().collect();
                                let Some(lan) = weak.upgrade() else { return };
                                lan.seen
                                    .lock()
                                    .expect("not poisoned")
                                    .insert(id.0, addrs.clone());
                                lan.changed.send_modify(|n| *n += 1);
                                let _ = found.send(PeerAddr { id: id.0, addrs });
                            }
                        }
                    }
                }
            });
            Lan {
                seen: Default::default(),
                changed,
                _task: n0_future::task::AbortOnDropHandle::new(task),
            }
        });
        Ok(lan)
    }

    /// Where `id` was seen on the local network, waiting up to `wait` for it to show.
    pub(crate) async fn find(&self, id: &[u8; 32], wait: Duration) -> Option<Vec<SocketAddr>> {
        let mut changes = self.changed.subscribe();
        let look = || self.seen.lock().expect("not poisoned").get(id).cloned();
        tokio::time::timeout(wait, async {
            loop {
                if let Some(addrs) = look() {
                    return Some(addrs);
                }
                if changes.changed().await.is_err() {
                    return None;
                }
            }
        })
        .await
        .ok()
        .flatten()
    }
}

/// The association's devices, enrolled and not revoked, other than `me`.
async fn enrolled(device: &Mutex<Device>, me: &[u8; 32]) -> Vec<DeviceId> {
    let dev = device.lock().await;
    dev.registry()
        .map(|r| {
            r.devices
                .values()
                .filter(|d| d.revoked.is_none() && d.id.0 != *me)
                .map(|d| d.id)
                .collect()
        })
        .unwrap_or_default()
}

/// A new announcer under a fresh random name, already announcing the endpoint's addresses,
/// and the user data it announces.
fn announcer(
    endpoint: &Endpoint,
    key: &[u8; 32],
    me: &[u8; 32],
) -> Result<(MdnsAddressLookup, UserData), String> {
    let a = Announcement::new(key, me);
    let mdns = MdnsAddressLookup::builder()
        .service_name(SERVICE)
        .build(a.name)
        .map_err(|e| e.to_string())?;
    let data: UserData = a.user_data.parse().map_err(|_| "user data too long")?;
    publish(&mdns, endpoint, &data);
    Ok((mdns, data))
}

/// Announces the endpoint's current addresses with `user_data` (nothing is sent again when
/// they did not change).
fn publish(mdns: &MdnsAddressLookup, endpoint: &Endpoint, user_data: &UserData) {
    let addrs = crate::node::listening_addrs(endpoint)
        .into_iter()
        .map(TransportAddr::Ip)
        .collect();
    mdns.publish(&EndpointData::new(addrs).with_user_data(user_data.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_names_its_device_only_to_holders_of_the_key_and_changes_every_time() {
        let key = [7; 32];
        let me = DeviceId([1; 32]);
        let others = [DeviceId([2; 32]), DeviceId([3; 32])];
        let all = [others[0], me, others[1]];
        let a = Announcement::new(&key, &me.0);
        let b = Announcement::new(&key, &me.0);
        assert_ne!(a.name, b.name, "a new announcement gets a new name");
        assert_ne!(a.user_data, b.user_data, "and a new nonce and tag");
        for ann in [&a, &b] {
            assert_ne!(
                ann.name.as_bytes(),
                &me.0,
                "the name is not the device's key"
            );
            assert!(!ann.user_data.contains(&BASE32_NOPAD.encode(&me.0)));
            assert!(ann.user_data.len() <= UserData::MAX_LENGTH);
            assert_eq!(recognise(&key, &ann.user_data, &all), Some(me));
            assert_eq!(recognise(&key, &ann.user_data, &others), None);
            assert_eq!(
                recognise(&[8; 32], &ann.user_data, &all),
                None,
                "another key"
            );
        }
        for bad in ["", ".", "AAAA.BBBB", "not base32.at all", &a.user_data[1..]] {
            assert_eq!(recognise(&key, bad, &all), None, "{bad:?}");
        }
    }
}
