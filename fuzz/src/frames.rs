//! Splitting one fuzz input into several byte strings: each is a u16 big-endian length then
//! that many bytes (a length running past the end takes what is left), and a small reader of
//! choices for the scripted targets.

/// The byte strings of `data`, framed as u16 BE length + bytes.
pub fn frames(mut data: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        if data.len() < 2 {
            return None;
        }
        let len = u16::from_be_bytes([data[0], data[1]]) as usize;
        let rest = &data[2..];
        let len = len.min(rest.len());
        let (frame, tail) = rest.split_at(len);
        data = tail;
        Some(frame)
    })
}

/// Frames `parts` for [`frames`] (each must be shorter than 64 KiB).
pub fn frame<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        let len = u16::try_from(p.len()).expect("frame longer than 64 KiB");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(p);
    }
    out
}

/// Reads choices from fuzz bytes; once they run out every choice is 0 (so any input is a valid
/// script, and scripts are easy to write by hand).
pub struct Choices<'a>(pub &'a [u8]);

impl Choices<'_> {
    /// The next byte (0 once exhausted).
    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    /// An index below `n` (which must not be 0).
    pub fn pick(&mut self, n: usize) -> usize {
        self.byte() as usize % n
    }

    /// A little-endian u16.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    /// A little-endian u32, used as a bit mask.
    pub fn mask(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    /// The next `n` bytes (fewer once exhausted).
    pub fn bytes(&mut self, n: usize) -> &[u8] {
        let (head, tail) = self.0.split_at(n.min(self.0.len()));
        self.0 = tail;
        head
    }

    /// Whether the input is used up.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The items of `items` whose bit is set in a mask read from the input.
    pub fn subset<T: Clone>(&mut self, items: &[T]) -> Vec<T> {
        let mask = self.mask();
        items
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << (i % 32)) != 0)
            .map(|(_, t)| t.clone())
            .collect()
    }

    /// `items` shuffled by choices read from the input (Fisher–Yates; unchanged once exhausted).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.pick(i + 1);
            items.swap(i, j);
        }
    }
}
