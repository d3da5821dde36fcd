//! A sync session: the reactive state machine each side runs, and the device interface it
//! needs ([`SyncData`]).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use carnet_model::{DeviceId, DocId, OrgId};

use crate::{Digest, MAX_MESSAGE, Message, PROTOCOL_VERSION, bucket_of, buckets, root};

/// What a device offers a session. Implemented by one type, the real device
/// (`carnet_device::Device`, whose store it reads and writes), which every suite drives too
/// (checked by `tests/one_device.rs`). Ids are typed here; the session parses the names a peer
/// sends and never passes on one that is not a document id.
pub trait SyncData {
    /// This device's organisation.
    fn org(&self) -> OrgId;
    /// Whether `peer` is an enrolled, unrevoked device of the organisation.
    fn knows(&self, peer: &DeviceId) -> bool;
    /// Redeems an invitation ticket presented by `peer`: enrols it, or says why not.
    fn redeem(&mut self, peer: &DeviceId, secret: &[u8; 16]) -> Result<(), String>;
    /// Hashes of the registry changes held (valid or waiting).
    fn registry_hashes(&self) -> Vec<[u8; 32]>;
    /// Signed registry changes held, except those in `except`.
    fn registry_changes(&self, except: &BTreeSet<[u8; 32]>) -> Vec<Vec<u8>>;
    /// Receives signed registry changes.
    fn apply_registry(&mut self, changes: Vec<Vec<u8>>) -> Applied;
    /// (document name, digest) of the documents held that `peer` may read, sorted by name
    /// (the names go on the wire as they are).
    fn summaries(&self, peer: &DeviceId) -> Vec<(String, Digest)>;
    /// The 256 bucket digests of [`SyncData::summaries`]. Implementations that keep them up
    /// to date make a session's cost independent of the number of unchanged documents.
    fn bucket_digests(&self, peer: &DeviceId) -> Vec<Digest> {
        buckets(&self.summaries(peer))
    }
    /// The summaries of the documents in `which` buckets.
    fn bucket_docs(&self, peer: &DeviceId, which: &BTreeSet<u8>) -> Vec<(String, Digest)> {
        self.summaries(peer)
            .into_iter()
            .filter(|(d, _)| which.contains(&bucket_of(d)))
            .collect()
    }
    /// Whether document `doc` may be sent to `peer`.
    fn may_send(&self, peer: &DeviceId, doc: &DocId) -> bool;
    /// Hashes of the changes of `doc` held (valid or waiting).
    fn doc_hashes(&self, doc: &DocId) -> Vec<[u8; 32]>;
    /// Signed changes of `doc` held (valid or waiting), except those in `except`.
    fn doc_changes(&self, doc: &DocId, except: &BTreeSet<[u8; 32]>) -> Vec<Vec<u8>>;
    /// Receives signed changes of several documents, in one transaction.
    fn apply_docs(&mut self, batches: Vec<(DocId, Vec<Vec<u8>>)>) -> Applied;
    /// The signed registry change(s) revoking `peer`, if this device holds its revocation:
    /// the answer to a revoked device's `Hello`, so that it learns it and forgets.
    fn revocation_of(&self, _peer: &DeviceId) -> Option<Vec<Vec<u8>>> {
        None
    }
    /// Checks and keeps a revocation a peer handed over; whether it revokes this device.
    fn accept_revocation(&mut self, _notice: Vec<Vec<u8>>) -> bool {
        false
    }
    /// The changes this device signed, with their document names: what a revoked device hands
    /// in before it forgets.
    fn own_changes(&self) -> Vec<(String, Vec<u8>)> {
        Vec::new()
    }
    /// Forgets every record document and key (a revoked device, once its changes are in).
    fn forget(&mut self) {}
    /// Receives what revoked device `peer` hands in: only the changes it signed itself (they
    /// are judged as any: quarantined outside its cut-off).
    fn apply_from_revoked(
        &mut self,
        _peer: &DeviceId,
        batches: Vec<(DocId, Vec<Vec<u8>>)>,
    ) -> Applied {
        Applied {
            refused: batches.iter().map(|(_, c)| c.len()).sum(),
            ..Applied::default()
        }
    }
    /// Why this device must take part in no session (its store was found rolled back or
    /// tampered with, perhaps by what the peer just sent): the session stops at once.
    fn halted(&self) -> Option<String> {
        None
    }
}

/// A document name a peer sent, as a document id (`None`: not one; nothing is done with it).
fn doc_id(name: &str) -> Option<DocId> {
    name.parse().ok()
}

/// [`SyncData::may_send`] for a name a peer sent.
fn may_send(data: &dyn SyncData, peer: &DeviceId, name: &str) -> bool {
    doc_id(name).is_some_and(|d| data.may_send(peer, &d))
}

/// [`SyncData::doc_hashes`] for a name a peer sent.
fn doc_hashes(data: &dyn SyncData, name: &str) -> Vec<[u8; 32]> {
    doc_id(name).map_or_else(Vec::new, |d| data.doc_hashes(&d))
}

/// What applying received changes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// New changes stored.
    pub new: usize,
    /// Changes rejected by the access rules (quarantined).
    pub rejected: usize,
    /// Changes refused outright (bad signature, unreadable class).
    pub refused: usize,
}

/// Which side of a session this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The side that dialled.
    Initiator,
    /// The side that accepted.
    Responder,
}

/// Figures of a session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages sent.
    pub messages_sent: usize,
    /// Messages received.
    pub messages_received: usize,
    /// Bytes sent (encoded messages).
    pub bytes_sent: usize,
    /// Bytes received.
    pub bytes_received: usize,
    /// Changes sent.
    pub changes_sent: usize,
    /// Documents changes were received for.
    pub docs_received: usize,
    /// What applying the received changes did.
    pub applied: Applied,
}

/// Why a session failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The peer refused the session.
    #[error("the peer refused: {0}")]
    Refused(String),
    /// This side refused the peer (the reason was sent to it).
    #[error("refused the peer: {0}")]
    RefusedPeer(String),
    /// This device stopped: its store was found rolled back or tampered with (the peer is
    /// told that much, nothing more).
    #[error("{0}")]
    Halted(String),
    /// The peer broke the protocol.
    #[error("protocol error: {0}")]
    Protocol(&'static str),
    /// The peer sent more than a session may carry.
    #[error("the peer sent more than a session may carry")]
    TooMuch,
    /// The peer showed this device its revocation, signed by direction: this device handed in
    /// its own changes and forgot every record.
    #[error(
        "this device was revoked by direction: its own changes were handed in for review and its records deleted from it"
    )]
    Revoked,
}

/// The most messages a peer may send in one session (a turn of changes split under the size
/// limit takes a few dozen at most).
const MAX_SESSION_MESSAGES: usize = 10_000;

/// The most a peer may make this side receive in one session.
const MAX_SESSION_BYTES: usize = 1 << 30;

/// The most this side holds of a peer's lists (documents, hashes, wants) while a turn split
/// over several messages arrives: a 10,000-member association's document list is about 45 MB.
/// Changes are never held: each message's are stored before the next is read.
pub const MAX_HELD_LISTS: usize = 128 << 20;

/// What a stopped device tells its peer (the details stay on the device).
pub const HALTED: &str = "the peer's store was rolled back or tampered with: it takes part in no session until it is restored or enrolled again";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    AwaitHello,
    AwaitWelcome,
    AwaitRegistryPush,
    AwaitRoot,
    AwaitBucketDocs,
    /// Initiator: awaiting the responder's push.
    AwaitPush,
    /// Responder, after Welcome: the registry exchange, buckets, or the end.
    AwaitRequest,
    /// Responder, after the registry exchange: buckets or the end.
    AwaitBuckets,
    /// Responder, after BucketDocs: the initiator's hashes and wants.
    AwaitHashes,
    AwaitRegistryFinal,
    AwaitFinalPush,
    AwaitDone,
    /// Responder, after showing a revoked initiator its revocation: its own changes.
    AwaitRevokedPush,
    Finished,
}

/// One side of a sync session.
#[derive(Debug)]
pub struct Session {
    role: Role,
    peer: DeviceId,
    ticket: Option<[u8; 16]>,
    state: State,
    stats: Stats,
    inbox: BTreeMap<String, Vec<Vec<u8>>>,
    inbox_bytes: usize,
    /// Bytes of the peer's lists held (`peer_hashes`, `peer_want`, `peer_buckets`).
    held: usize,
    peer_hashes: Vec<(String, Vec<[u8; 32]>)>,
    peer_want: Vec<String>,
    /// Initiator: the responder's `BucketDocs` received so far (buckets, documents).
    peer_buckets: (BTreeSet<u8>, BTreeMap<String, Digest>),
    budget: usize,
    /// The turn this side is sending, if its messages are not all built yet.
    outbox: Option<Outbox>,
    /// Initiator: the responder showed this device its revocation.
    revoked: bool,
}

/// The default size a message built here aims under: half the limit, leaving room for the
/// estimate's slack.
const DEFAULT_BUDGET: usize = MAX_MESSAGE / 2;

impl Session {
    /// A session with the authenticated device `peer`. An initiator joining with an invitation
    /// passes the ticket's secret.
    pub fn new(role: Role, peer: [u8; 32], ticket: Option<[u8; 16]>) -> Session {
        Session {
            role,
            peer: DeviceId(peer),
            ticket,
            state: if role == Role::Initiator {
                State::AwaitWelcome
            } else {
                State::AwaitHello
            },
            stats: Stats::default(),
            inbox: BTreeMap::new(),
            inbox_bytes: 0,
            held: 0,
            peer_hashes: Vec::new(),
            peer_want: Vec::new(),
            peer_buckets: (BTreeSet::new(), BTreeMap::new()),
            budget: DEFAULT_BUDGET,
            outbox: None,
            revoked: false,
        }
    }

    /// Aims the messages this side builds at `bytes` each (default: half of [`MAX_MESSAGE`];
    /// capped there). A list of documents, hashes or changes longer than that is split over
    /// several messages; a single change larger than it still goes whole. For slow links, and
    /// for tests of the splitting.
    pub fn with_message_budget(mut self, bytes: usize) -> Session {
        self.budget = bytes.clamp(1, DEFAULT_BUDGET);
        self
    }

    /// The session's figures so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Whether the session is over.
    pub fn is_done(&self) -> bool {
        self.state == State::Finished
    }

    fn out(&mut self, msgs: Vec<Message>) -> Vec<Message> {
        for m in &msgs {
            self.stats.messages_sent += 1;
            self.stats.bytes_sent += m.encode().len();

            match m {
                Message::Push { changes, .. } => {
                    self.stats.changes_sent += changes.iter().map(|(_, c)| c.len()).sum::<usize>()
                }
                Message::RegistryPush { changes, .. } | Message::RegistryFinal { changes } => {
                    self.stats.changes_sent += changes.len()
                }
                _ => {}
            }
        }
        msgs
    }

    /// The initiator's first message.
    pub fn start(&mut self, data: &dyn SyncData) -> Vec<Message> {
        let hello = Message::Hello {
            version: PROTOCOL_VERSION,
            org: *data.org().0.as_bytes(),
            ticket: self.ticket,
        };
        self.out(vec![hello])
    }

    fn my_root(&self, data: &dyn SyncData) -> Digest {
        root(&data.bucket_digests(&self.peer))
    }

    fn registry_digest(data: &dyn SyncData) -> Digest {
        crate::doc_digest(&data.registry_hashes())
    }

    fn refuse(&mut self, reason: String) -> Result<Vec<Message>, SessionError> {
        self.state = State::Finished;
        Err(SessionError::RefusedPeer(reason))
    }

    /// The message refusing the peer, to send before closing after [`SessionError::RefusedPeer`].
    pub fn refusal(err: &SessionError) -> Option<Message> {
        match err {
            SessionError::RefusedPeer(reason) => Some(Message::Refuse {
                reason: reason.clone(),
            }),
            SessionError::Halted(_) => Some(Message::Refuse {
                reason: HALTED.to_owned(),
            }),
            _ => None,
        }
    }

    /// Ends the session if this device stopped (see [`SyncData::halted`]).
    fn check_halted(&mut self, data: &dyn SyncData) -> Result<(), SessionError> {
        match data.halted() {
            Some(why) => {
                self.state = State::Finished;
                self.outbox = None;
                Err(SessionError::Halted(why))
            }
            None => Ok(()),
        }
    }

    /// Handles one message from the peer; returns every message to send back.
    pub fn handle(
        &mut self,
        msg: Message,
        data: &mut dyn SyncData,
    ) -> Result<Vec<Message>, SessionError> {
        let mut out = self.answer(msg, data)?;
        while let Some(m) = self.next_message(data) {
            out.push(m);
        }
        Ok(out)
    }

    /// The next message of the turn this side is sending, built now (`None` when the turn is
    /// all sent). After [`Session::answer`], send what it returned, then these until `None`,
    /// before reading the peer's next message: a turn of changes is never all in memory.
    pub fn next_message(&mut self, data: &dyn SyncData) -> Option<Message> {
        let mut turn = self.outbox.take()?;
        let (message, last) = turn.next(data, self.budget);
        if !last {
            self.outbox = Some(turn);
        }
        self.out(vec![message]).pop()
    }

    /// Like [`Session::handle`], but returns only the first messages to send back; the rest of
    /// a turn comes from [`Session::next_message`].
    pub fn answer(
        &mut self,
        msg: Message,
        data: &mut dyn SyncData,
    ) -> Result<Vec<Message>, SessionError> {
        if self.outbox.is_some() {
            self.state = State::Finished;
            return Err(SessionError::Protocol(
                "a message arrived before this side's turn was sent",
            ));
        }
        self.stats.messages_received += 1;
        self.stats.bytes_received += msg.encode().len();
        if self.stats.messages_received > MAX_SESSION_MESSAGES {
            self.state = State::Finished;
            return Err(SessionError::TooMuch);
        }
        if let Message::Refuse { reason } = msg {
            self.state = State::Finished;
            return Err(SessionError::Refused(reason));
        }
        self.check_halted(data)?;
        let out = self.react(msg, data)?;
        // What the peer just sent may have shown this device its store was rolled back.
        self.check_halted(data)?;
        Ok(out)
    }

    fn react(
        &mut self,
        msg: Message,
        data: &mut dyn SyncData,
    ) -> Result<Vec<Message>, SessionError> {
        let out = match (self.role, self.state, msg) {
            // ---- responder ----
            (
                Role::Responder,
                State::AwaitHello,
                Message::Hello {
                    version,
                    org,
                    ticket,
                },
            ) => {
                if version != PROTOCOL_VERSION {
                    return self.refuse(format!("protocol version {version} is not supported"));
                }
                if org != *data.org().0.as_bytes() {
                    return self.refuse("another organisation".into());
                }
                if let Some(secret) = ticket
                    && let Err(e) = data.redeem(&self.peer, &secret)
                {
                    return self.refuse(e);
                }
                // Also after redeeming a ticket: a revoked device stays revoked.
                if !data.knows(&self.peer) {
                    // A revoked device is shown its revocation (so that it forgets) and may
                    // hand in what it signed (for direction to review), nothing more.
                    if ticket.is_none()
                        && let Some(notice) = data.revocation_of(&self.peer)
                    {
                        self.state = State::AwaitRevokedPush;
                        return Ok(self.out(vec![Message::Revoked { notice }]));
                    }
                    return self.refuse("this device is not enrolled, or was revoked".into());
                }

                self.state = State::AwaitRequest;
                vec![Message::Welcome {
                    registry: Self::registry_digest(data),
                    root: self.my_root(data),
                }]
            }
            (Role::Responder, State::AwaitRequest, Message::RegistryHashes { hashes }) => {
                let theirs: BTreeSet<[u8; 32]> = hashes.into_iter().collect();
                self.state = State::AwaitRegistryFinal;
                vec![Message::RegistryPush {
                    changes: data.registry_changes(&theirs),
                    hashes: data.registry_hashes(),
                }]
            }
            (Role::Responder, State::AwaitRegistryFinal, Message::RegistryFinal { changes }) => {
                self.count_in(changes.iter().map(Vec::len).sum())?;
                let a = data.apply_registry(changes);
                self.add(a);
                if !data.knows(&self.peer) {
                    return self.refuse("this device is not enrolled, or was revoked".into());
                }
                self.state = State::AwaitBuckets;
                vec![Message::Root {
                    root: self.my_root(data),
                }]
            }
            (
                Role::Responder,
                State::AwaitRequest | State::AwaitBuckets,
                Message::Buckets { digests },
            ) => {
                if digests.len() != 256 {
                    return Err(SessionError::Protocol("expected 256 bucket digests"));
                }
                let mine = data.bucket_digests(&self.peer);
                let differ: Vec<u8> = (0..=255u8)
                    .filter(|b| mine[*b as usize] != digests[*b as usize])
                    .collect();
                let set: BTreeSet<u8> = differ.iter().copied().collect();
                let docs = data.bucket_docs(&self.peer, &set);
                self.state = State::AwaitHashes;
                split_bucket_docs(differ, docs, self.budget)
            }
            (
                Role::Responder,
                State::AwaitHashes,
                Message::Push {
                    changes,
                    hashes,
                    want,
                    last,
                },
            ) => {
                self.take(changes)?;
                self.take_lists(hashes, want)?;
                // Stored as they come (regression: kept until the end of the initiator's
                // turn, a peer could make this side hold up to the session's whole bound).
                self.apply_inbox(data, false);
                if !last {
                    return Ok(vec![]);
                }
                self.held = 0;
                // Send what the initiator lacks, our hashes where it sent its own, and ask
                // for documents we lack entirely.
                let mut turn = Outbox::default();
                for (doc, theirs) in std::mem::take(&mut self.peer_hashes) {
                    if !may_send(data, &self.peer, &doc) {
                        continue;
                    }
                    let mine = doc_hashes(data, &doc);
                    if mine.is_empty() {
                        turn.want.push_back(doc);
                        continue;
                    }
                    turn.docs
                        .push_back((doc.clone(), theirs.into_iter().collect()));
                    turn.hashes.push_back((doc, mine));
                }
                self.queue_wanted(&mut turn, data);
                self.state = State::AwaitFinalPush;
                self.outbox = Some(turn);
                vec![]
            }
            (Role::Responder, State::AwaitFinalPush, Message::Push { changes, last, .. }) => {
                self.take(changes)?;
                if !last {
                    // Stored as they come, one message at a time: a device receiving a whole
                    // association never holds all of it (nor one huge transaction) in memory.
                    self.apply_inbox(data, false);
                    return Ok(vec![]);
                }
                self.apply_inbox(data, false);
                self.state = State::Finished;
                vec![Message::Done]
            }
            (Role::Responder, State::AwaitRevokedPush, Message::Push { changes, last, .. }) => {
                self.take(changes)?;
                self.apply_inbox(data, true);
                if !last {
                    return Ok(vec![]);
                }
                self.state = State::Finished;
                vec![Message::Done]
            }
            (Role::Responder, State::AwaitRequest | State::AwaitBuckets, Message::Done) => {
                self.state = State::Finished;
                vec![]
            }
            // ---- initiator ----
            (
                Role::Initiator,
                State::AwaitWelcome,
                Message::Welcome {
                    registry,
                    root: their_root,
                },
            ) => {
                // Unless joining (then the registry tells who the inviter is), the responder
                // must be one of ours, whatever it says of its registry.
                // (A device that holds no registry yet learns it first, then checks.)
                if self.ticket.is_none()
                    && !data.registry_hashes().is_empty()
                    && !data.knows(&self.peer)
                {
                    return self.refuse(
                        "the peer is not an enrolled device of this organisation, or was revoked"
                            .into(),
                    );
                }
                if registry != Self::registry_digest(data) {
                    self.state = State::AwaitRegistryPush;
                    vec![Message::RegistryHashes {
                        hashes: data.registry_hashes(),
                    }]
                } else {
                    self.compare_roots(their_root, data)
                }
            }
            (
                Role::Initiator,
                State::AwaitRegistryPush,
                Message::RegistryPush { changes, hashes },
            ) => {
                self.count_in(changes.iter().map(Vec::len).sum())?;
                let a = data.apply_registry(changes);
                self.add(a);
                // The peer was authenticated by its key; it must also be one of ours before it
                // gets our registry (a joining device learns so from the registry just received).
                if !data.knows(&self.peer) {
                    return self
                        .refuse("the peer is not an enrolled device of this organisation".into());
                }
                let theirs: BTreeSet<[u8; 32]> = hashes.into_iter().collect();

                self.state = State::AwaitRoot;
                vec![Message::RegistryFinal {
                    changes: data.registry_changes(&theirs),
                }]
            }
            (Role::Initiator, State::AwaitRoot, Message::Root { root: their_root }) => {
                self.compare_roots(their_root, data)
            }
            (
                Role::Initiator,
                State::AwaitBucketDocs,
                Message::BucketDocs {
                    buckets: differ,
                    docs,
                    last,
                },
            ) => {
                self.hold(docs.iter().map(|(d, _)| d.len() + 32).sum())?;
                self.peer_buckets.0.extend(differ);
                self.peer_buckets.1.extend(docs);
                if !last {
                    return Ok(vec![]);
                }
                let (set, theirs) = std::mem::take(&mut self.peer_buckets);
                self.held = 0;
                let mine: BTreeMap<String, Digest> =
                    data.bucket_docs(&self.peer, &set).into_iter().collect();
                let (mut hashes, mut want) = (Vec::new(), Vec::new());
                let all: BTreeSet<&String> = mine.keys().chain(theirs.keys()).collect();
                for doc in all {
                    match (mine.get(doc), theirs.get(doc)) {
                        (Some(a), Some(b)) if a == b => {}
                        (Some(_), _) => hashes.push((doc.clone(), doc_hashes(data, doc))),
                        (None, Some(_)) => {
                            if may_send(data, &self.peer, doc) {
                                want.push(doc.clone());
                            }
                        }
                        (None, None) => {}
                    }
                }
                self.state = State::AwaitPush;
                self.outbox = Some(Outbox {
                    hashes: hashes.into(),
                    want: want.into(),
                    ..Outbox::default()
                });
                vec![]
            }
            (
                Role::Initiator,
                State::AwaitPush,
                Message::Push {
                    changes,
                    hashes,
                    want,
                    last,
                },
            ) => {
                self.take(changes)?;
                self.take_lists(hashes, want)?;
                if !last {
                    // As the responder does: stored one message at a time.
                    self.apply_inbox(data, false);
                    return Ok(vec![]);
                }
                self.held = 0;
                let mut turn = Outbox::default();
                for (doc, theirs) in std::mem::take(&mut self.peer_hashes) {
                    if may_send(data, &self.peer, &doc) {
                        turn.docs.push_back((doc, theirs.into_iter().collect()));
                    }
                }
                self.queue_wanted(&mut turn, data);
                // (What the turn sends is fetched afterwards: the changes just received came
                // from the peer, so they are among its hashes and never sent back.)
                self.apply_inbox(data, false);
                self.state = State::AwaitDone;
                self.outbox = Some(turn);
                vec![]
            }
            (Role::Initiator, State::AwaitWelcome, Message::Revoked { notice }) => {
                // What it signed first: accepting may delete documents at once (when this
                // device holds everything the revocation depends on).
                let own = data.own_changes();
                if !data.accept_revocation(notice) {
                    self.state = State::Finished;
                    return Err(SessionError::Refused(
                        "this device is not enrolled, or was revoked".into(),
                    ));
                }
                self.revoked = true;
                self.state = State::AwaitDone;
                self.outbox = Some(Outbox {
                    fetched: own.into(),
                    ..Outbox::default()
                });
                vec![]
            }
            (Role::Initiator, State::AwaitDone, Message::Done) => {
                self.state = State::Finished;
                if self.revoked {
                    data.forget();
                    return Err(SessionError::Revoked);
                }
                vec![]
            }
            _ => return Err(SessionError::Protocol("unexpected message")),
        };
        Ok(self.out(out))
    }

    fn compare_roots(&mut self, their_root: Digest, data: &dyn SyncData) -> Vec<Message> {
        let mine = data.bucket_digests(&self.peer);
        if root(&mine) == their_root {
            self.state = State::Finished;
            vec![Message::Done]
        } else {
            self.state = State::AwaitBucketDocs;
            vec![Message::Buckets { digests: mine }]
        }
    }

    /// Queues the documents the peer asked for whole (and may read).
    fn queue_wanted(&mut self, turn: &mut Outbox, data: &dyn SyncData) {
        for doc in std::mem::take(&mut self.peer_want) {
            if may_send(data, &self.peer, &doc) {
                turn.docs.push_back((doc, BTreeSet::new()));
            }
        }
    }

    fn count_in(&mut self, bytes: usize) -> Result<(), SessionError> {
        self.inbox_bytes += bytes;
        if self.inbox_bytes > MAX_SESSION_BYTES {
            self.state = State::Finished;
            return Err(SessionError::TooMuch);
        }
        Ok(())
    }

    /// Counts `bytes` of the peer's lists against the session's bound and the bound on what
    /// is held at once.
    fn hold(&mut self, bytes: usize) -> Result<(), SessionError> {
        self.count_in(bytes)?;
        self.held += bytes;
        if self.held > MAX_HELD_LISTS {
            self.state = State::Finished;
            return Err(SessionError::TooMuch);
        }
        Ok(())
    }

    fn take(&mut self, changes: Vec<(String, Vec<Vec<u8>>)>) -> Result<(), SessionError> {
        for (doc, list) in changes {
            self.count_in(list.iter().map(Vec::len).sum())?;
            self.inbox.entry(doc).or_default().extend(list);
        }
        Ok(())
    }

    /// Keeps the peer's hashes and wants of a turn, counted against the session's bound (a
    /// turn split over many messages must not grow without limit).
    fn take_lists(
        &mut self,
        hashes: Vec<(String, Vec<[u8; 32]>)>,
        want: Vec<String>,
    ) -> Result<(), SessionError> {
        let bytes = hashes
            .iter()
            .map(|(d, h)| d.len() + 32 * h.len())
            .sum::<usize>()
            + want.iter().map(String::len).sum::<usize>();
        self.hold(bytes)?;
        self.peer_hashes.extend(hashes);
        self.peer_want.extend(want);
        Ok(())
    }

    fn add(&mut self, a: Applied) {
        self.stats.applied.new += a.new;
        self.stats.applied.rejected += a.rejected;
        self.stats.applied.refused += a.refused;
    }

    /// Applies the changes received so far (`from_revoked`: only those the revoked peer
    /// signed itself).
    fn apply_inbox(&mut self, data: &mut dyn SyncData, from_revoked: bool) {
        let inbox = std::mem::take(&mut self.inbox);
        if inbox.is_empty() {
            return;
        }
        self.stats.docs_received += inbox.len();
        let mut refused = 0;
        let mut batches = Vec::new();
        for (name, changes) in inbox {
            match doc_id(&name) {
                Some(doc) => batches.push((doc, changes)),
                None => refused += changes.len(),
            }
        }
        let mut a = if from_revoked {
            data.apply_from_revoked(&self.peer, batches)
        } else {
            data.apply_docs(batches)
        };
        a.refused += refused;
        self.add(a);
        // Bring this scope's digests up to date now, while the work is proportional to what
        // was just received, rather than at the start of the next session.
        let _ = data.bucket_digests(&self.peer);
    }
}

/// A turn still to send, built one message at a time ([`Session::next_message`]) so that a
/// device sending a whole association never holds it in memory: changes document by
/// document, then hashes, then wants, in messages of about the session's budget; the last one
/// ends the turn.
#[derive(Debug, Default)]
struct Outbox {
    /// Documents whose changes to send, with the hashes the peer already holds.
    docs: VecDeque<(String, BTreeSet<[u8; 32]>)>,
    /// Changes fetched and not yet sent (a document larger than one message).
    fetched: VecDeque<(String, Vec<u8>)>,
    hashes: VecDeque<(String, Vec<[u8; 32]>)>,
    want: VecDeque<String>,
}

impl Outbox {
    /// The next message of the turn, and whether it is the last.
    fn next(&mut self, data: &dyn SyncData, budget: usize) -> (Message, bool) {
        let mut changes: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
        let mut hashes = Vec::new();
        let mut want = Vec::new();
        let mut size = 0;
        // Whether an item of `item` bytes still fits (a message holds at least one).
        let fits = |size: usize, item: usize| size == 0 || size + item <= budget;
        let last = loop {
            if let Some((doc, change)) = self.fetched.front() {
                let item = change.len() + doc.len() + 16;
                if !fits(size, item) {
                    break false;
                }
                size += item;
                if let Some((doc, change)) = self.fetched.pop_front() {
                    match changes.last_mut() {
                        Some((d, list)) if *d == doc => list.push(change),
                        _ => changes.push((doc, vec![change])),
                    }
                }
            } else if let Some((doc, except)) = self.docs.pop_front() {
                let found = doc_id(&doc).map_or_else(Vec::new, |d| data.doc_changes(&d, &except));
                self.fetched
                    .extend(found.into_iter().map(|c| (doc.clone(), c)));
            } else if let Some((doc, list)) = self.hashes.front() {
                // A document's hashes stay together (the receiver compares them as a whole).
                let item = doc.len() + 16 + 32 * list.len();
                if !fits(size, item) {
                    break false;
                }
                size += item;
                hashes.extend(self.hashes.pop_front());
            } else if let Some(doc) = self.want.front() {
                let item = doc.len() + 8;
                if !fits(size, item) {
                    break false;
                }
                size += item;
                want.extend(self.want.pop_front());
            } else {
                break true;
            }
        };
        let message = Message::Push {
            changes,
            hashes,
            want,
            last,
        };
        (message, last)
    }
}

/// Splits the responder's answer to `Buckets` into `BucketDocs` messages of about `budget`
/// bytes each; the last one ends the answer.
fn split_bucket_docs(buckets: Vec<u8>, docs: Vec<(String, Digest)>, budget: usize) -> Vec<Message> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut size = buckets.len();
    for (doc, digest) in docs {
        let item = doc.len() + 40;
        if size + item > budget && !current.is_empty() {
            out.push(Message::BucketDocs {
                buckets: buckets.clone(),
                docs: std::mem::take(&mut current),
                last: false,
            });
            size = buckets.len();
        }
        size += item;
        current.push((doc, digest));
    }
    out.push(Message::BucketDocs {
        buckets,
        docs: current,
        last: true,
    });
    out
}
