//! The way staff work, with real `carnet` processes: a device left running `carnet serve` while
//! other commands borrow its store (the lending path), and devices that sync periodically.
//! Regression suite of issue 11: an edit made while `serve` ran never reached a peer, because
//! the daemon's sync caches answered "nothing changed" after the store came back.
//!
//! Everything stays on 127.0.0.1 with ports chosen by the system, relays off.

use std::collections::BTreeSet;
use std::time::Duration;

use carnet_tests::{Home, Running, STAFF, describe, enrol, invite};

/// The ids of `member list --json`.
fn member_ids(home: &Home) -> BTreeSet<String> {
    home.json(&["member", "list", "--json"])
        .as_array()
        .expect("a JSON list")
        .iter()
        .map(|m| m["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// `carnet sync --peer addr` in `home`, which must succeed; its standard output.
fn sync_with(home: &Home, addr: &str) -> String {
    let args = ["sync", "--peer", addr, "--bind", "127.0.0.1:0"];
    let out = home.carnet(&args);
    assert!(out.status.success(), "{}", describe(&args, &out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A direction device and a staff device enrolled by it.
fn pair() -> (Home, Home) {
    let d = Home::init();
    let mut s = Home::new();
    enrol(&d, &mut s, &STAFF);
    (d, s)
}

fn stop(mut serve: Running) {
    let status = serve.interrupt();
    assert!(status.success(), "serve ended badly:\n{}", serve.describe());
}

#[test]
fn a_member_added_while_serve_runs_reaches_the_peer_at_the_next_sync() {
    let (d, s) = pair();
    let (serve, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0"]);
    // Level first: the daemon's caches are now warm.
    sync_with(&s, &addr);
    // Borrowed from serve (the lending path), as the README's way of working does.
    let zed = d.add_member(&["--name", "Zed"]);
    let out = sync_with(&s, &addr);
    assert!(
        member_ids(&s).contains(&zed),
        "the member added while serve ran did not reach the peer; sync said:\n{out}\n{}",
        serve.describe()
    );
    // And again after a second borrowed write (the cache must follow every return).
    let yan = d.add_member(&["--name", "Yan"]);
    sync_with(&s, &addr);
    assert!(member_ids(&s).contains(&yan), "{}", serve.describe());
    stop(serve);
}

#[test]
fn two_serving_devices_converge_after_edits_through_the_lending_path() {
    let (d, s) = pair();
    let every = ["--every", "2"];
    let (serve_d, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0", every[0], every[1]]);
    // S learns where D's daemon listens, then runs its own daemon syncing every 2 s.
    sync_with(&s, &addr);
    let (serve_s, _) = s.serve(&["--no-mdns", "--bind", "127.0.0.1:0", every[0], every[1]]);
    // Let a few periodic rounds run with nothing to do, so every cache is warm.
    std::thread::sleep(Duration::from_secs(3));

    // Edits on both sides, each through its own daemon's lending path.
    let on_d = d.add_member(&["--name", "Made on D"]);
    let on_s = s.add_member(&["--name", "Made on S"]);
    let want: BTreeSet<String> = [on_d.clone(), on_s.clone()].into();

    // Two periods later (nothing else touches the stores meanwhile), both hold both.
    std::thread::sleep(Duration::from_secs(4));
    let (printed_d, printed_s) = (serve_d.describe(), serve_s.describe());
    stop(serve_s);
    stop(serve_d);
    let (hd, hs) = (member_ids(&d), member_ids(&s));
    assert!(
        want.is_subset(&hd) && want.is_subset(&hs),
        "no convergence two periods after the edits: D holds S's member: {}, S holds D's: {}\nD:\n{printed_d}\nS:\n{printed_s}",
        hd.contains(&on_s),
        hs.contains(&on_d),
    );
}

#[test]
fn while_an_invitation_waits_the_device_other_commands_work() {
    let d = Home::init();
    let mut args = STAFF.to_vec();
    args.extend_from_slice(&["--bind", "127.0.0.1:0"]);
    let (mut invite, ticket) = invite(&d, &args);
    // The invitation holds the store; the device's commands borrow it meanwhile (they failed
    // with "store in use" for as long as the invitation waited).
    d.ok(&["member", "list"]);
    let during = d.add_member(&["--name", "Added during the invitation"]);
    // The invitation still works, and the new device receives what was written meanwhile.
    let mut s = Home::new();
    let out = s.join_confirmed(&ticket, &mut invite);
    assert!(
        out.status.success(),
        "{}\n{}",
        describe(&["join", &ticket], &out),
        invite.describe()
    );
    assert!(member_ids(&s).contains(&during), "{}", invite.describe());
    let status = invite.wait_exit(Duration::from_secs(15));
    assert!(
        status.is_some_and(|st| st.success()),
        "{}",
        invite.describe()
    );
}

#[test]
fn two_commands_started_together_wait_their_turn() {
    let d = Home::init();
    // No daemon: both open the file; the second waits for the first instead of failing.
    let runs: Vec<Running> = (0..3)
        .map(|i| {
            let name = format!("Together {i}");
            d.spawn(&["member", "add", "--name", &name])
        })
        .collect();
    for mut run in runs {
        let status = run.wait_exit(Duration::from_secs(60));
        assert!(
            status.is_some_and(|st| st.success()),
            "a command started together with others failed:\n{}",
            run.describe()
        );
    }
    assert_eq!(member_ids(&d).len(), 3);
}

#[test]
fn a_joined_device_reaches_its_serving_inviter_with_no_address_given() {
    let d = Home::init();
    // Invited and served on the device's own port (no --bind): chosen once, kept.
    let (mut invite, ticket) = invite(&d, &STAFF);
    let mut s = Home::new();
    let out = s.join_confirmed(&ticket, &mut invite);
    assert!(out.status.success(), "{}", describe(&["join"], &out));
    assert!(
        invite
            .wait_exit(Duration::from_secs(15))
            .is_some_and(|st| st.success()),
        "{}",
        invite.describe()
    );
    let later = d.add_member(&["--name", "Written after the join"]);
    let (serve, _) = d.serve(&["--no-mdns"]);
    // A plain `carnet sync`: no address given (it timed out on the invitation's old address).
    let args = ["sync", "--no-mdns"];
    let out = s.carnet(&args);
    assert!(
        out.status.success(),
        "{}\n{}",
        describe(&args, &out),
        serve.describe()
    );
    assert!(member_ids(&s).contains(&later), "{}", serve.describe());
    // `carnet status` says how the peer was last reached.
    let status = s.json(&["status", "--json"]);
    let text = status.to_string();
    assert!(
        text.contains("reached at its address"),
        "status does not say how the peer was reached: {text}"
    );
    stop(serve);
}

#[test]
fn a_damaged_document_is_set_aside_and_a_peer_restores_it() {
    use carnet_tests::raw;
    let (d, s) = pair();
    let project = d.added("project", &["--title", "Histoire", "--start", "2024-01-01"]);
    let kept = d.added(
        "activity",
        &[
            "-f",
            "title=Atelier un",
            "-f",
            "type=workshop",
            "-f",
            "date=2024-02-02",
            "-f",
            &format!("project={project}"),
        ],
    );
    let hurt = d.added(
        "activity",
        &[
            "-f",
            "title=Atelier deux",
            "-f",
            "type=workshop",
            "-f",
            "date=2024-03-02",
            "-f",
            &format!("project={project}"),
        ],
    );
    let (serve, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0"]);
    sync_with(&s, &addr);
    stop(serve);

    // 16 bytes flipped in one activity's stored state on S.
    let com = raw::doc("activity", &hurt, "com");
    let path = s.store_path();
    let mut sealed = raw::sealed_doc(&path, &com);
    let middle = sealed.len() / 2;
    for b in &mut sealed[middle..middle + 16] {
        *b ^= 0x5a;
    }
    raw::put_sealed_doc(&path, &com, &sealed);

    // Every command that reads many records keeps working without it.
    let list = s.ok(&["activity", "list"]);
    assert!(
        list.contains("Atelier un") && !list.contains("Atelier deux"),
        "{list}"
    );
    s.ok(&["todo"]);
    s.ok(&["report"]);
    s.ok(&["export", "activity"]);
    s.ok(&["activity", "show", &kept]);
    // `verify` and `status` report it.
    let verify = s.carnet(&["verify"]);
    assert!(!verify.status.success(), "verify passed on a damaged store");
    let status = s.json(&["status", "--json"]);
    assert_eq!(status["set_aside"], serde_json::json!([com]), "{status}");

    // The next sync fetches it again from the peer.
    let (serve, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0"]);
    sync_with(&s, &addr);
    stop(serve);
    let list = s.ok(&["activity", "list"]);
    assert!(
        list.contains("Atelier deux"),
        "not restored by the sync: {list}"
    );
    let status = s.json(&["status", "--json"]);
    assert_eq!(status["set_aside"], serde_json::json!([]), "{status}");
    s.ok(&["verify"]);
}
