//! The daemon: the serve loop (peers found by mDNS, periodic sync with every known peer, a
//! sync as soon as another command hands the store back) and the peers it knows.

use std::net::SocketAddr;
use std::time::Duration;

use carnet_replica::DeviceId;
use tokio::sync::mpsc;

use crate::addr::PeerAddr;
use crate::node::{Node, SyncOutcome, with_device};

impl Node {
    /// Runs until `stop` resolves: finds peers on the LAN (when mDNS is on) and syncs with each
    /// enrolled peer when it appears, and with every known peer every `every`.
    pub async fn serve(
        &self,
        every: Duration,
        outcomes: mpsc::UnboundedSender<SyncOutcome>,
        stop: impl std::future::Future<Output = ()>,
    ) {
        let mut events = self.found.lock().await.take();
        let mut tick = tokio::time::interval(every);
        // A slow round (an unreachable peer) must not be followed by a burst of missed ticks.
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut resumed = self.resumed.1.lock().await.take();
        tokio::pin!(stop);
        loop {
            let next_resume = async {
                match resumed.as_mut() {
                    Some(r) => r.recv().await,
                    None => std::future::pending().await,
                }
            };
            let next_event = async {
                // No discovery (or it ended): nothing will come this way.
                match events.as_mut() {
                    Some(e) => match e.recv().await {
                        Some(peer) => peer,
                        None => std::future::pending().await,
                    },
                    None => std::future::pending().await,
                }
            };
            // What to sync with next: a peer just discovered, or every known peer.
            let peers: Vec<PeerAddr> = tokio::select! {
                biased;
                _ = &mut stop => return,
                peer = next_event => if self.is_enrolled(&peer.id).await { vec![peer] } else { vec![] },
                // Another command used the store (maybe changed something): sync now.
                Some(()) = next_resume => self.known_peers().await,
                _ = tick.tick() => {
                    self.apply_retention().await;
                    self.known_peers().await
                }
            };
            // Stopping must not wait for a round to end (a peer may be unreachable).
            let round = async {
                for peer in peers {
                    let outcome = self.sync_with(&peer, None).await;
                    let _ = outcomes.send(outcome);
                }
            };
            tokio::select! {
                biased;
                _ = &mut stop => return,
                _ = round => {}
            }
        }
    }

    /// On a direction device, erases the personal files whose retention period has ended
    /// (`Device::apply_retention`); the erasure reaches the others with this round's syncs.
    async fn apply_retention(&self) {
        with_device(&self.device, |dev| {
            let me = dev.id();
            let due = dev
                .registry()
                .is_some_and(|r| r.is_direction(&me) && r.retention_months.is_some());
            if !due {
                return;
            }
            let now = dev.now();
            match dev.apply_retention(now) {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "retention: personal files erased"),
                // A store lent to another command for a moment: the next tick tries again.
                Err(e) => tracing::debug!(error = %e, "retention not applied this round"),
            }
        })
        .await;
    }

    async fn is_enrolled(&self, id: &[u8; 32]) -> bool {
        let dev = self.device.lock().await;
        *id != self.id()
            && dev
                .registry()
                .and_then(|r| r.device(&DeviceId(*id)))
                .is_some_and(|d| d.revoked.is_none())
    }

    /// Enrolled peers this device has addresses for.
    pub async fn known_peers(&self) -> Vec<PeerAddr> {
        let dev = self.device.lock().await;
        let Ok(peers) = dev.peers() else {
            return vec![];
        };
        peers
            .into_iter()
            .filter_map(|(id, p)| {
                let id: DeviceId = id.parse().ok()?;
                let enrolled = dev
                    .registry()
                    .and_then(|r| r.device(&id))
                    .is_some_and(|d| d.revoked.is_none());
                let addrs: Vec<SocketAddr> =
                    p.addrs.iter().filter_map(|a| a.parse().ok()).collect();
                (enrolled && !addrs.is_empty()).then_some(PeerAddr { id: id.0, addrs })
            })
            .collect()
    }
}
