//! Framing: how messages travel on a stream — a 4-byte big-endian length, then the message's
//! bytes ([`Message::encode`]). [`FrameDecoder`] takes the stream's bytes as they arrive, in
//! pieces of any size, and gives back whole messages, the same however the stream was cut; it
//! never holds more than one frame's declared length plus the last piece pushed, and refuses a
//! declared length above its limit before keeping any more of that frame's bytes (a peer
//! announcing 4 GiB costs nothing). The node reads its streams through it; the `frames` fuzz
//! target feeds it arbitrary bytes, in pieces of every size.

use crate::{DecodeError, MAX_MESSAGE, Message};

/// Bytes of the length prefix.
pub const LEN_PREFIX: usize = 4;

/// Why a stream's bytes are not frames.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A frame declares a length above the decoder's limit.
    #[error("a frame of {declared} bytes is above the limit of {limit}")]
    TooLong {
        /// The length the prefix declared.
        declared: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A frame's bytes are not a message.
    #[error(transparent)]
    Message(#[from] DecodeError),
}

/// The frame of `msg`: length prefix and bytes.
pub fn encode_frame(msg: &Message) -> Vec<u8> {
    let bytes = msg.encode();
    let mut out = Vec::with_capacity(LEN_PREFIX + bytes.len());
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(&bytes);
    out
}

/// Turns a stream's bytes back into messages (see the module's documentation).
#[derive(Debug)]
pub struct FrameDecoder {
    limit: usize,
    buf: Vec<u8>,
    /// Set once the stream broke the rules: every later call repeats it.
    failed: Option<FrameError>,
}

impl FrameDecoder {
    /// A decoder accepting frames of at most `limit` bytes (capped at [`MAX_MESSAGE`]).
    pub fn new(limit: usize) -> FrameDecoder {
        FrameDecoder {
            limit: limit.min(MAX_MESSAGE),
            buf: Vec::new(),
            failed: None,
        }
    }

    /// Changes the limit for the frames not started yet (a node accepts only a small first
    /// frame from a peer it has not authenticated, then full-size ones).
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit.min(MAX_MESSAGE);
    }

    /// The bytes held, waiting for the rest of their frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// How many more bytes the frame being read needs before [`FrameDecoder::next_message`]
    /// can return it (at least 1): what a reader may ask the stream for without reading into
    /// the next frame.
    pub fn wanted(&self) -> usize {
        match self.declared() {
            None => LEN_PREFIX - self.buf.len(),
            Some(len) => (LEN_PREFIX + len).saturating_sub(self.buf.len()).max(1),
        }
    }

    fn declared(&self) -> Option<usize> {
        let prefix: [u8; LEN_PREFIX] = self.buf.get(..LEN_PREFIX)?.try_into().ok()?;
        Some(u32::from_be_bytes(prefix) as usize)
    }

    /// Takes the next bytes of the stream. Fails, and keeps failing, once a frame declares a
    /// length above the limit.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        // The prefix first, so that an oversized declaration is refused before its bytes are
        // kept.
        let mut rest = bytes;
        if self.buf.len() < LEN_PREFIX {
            let take = (LEN_PREFIX - self.buf.len()).min(rest.len());
            self.buf.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
        }
        if let Some(declared) = self.declared()
            && declared > self.limit
        {
            let e = FrameError::TooLong {
                declared,
                limit: self.limit,
            };
            self.buf = Vec::new();
            self.failed = Some(e.clone());
            return Err(e);
        }
        self.buf.extend_from_slice(rest);
        Ok(())
    }

    /// The next whole message, with its size on the wire, if its bytes have all arrived.
    pub fn next_message(&mut self) -> Result<Option<(Message, usize)>, FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let Some(len) = self.declared() else {
            return Ok(None);
        };
        if len > self.limit {
            // A limit lowered after the prefix arrived.
            return self.fail(FrameError::TooLong {
                declared: len,
                limit: self.limit,
            });
        }
        if self.buf.len() < LEN_PREFIX + len {
            return Ok(None);
        }
        let rest = self.buf.split_off(LEN_PREFIX + len);
        let frame = std::mem::take(&mut self.buf);
        match Message::decode(&frame[LEN_PREFIX..]) {
            Ok(m) => {
                // What followed the frame starts the next one. It is judged when it is read
                // (the next call, or the next push), against the limit in force then: judged
                // now, an oversized declaration made this whole message be lost, and a limit
                // raised after it not apply, depending on how the stream was cut.
                self.buf = rest;
                Ok(Some((m, LEN_PREFIX + len)))
            }
            Err(e) => self.fail(e.into()),
        }
    }

    fn fail<T>(&mut self, e: FrameError) -> Result<T, FrameError> {
        self.buf = Vec::new();
        self.failed = Some(e.clone());
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push_all(d: &mut FrameDecoder, bytes: &[u8], piece: usize) -> Vec<Message> {
        let mut out = Vec::new();
        for chunk in bytes.chunks(piece) {
            d.push(chunk).expect("pushed");
            while let Some((m, _)) = d.next_message().expect("decoded") {
                out.push(m);
            }
        }
        out
    }

    #[test]
    fn frames_come_back_whatever_the_pieces() {
        let msgs = vec![
            Message::Done,
            Message::Refuse {
                reason: "non".into(),
            },
            Message::Push {
                changes: vec![("d".into(), vec![vec![7; 300]])],
                hashes: vec![],
                want: vec![],
                last: true,
            },
        ];
        let stream: Vec<u8> = msgs.iter().flat_map(encode_frame).collect();
        for piece in [1, 3, 4, 5, 64, stream.len()] {
            let mut d = FrameDecoder::new(MAX_MESSAGE);
            assert_eq!(push_all(&mut d, &stream, piece), msgs, "pieces of {piece}");
            assert_eq!(d.buffered(), 0);
        }
    }

    #[test]
    fn an_oversized_declaration_is_refused_before_its_bytes_are_kept() {
        let mut d = FrameDecoder::new(1024);
        let e = d.push(&u32::MAX.to_be_bytes()).unwrap_err();
        assert_eq!(
            e,
            FrameError::TooLong {
                declared: u32::MAX as usize,
                limit: 1024
            }
        );
        assert_eq!(d.buffered(), 0);
        // And the stream stays refused.
        assert!(d.push(&[0; 8]).is_err());
        assert!(d.next_message().is_err());
    }

    #[test]
    fn the_reader_is_told_how_much_the_frame_still_needs() {
        let frame = encode_frame(&Message::Done);
        let mut d = FrameDecoder::new(64);
        assert_eq!(d.wanted(), 4);
        d.push(&frame[..2]).unwrap();
        assert_eq!(d.wanted(), 2);
        d.push(&frame[2..4]).unwrap();
        assert_eq!(d.wanted(), frame.len() - 4);
        d.push(&frame[4..]).unwrap();
        assert_eq!(
            d.next_message().unwrap(),
            Some((Message::Done, frame.len()))
        );
    }

    /// A message and, in the same piece, the start of the next frame: that start was judged
    /// while the message was taken, and an oversized declaration there returned its error
    /// instead of the whole message before it, and a limit raised after the message did not
    /// apply to it; so the messages depended on how the stream was cut. Found by the `frames`
    /// fuzz target (`fuzz/regressions/frames/`).
    #[test]
    fn what_follows_a_message_is_judged_when_it_is_read() {
        let done = encode_frame(&Message::Done);
        let mut stream = done.clone();
        stream.extend_from_slice(&u32::MAX.to_be_bytes());
        let mut d = FrameDecoder::new(64);
        d.push(&stream).unwrap();
        assert_eq!(d.next_message(), Ok(Some((Message::Done, done.len()))));
        assert!(matches!(
            d.next_message(),
            Err(FrameError::TooLong { limit: 64, .. })
        ));
        assert_eq!(d.buffered(), 0);

        let big = Message::Refuse {
            reason: "x".repeat(100),
        };
        let mut stream = done.clone();
        stream.extend(encode_frame(&big));
        let mut d = FrameDecoder::new(64);
        d.push(&stream).unwrap();
        assert_eq!(
            d.next_message().unwrap().map(|(m, _)| m),
            Some(Message::Done)
        );
        d.set_limit(MAX_MESSAGE);
        assert_eq!(d.next_message().unwrap().map(|(m, _)| m), Some(big));
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn junk_inside_a_frame_is_refused() {
        let mut d = FrameDecoder::new(64);
        d.push(&[0, 0, 0, 2, 9, 9]).unwrap();
        assert_eq!(
            d.next_message(),
            Err(FrameError::Message(DecodeError::Version(9)))
        );
    }
}
