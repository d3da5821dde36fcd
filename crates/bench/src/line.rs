//! Measure 7: a change made at one end of a line of devices (each meets only its neighbours),
//! all in this process: time to reach the other end, against one hop.

use std::time::Instant;

use anyhow::{Result, bail};
use carnet_device::Device;
use carnet_model::RecordKind;
use chrono::Utc;

use crate::net::{self, PASS};

/// Seconds for a change to cross a line of `n` devices, and for its first hop.
pub(crate) async fn line(n: usize) -> Result<(f64, f64)> {
    let dir = tempfile::tempdir()?;
    let kind = RecordKind::Member;
    let mut d = Device::init(
        &dir.path().join("d0"),
        PASS,
        "Bench",
        "Director",
        None,
        Utc::now(),
    )?;
    let id = d.add(
        kind,
        &[
            kind.parse_edit("display_name=Joy")?,
            kind.parse_edit("status=member")?,
        ],
        Utc::now(),
    )?;
    let mut nodes = vec![net::node(d).await?];
    for i in 1..n {
        let (next, _) = net::join(dir.path(), &format!("d{i}"), &nodes[0]).await?;
        nodes.push(next);
    }
    // Everyone holds the registry with everyone in it.
    for i in 1..n {
        net::sync(&nodes[i], &nodes[0].addr(), None).await?;
    }
    nodes[0].device().lock().await.set(
        kind,
        id,
        &[kind.parse_edit("status=active")?],
        Utc::now(),
    )?;
    let mut hops = Vec::new();
    let t = Instant::now();
    for i in 1..n {
        hops.push(net::sync(&nodes[i], &nodes[i - 1].addr(), None).await?.secs);
    }
    let total = t.elapsed().as_secs_f64();
    let last = nodes[n - 1].device().lock().await.show(kind, id)?;
    if last.fields["status"].value.to_string() != "active" {
        bail!("the change did not reach the end of the line");
    }
    for n in nodes {
        n.shutdown().await;
    }
    Ok((total, hops[0]))
}
