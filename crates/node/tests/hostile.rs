//! Hostile clients against a real node (issue 15, item 7): connections that dribble their first
//! bytes (slowloris), announce a 4 GiB frame, or just pile up, from keys the registry does not
//! name. The node must close them early, keep lending its store to the device's other
//! commands, and still complete an honest device's sync. All on 127.0.0.1, relays off.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use carnet_device::Device;
use carnet_model::Role;
use carnet_node::{Node, NodeOptions, PeerAddr};
use chrono::Utc;
use iroh::endpoint::{Connection, presets};
use iroh::{Endpoint, EndpointAddr, PublicKey, RelayMode};
use tokio::sync::Mutex;

const PASS: &[u8] = b"a long test passphrase";
const ALPN: &[u8] = b"carnet/sync/1";

fn loopback() -> NodeOptions {
    NodeOptions {
        bind: "127.0.0.1:0".parse().unwrap(),
        mdns: false,
        relay: None,
    }
}

async fn node(device: Device) -> Node {
    let (node, _events) = Node::spawn(Arc::new(Mutex::new(device)), loopback())
        .await
        .unwrap();
    node
}

/// A connection from a fresh key (one the registry does not name) to `to`.
async fn stranger(to: &PeerAddr) -> (Endpoint, Connection) {
    let ep = Endpoint::builder(presets::Minimal)
        .relay_mode(RelayMode::Disabled)
        .clear_ip_transports()
        .bind_addr("127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap())
        .unwrap()
        .bind()
        .await
        .unwrap();
    let mut addr = EndpointAddr::new(PublicKey::from_bytes(&to.id).unwrap());
    for a in &to.addrs {
        addr = addr.with_ip_addr(*a);
    }
    let conn = ep.connect(addr, ALPN).await.unwrap();
    (ep, conn)
}

/// Whether the node closed `conn` within `within`.
async fn closed_within(conn: &Connection, within: Duration) -> bool {
    tokio::time::timeout(within, conn.closed()).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_clients_are_cut_off_and_an_honest_sync_still_completes() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("dir");
    let director = Device::init(&home, PASS, "Mist", "Ada", None, Utc::now()).unwrap();
    let director = node(director).await;
    let socket = dir.path().join("control.sock");
    let _lender = director.lend_store_on(&socket).unwrap();
    let target = director.addr();

    // A frame announced at 4 GiB.
    let (_huge_ep, huge) = stranger(&target).await;
    let (mut send, _recv) = huge.open_bi().await.unwrap();
    send.write_all(&u32::MAX.to_be_bytes()).await.unwrap();
    assert!(
        closed_within(&huge, Duration::from_secs(5)).await,
        "a frame announced at 4 GiB must end the connection at once"
    );
    // Slowloris: two bytes of a length prefix, then nothing (each retried while the slot the
    // one before held is being given back).
    let mut slow = Vec::new();
    while slow.len() < 2 {
        let (ep, conn) = stranger(&target).await;
        let opened = async {
            let (mut send, _recv) = conn.open_bi().await.ok()?;
            send.write_all(&[0, 0]).await.ok()?;
            Some(send)
        }
        .await;
        match opened {
            Some(send) if !closed_within(&conn, Duration::from_millis(300)).await => {
                slow.push((ep, conn, send))
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    // And a pile of connections that never say anything.
    let mut pile = Vec::new();
    for _ in 0..12 {
        pile.push(stranger(&target).await);
    }
    let mut cut = 0;
    for (_, conn) in &pile {
        if closed_within(conn, Duration::from_millis(500)).await {
            cut += 1;
        }
    }
    assert!(
        cut >= 10,
        "only {cut} of 12 idle strangers were turned away: strangers must have few slots"
    );

    // While the slow ones are still connected, the device's other commands can borrow the
    // store (regression: a stranger that had sent two bytes held the sessions' share of the
    // store for a minute, and `carnet member add` gave up).
    let borrowed = tokio::task::spawn_blocking(move || {
        carnet_node::borrow(&socket, Duration::from_secs(5)).map(drop)
    })
    .await
    .unwrap();
    assert!(
        borrowed.is_ok(),
        "the store could not be borrowed: {borrowed:?}"
    );

    // An honest device joins and syncs while all that goes on.
    // (The store comes back to the node a moment after the borrower let it go.)
    let roles: BTreeSet<Role> = [Role::Staff].into();
    let mut secret = None;
    for _ in 0..50 {
        let invited = director.device().lock().await.invite(
            roles.clone(),
            "Bea",
            None,
            Some("2026-01-01".into()),
            Utc::now() + chrono::Duration::hours(1),
            false,
        );
        if let Ok(s) = invited {
            secret = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let secret = secret.expect("the store never came back from the borrower");
    let org = director.device().lock().await.org();
    let staff = Device::create_joining(&dir.path().join("bea"), PASS, org).unwrap();
    let staff = node(staff).await;
    let first = staff.sync_with(&target, Some(secret)).await;
    // The two strangers' slots may still be taken by the slow ones: the honest device joining
    // with a ticket is a stranger too until then, and retries as `serve` does.
    let joined = if first.error.is_some() {
        tokio::time::sleep(Duration::from_secs(11)).await;
        staff.sync_with(&target, Some(secret)).await
    } else {
        first
    };
    assert!(joined.error.is_none(), "{joined:?}");
    let again = staff.sync_with(&target, None).await;
    assert!(
        again.error.is_none(),
        "an enrolled device's sync failed: {again:?}"
    );

    // The slow ones are cut off once the Hello deadline has passed.
    for (_, conn, _) in &slow {
        assert!(
            closed_within(conn, Duration::from_secs(15)).await,
            "a client that never finished its Hello is still connected"
        );
    }
}
