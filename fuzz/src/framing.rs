//! The `frames` target: the node's framing, `carnet_sync::FrameDecoder` (every stream the node
//! reads goes through it, `crates/node/src/transport.rs`), fed one stream of bytes three ways —
//! at once, in pieces whose sizes the input chooses, and as the node reads (never more than
//! [`FrameDecoder::wanted`]) — which must all give the same messages and the same error.

use carnet_sync::{FrameDecoder, FrameError, LEN_PREFIX, MAX_MESSAGE, Message, encode_frame};

use crate::targets::guard;

/// The limits a decoder starts with (input byte 0, bits 0–1): the node's limit for the first
/// frame of a peer not yet authenticated (`HELLO_LIMIT`), the protocol's, and small ones that
/// make oversized declarations easy to reach.
pub const LIMITS: [usize; 4] = [1024, MAX_MESSAGE, 64, 0];

/// Bit 2 of input byte 0: full-size frames are allowed once the first message is read, as
/// the node does once a peer has said `Hello` (`Incoming::allow_full_frames`).
pub const RAISE: u8 = 4;

/// The largest piece the node asks a stream for (`READ_PIECE` in `transport.rs`).
const READ_PIECE: usize = 64 * 1024;

/// Input: byte 0 chooses the first limit ([`LIMITS`]) and [`RAISE`]; the low four bits of byte
/// 1 say how many piece sizes follow (none: the whole stream at once), one byte each (cycled;
/// 0 pushes an empty piece then one byte); the rest is the stream. Checks that the decoder
/// never panics; that it never holds more than its limit, a length prefix and the last piece;
/// that once it fails it keeps failing with the same error and holds nothing; that the pieces,
/// the node's way of reading and the whole stream at once give the same messages, sizes and
/// error; that each message's size on the wire is its length prefix plus the length it
/// declares, and is the message those bytes decode to; and that a message framed again decodes
/// to itself.
pub fn frames(data: &[u8]) {
    guard(|| frames_body(data));
}

/// How a stream decoded: the messages with their sizes on the wire, the error that stopped
/// it, and what was left held.
#[derive(Debug, PartialEq)]
struct Outcome {
    messages: Vec<(Message, usize)>,
    error: Option<FrameError>,
    buffered: usize,
}

/// Splits an input into its settings and its stream.
fn settings(data: &[u8]) -> (usize, bool, Vec<u8>, &[u8]) {
    let flags = data.first().copied().unwrap_or(0);
    let count = data.get(1).map_or(0, |b| usize::from(b & 0x0f));
    let sizes: Vec<u8> = data.iter().skip(2).take(count).copied().collect();
    let stream = data.get(2 + sizes.len()..).unwrap_or(&[]);
    (
        LIMITS[usize::from(flags & 3)],
        flags & RAISE != 0,
        sizes,
        stream,
    )
}

fn frames_body(data: &[u8]) {
    let (limit, raise, sizes, stream) = settings(data);
    let whole = decode(stream, limit, raise, |_, _| usize::MAX, false);
    let pieces = decode(
        stream,
        limit,
        raise,
        |_, i| {
            if sizes.is_empty() {
                usize::MAX
            } else {
                usize::from(sizes[i % sizes.len()])
            }
        },
        false,
    );
    assert_eq!(
        pieces, whole,
        "decoding in pieces differs from decoding at once"
    );
    let node = decode(
        stream,
        limit,
        raise,
        |d, i| {
            let piece = match sizes.len() {
                0 => READ_PIECE,
                n => usize::from(sizes[i % n]).max(1),
            };
            d.wanted().min(piece)
        },
        true,
    );
    assert_eq!(
        node, whole,
        "reading as the node does differs from decoding at once"
    );

    // Each message is the bytes of its frame, whose size is its prefix and the length it
    // declares; the messages and what is held account for every byte unless the stream failed.
    let mut at = 0;
    for (m, size) in &whole.messages {
        let prefix: [u8; LEN_PREFIX] = stream[at..at + LEN_PREFIX]
            .try_into()
            .expect("a length prefix");
        let declared = u32::from_be_bytes(prefix) as usize;
        assert_eq!(*size, LEN_PREFIX + declared, "size on the wire");
        assert_eq!(
            Message::decode(&stream[at + LEN_PREFIX..at + size]).as_ref(),
            Ok(m),
            "the message is not the one its frame holds"
        );
        // Framed again, it decodes to itself.
        let again = encode_frame(m);
        let mut d = FrameDecoder::new(MAX_MESSAGE);
        d.push(&again).expect("a frame of a message");
        assert_eq!(
            d.next_message(),
            Ok(Some((m.clone(), again.len()))),
            "a message framed again"
        );
        at += size;
    }
    if whole.error.is_none() {
        assert_eq!(at + whole.buffered, stream.len(), "bytes unaccounted for");
    }
}

/// Decodes `stream` pushing pieces of `piece(decoder, i)` bytes (`usize::MAX`: the rest),
/// taking every whole message after each push. `one_frame`: the pieces never reach into the
/// next frame (the node's reading), so each push gives at most one message and leaves
/// nothing held after it.
fn decode(
    stream: &[u8],
    first_limit: usize,
    raise: bool,
    mut piece: impl FnMut(&FrameDecoder, usize) -> usize,
    one_frame: bool,
) -> Outcome {
    let mut d = FrameDecoder::new(first_limit);
    let mut limit = first_limit.min(MAX_MESSAGE);
    let mut out = Outcome {
        messages: Vec::new(),
        error: None,
        buffered: 0,
    };
    let mut rest = stream;
    let mut i = 0;
    'stream: loop {
        let mut taken = 0;
        loop {
            match d.next_message() {
                Ok(Some(m)) => {
                    out.messages.push(m);
                    taken += 1;
                    if raise && out.messages.len() == 1 {
                        d.set_limit(MAX_MESSAGE);
                        limit = MAX_MESSAGE;
                    }
                    if one_frame {
                        assert_eq!(d.buffered(), 0, "read into the next frame");
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    out.error = Some(e);
                    break 'stream;
                }
            }
        }
        if one_frame {
            assert!(taken <= 1, "one piece gave {taken} messages");
        }
        assert!(
            d.buffered() < LEN_PREFIX + limit,
            "holds {} bytes once its messages are taken (limit {limit})",
            d.buffered()
        );
        if rest.is_empty() {
            break;
        }
        let mut n = piece(&d, i);
        i += 1;
        if n == 0 {
            if let Err(e) = d.push(&[]) {
                out.error = Some(e);
                break;
            }
            n = 1;
        }
        let (p, tail) = rest.split_at(n.min(rest.len()));
        rest = tail;
        if let Err(e) = d.push(p) {
            out.error = Some(e);
            break;
        }
        assert!(
            d.buffered() <= limit + LEN_PREFIX + p.len(),
            "holds {} bytes: over its limit {limit}, a prefix and the last piece ({})",
            d.buffered(),
            p.len()
        );
    }
    if let Some(e) = &out.error {
        // Once failed, always failed, holding nothing.
        assert_eq!(d.buffered(), 0, "a failed decoder holds bytes");
        assert_eq!(
            d.push(b"\0\0\0\x01\x01").as_ref(),
            Err(e),
            "push after failing"
        );
        assert_eq!(d.next_message().as_ref(), Err(e), "next after failing");
        assert_eq!(d.buffered(), 0);
    }
    out.buffered = d.buffered();
    out
}
