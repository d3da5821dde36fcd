//! The in-memory session driver: two real devices, an initiator and a responder session,
//! encoded messages passed between them the way `carnet-node`'s `drive` passes frames over a
//! QUIC stream — each side sends what [`Session::answer`] returned, then
//! [`Session::next_message`] until `None`, and only then reads the peer's next message; a side
//! that is done stops, a side that fails sends its refusal (if any) and stops, and a side left
//! waiting when nothing more arrives sees the connection close.
//!
//! Faults are applied to messages as they are sent: the connection cut after N deliveries,
//! messages lost, duplicated or swapped with the next of the same turn, and a [`Tamper`] hook
//! through which a hostile side rewrites its messages or injects more.

use std::collections::BTreeSet;

use carnet_device::Device;
use carnet_sync::{Message, Role, Session, SessionError, Stats};

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The side that dialled.
    Initiator,
    /// The side that accepted.
    Responder,
}

/// A hostile hook: every message a side sends goes through it; what it returns is sent instead.
pub type Tamper<'a> = &'a mut dyn FnMut(Sender, Message) -> Vec<Message>;

/// What can go wrong with a session, and how it is set up.
#[derive(Default)]
pub struct Faults<'a> {
    /// The connection drops once this many messages were delivered.
    pub cut: Option<usize>,
    /// Numbers (from 0, in the order sent, both directions) of the messages lost.
    pub drop: BTreeSet<usize>,
    /// Numbers of the messages delivered twice.
    pub duplicate: BTreeSet<usize>,
    /// Numbers of the messages delivered after the next one of the same turn.
    pub swap: BTreeSet<usize>,
    /// Rewrites what a side sends (a hostile peer).
    pub tamper: Option<Tamper<'a>>,
    /// The invitation's secret the initiator presents.
    pub ticket: Option<[u8; 16]>,
    /// Both sides build messages of about this many bytes ([`Session::with_message_budget`]).
    pub budget: Option<usize>,
}

impl Faults<'_> {
    /// Whether messages are lost, duplicated, reordered or rewritten (a session that is not a
    /// faithful stream may end without the two sides level).
    pub fn unfaithful(&self) -> bool {
        !self.drop.is_empty()
            || !self.duplicate.is_empty()
            || !self.swap.is_empty()
            || self.tamper.is_some()
    }
}

/// What one session did.
#[derive(Debug)]
pub struct Outcome {
    /// The initiator's figures.
    pub a: Stats,
    /// The responder's figures.
    pub b: Stats,
    /// How the initiator's side ended: `Ok` only if it reports the session complete.
    pub a_result: Result<(), SessionError>,
    /// How the responder's side ended.
    pub b_result: Result<(), SessionError>,
    /// Every message delivered, in order.
    pub transcript: Vec<(Sender, Message)>,
    /// Messages lost (by a fault).
    pub dropped: usize,
    /// Messages delivered twice (by a fault).
    pub duplicated: usize,
    /// Messages delivered out of order (by a fault).
    pub swapped: usize,
    /// Whether the connection was cut before the session ended.
    pub cut: bool,
}

impl Outcome {
    /// Whether a side reports the session complete.
    pub fn complete(&self, side: Sender) -> bool {
        match side {
            Sender::Initiator => self.a_result.is_ok(),
            Sender::Responder => self.b_result.is_ok(),
        }
    }

    /// Messages of both sides.
    pub fn messages(&self) -> usize {
        self.a.messages_sent + self.b.messages_sent
    }

    /// Bytes of both sides.
    pub fn bytes(&self) -> usize {
        self.a.bytes_sent + self.b.bytes_sent
    }

    /// The names of the messages, in order.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.transcript.iter().map(|(_, m)| kind(m)).collect()
    }

    /// Every document id named in any message (changes, hashes, wants, summaries).
    pub fn docs_named(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (_, m) in &self.transcript {
            match m {
                Message::Push {
                    changes,
                    hashes,
                    want,
                    ..
                } => {
                    out.extend(changes.iter().map(|(d, _)| d.clone()));
                    out.extend(hashes.iter().map(|(d, _)| d.clone()));
                    out.extend(want.iter().cloned());
                }
                Message::BucketDocs { docs, .. } => {
                    out.extend(docs.iter().map(|(d, _)| d.clone()));
                }
                _ => {}
            }
        }
        out
    }

    /// The signed record changes `from` sent, per document.
    pub fn changes_from(&self, from: Sender) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for (f, m) in &self.transcript {
            if *f == from
                && let Message::Push { changes, .. } = m
            {
                for (d, list) in changes {
                    out.extend(list.iter().map(|c| (d.clone(), c.clone())));
                }
            }
        }
        out
    }

    /// The signed registry changes `from` sent.
    pub fn registry_from(&self, from: Sender) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for (f, m) in &self.transcript {
            if *f == from {
                match m {
                    Message::RegistryPush { changes, .. } | Message::RegistryFinal { changes } => {
                        out.extend(changes.iter().cloned())
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

/// A message's name.
pub fn kind(m: &Message) -> &'static str {
    match m {
        Message::Hello { .. } => "Hello",
        Message::Welcome { .. } => "Welcome",
        Message::Refuse { .. } => "Refuse",
        Message::RegistryHashes { .. } => "RegistryHashes",
        Message::RegistryPush { .. } => "RegistryPush",
        Message::RegistryFinal { .. } => "RegistryFinal",
        Message::Root { .. } => "Root",
        Message::Buckets { .. } => "Buckets",
        Message::BucketDocs { .. } => "BucketDocs",
        Message::Push { .. } => "Push",
        Message::Done => "Done",
        Message::Revoked { .. } => "Revoked",
    }
}

/// The most messages a session may deliver before it is declared looping.
const MAX_MESSAGES: usize = 20_000;

/// One side: its session and how it stands.
struct Side {
    session: Session,
    /// Set when the side failed (it then reads nothing more).
    failed: Option<SessionError>,
}

impl Side {
    /// The side's result once nothing more arrives.
    fn result(&self) -> Result<(), SessionError> {
        match &self.failed {
            Some(e) => Err(e.clone()),
            None if self.session.is_done() => Ok(()),
            None => Err(SessionError::Protocol(
                "the connection closed before the session ended",
            )),
        }
    }

    /// Answers `msg`, then builds the rest of the turn (as the node does before reading again).
    fn turn(&mut self, msg: Message, device: &mut Device) -> Vec<Message> {
        match self.session.answer(msg, device) {
            Ok(mut out) => {
                while let Some(m) = self.session.next_message(device) {
                    out.push(m);
                }
                out
            }
            Err(e) => {
                let refusal = Session::refusal(&e);
                self.failed = Some(e);
                refusal.into_iter().collect()
            }
        }
    }
}

/// The sending half of the in-memory connection: numbers messages and applies the faults.
struct Wire<'f, 'a> {
    faults: &'f mut Faults<'a>,
    sent: usize,
    dropped: usize,
    duplicated: usize,
    swapped: usize,
}

impl Wire<'_, '_> {
    /// The turn `from` sends, as it arrives at the other side.
    fn send(&mut self, from: Sender, turn: Vec<Message>) -> Vec<Message> {
        let turn: Vec<Message> = match self.faults.tamper.as_mut() {
            Some(t) => turn.into_iter().flat_map(|m| t(from, m)).collect(),
            None => turn,
        };
        let mut out: Vec<(usize, Message)> = Vec::new();
        for m in turn {
            let n = self.sent;
            self.sent += 1;
            // Through the wire encoding, as the node frames it.
            let Ok(wire) = Message::decode(&m.encode()) else {
                // Undecodable (only a tampering side makes these): the reader drops the line.
                self.dropped += 1;
                continue;
            };
            if self.faults.drop.contains(&n) {
                self.dropped += 1;
                continue;
            }
            if self.faults.duplicate.contains(&n) {
                self.duplicated += 1;
                out.push((n, wire.clone()));
            }
            out.push((n, wire));
        }
        let mut i = 0;
        while i + 1 < out.len() {
            if self.faults.swap.contains(&out[i].0) {
                out.swap(i, i + 1);
                self.swapped += 1;
                i += 1;
            }
            i += 1;
        }
        out.into_iter().map(|(_, m)| m).collect()
    }
}

/// Runs a session: `a` dials `b`. Returns what both sides did; never panics on a session that
/// fails (only on one that loops).
pub fn drive(a: &mut Device, b: &mut Device, mut faults: Faults<'_>) -> Outcome {
    let (a_id, b_id) = (a.id().0, b.id().0);
    let mut sa = Session::new(Role::Initiator, b_id, faults.ticket);
    let mut sb = Session::new(Role::Responder, a_id, None);
    if let Some(budget) = faults.budget {
        sa = sa.with_message_budget(budget);
        sb = sb.with_message_budget(budget);
    }
    let cut = faults.cut;
    let mut ia = Side {
        session: sa,
        failed: None,
    };
    let mut ib = Side {
        session: sb,
        failed: None,
    };
    let mut wire = Wire {
        faults: &mut faults,
        sent: 0,
        dropped: 0,
        duplicated: 0,
        swapped: 0,
    };
    let mut transcript: Vec<(Sender, Message)> = Vec::new();
    let mut was_cut = false;
    let mut first = ia.session.start(a);
    while let Some(m) = ia.session.next_message(a) {
        first.push(m);
    }
    let mut to_b = wire.send(Sender::Initiator, first);
    let mut to_a: Vec<Message> = Vec::new();
    'session: while !to_b.is_empty() || !to_a.is_empty() {
        for from in [Sender::Initiator, Sender::Responder] {
            let batch = match from {
                Sender::Initiator => std::mem::take(&mut to_b),
                Sender::Responder => std::mem::take(&mut to_a),
            };
            let mut replies = Vec::new();
            for m in batch {
                if cut.is_some_and(|c| transcript.len() >= c) {
                    was_cut = true;
                    break 'session;
                }
                transcript.push((from, m.clone()));
                let (side, device) = match from {
                    Sender::Initiator => (&mut ib, &mut *b),
                    Sender::Responder => (&mut ia, &mut *a),
                };
                // A side that ended reads nothing more.
                if side.failed.is_some() || side.session.is_done() {
                    continue;
                }
                replies.extend(side.turn(m, device));
            }
            let replier = match from {
                Sender::Initiator => Sender::Responder,
                Sender::Responder => Sender::Initiator,
            };
            let sent = wire.send(replier, replies);
            match from {
                Sender::Initiator => to_a.extend(sent),
                Sender::Responder => to_b.extend(sent),
            }
        }
        assert!(
            transcript.len() <= MAX_MESSAGES,
            "the session loops: {:?}",
            transcript.iter().map(|(_, m)| kind(m)).collect::<Vec<_>>()
        );
    }
    let (dropped, duplicated, swapped) = (wire.dropped, wire.duplicated, wire.swapped);
    Outcome {
        a: ia.session.stats(),
        b: ib.session.stats(),
        a_result: ia.result(),
        b_result: ib.result(),
        transcript,
        dropped,
        duplicated,
        swapped,
        cut: was_cut,
    }
}

/// Runs a faithful session `a` → `b` that must succeed on both sides; returns it.
pub fn run(a: &mut Device, b: &mut Device) -> Outcome {
    let o = drive(a, b, Faults::default());
    if let Err(e) = &o.a_result {
        panic!("the initiator failed: {e}; messages {:?}", o.kinds());
    }
    if let Err(e) = &o.b_result {
        panic!("the responder failed: {e}; messages {:?}", o.kinds());
    }
    o
}

/// Runs a session `a` → `b` that must fail on a side; returns both sides' errors.
pub fn run_err(
    a: &mut Device,
    b: &mut Device,
) -> (Option<SessionError>, Option<SessionError>, Outcome) {
    let o = drive(a, b, Faults::default());
    assert!(
        o.a_result.is_err() || o.b_result.is_err(),
        "the session succeeded: {:?}",
        o.kinds()
    );
    (o.a_result.clone().err(), o.b_result.clone().err(), o)
}
