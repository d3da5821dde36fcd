//! Real iroh nodes on loopback: joining with a ticket, syncing, read scope, refusal of strangers
//! and revoked devices, and a reconnection with nothing changed costing a few messages.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use carnet_device::Device;
use carnet_model::{FieldClass, RecordKind, Role};
use carnet_node::{Node, NodeOptions, Ticket};
use chrono::Utc;
use tokio::sync::Mutex;

const PASS: &[u8] = b"a long test passphrase";

fn loopback() -> NodeOptions {
    NodeOptions {
        bind: "127.0.0.1:0".parse().unwrap(),
        mdns: false,
        relay: None,
    }
}

fn edits(kind: RecordKind, typed: &[&str]) -> Vec<carnet_model::FieldEdit> {
    typed.iter().map(|t| kind.parse_edit(t).unwrap()).collect()
}

async fn node(device: Device) -> Node {
    let (node, _events) = Node::spawn(Arc::new(Mutex::new(device)), loopback())
        .await
        .unwrap();
    node
}

/// A new device joins `inviter` with a ticket for `roles`.
async fn join(dir: &std::path::Path, name: &str, inviter: &Node, roles: &[Role]) -> Node {
    let roles: BTreeSet<Role> = roles.iter().copied().collect();
    let agreement = Some("2026-01-01".to_string());
    let secret = inviter
        .device()
        .lock()
        .await
        .invite(
            roles,
            name,
            None,
            agreement,
            Utc::now() + chrono::Duration::hours(1),
            false,
        )
        .unwrap();
    let org = *inviter.device().lock().await.org().0.as_bytes();
    let ticket: Ticket = Ticket {
        org,
        inviter: inviter.addr(),
        secret,
    }
    .to_string()
    .parse()
    .unwrap();
    let device = Device::create_joining(
        &dir.join(name),
        PASS,
        carnet_replica::OrgId(uuid::Uuid::from_bytes(ticket.org)),
    )
    .unwrap();
    let n = node(device).await;
    let outcome = n.sync_with(&ticket.inviter, Some(ticket.secret)).await;
    assert!(outcome.error.is_none(), "{outcome:?}");
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_join_sync_and_respect_read_scope_over_iroh() {
    let dir = tempfile::tempdir().unwrap();
    let mut director = Device::init(
        &dir.path().join("dir"),
        PASS,
        "Mist",
        "Ada",
        None,
        Utc::now(),
    )
    .unwrap();
    let m = RecordKind::Member;
    let id = director
        .add(
            m,
            &edits(
                m,
                &["display_name=Joy", "status=member", "last_name=Okafor"],
            ),
            Utc::now(),
        )
        .unwrap();
    let director = node(director).await;
    let staff = join(dir.path(), "Bea", &director, &[Role::Staff]).await;
    let board = join(dir.path(), "Bo", &director, &[Role::Board]).await;

    // What the sync moved is kept for the sync page, on both sides.
    let director_id = director.device().lock().await.id().to_string();
    let staff_id = staff.device().lock().await.id().to_string();
    let got = staff.device().lock().await.sync_figures().unwrap();
    assert!(got[&director_id].received > 0, "{got:?}");
    // (The responder notes its side once the connection has closed.)
    let mut sent = 0;
    for _ in 0..100 {
        let f = director.device().lock().await.sync_figures().unwrap();
        if let Some(f) = f.get(&staff_id) {
            sent = f.sent;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(sent > 0, "the inviter noted no change sent");

    // The staff device received everything, the board device no personal file.
    assert_eq!(
        staff.device().lock().await.show(m, id).unwrap().fields["last_name"]
            .value
            .to_string(),
        "Okafor"
    );
    let b = board.device().lock().await;
    assert_eq!(b.show(m, id).unwrap().label(), "Joy");
    assert!(
        b.documents()
            .unwrap()
            .iter()
            .all(|d| d.class() != Some(FieldClass::Per))
    );
    drop(b);

    // A used ticket is refused.
    let dev = Device::create_joining(
        &dir.path().join("again"),
        PASS,
        director.device().lock().await.org(),
    )
    .unwrap();
    let again = node(dev).await;
    let secret = director
        .device()
        .lock()
        .await
        .invite(
            BTreeSet::from([Role::Staff]),
            "X",
            None,
            None,
            Utc::now() + chrono::Duration::hours(1),
            false,
        )
        .unwrap();
    let first = again.sync_with(&director.addr(), Some(secret)).await;
    assert!(first.error.is_none());
    let stranger = node(
        Device::create_joining(
            &dir.path().join("s"),
            PASS,
            director.device().lock().await.org(),
        )
        .unwrap(),
    )
    .await;
    let reuse = stranger.sync_with(&director.addr(), Some(secret)).await;
    assert!(
        reuse
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("invitation"),
        "{reuse:?}"
    );
    // A stranger without a ticket gets nothing.
    let out = stranger.sync_with(&director.addr(), None).await;
    assert!(out.error.is_some());
    assert!(
        stranger
            .device()
            .lock()
            .await
            .documents()
            .unwrap()
            .is_empty()
    );

    // Staff edits; the director syncs with staff; then a reconnection with nothing changed.
    staff
        .device()
        .lock()
        .await
        .set(m, id, &edits(m, &["status=active"]), Utc::now())
        .unwrap();
    let o = director.sync_with(&staff.addr(), None).await;
    assert!(o.error.is_none(), "{o:?}");
    assert_eq!(
        director.device().lock().await.show(m, id).unwrap().fields["status"]
            .value
            .to_string(),
        "active"
    );
    let quiet = director.sync_with(&staff.addr(), None).await;
    assert!(quiet.error.is_none());
    assert_eq!(
        quiet.stats.messages_sent + quiet.stats.messages_received,
        3,
        "{:?}",
        quiet.stats
    );

    // Revocation: the board device is refused from then on.
    let board_id = board.id();
    director
        .device()
        .lock()
        .await
        .revoke(carnet_replica::DeviceId(board_id), Utc::now())
        .unwrap();
    let refused = board.sync_with(&director.addr(), None).await;
    assert!(
        refused
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("revoked"),
        "{refused:?}"
    );
}
