//! The one source of randomness: a ChaCha stream seeded from the caller's seed, with the few
//! draws the generator needs (ranges, dates, picks, record ids).

use std::collections::HashSet;

use chrono::{NaiveDate, TimeDelta};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// Seeded randomness. Every draw of the generator goes through one `Dice`, in a fixed order, so
/// that one seed always gives the same association.
pub(crate) struct Dice {
    rng: ChaCha20Rng,
    /// Ids handed out (looked up only, never iterated: order cannot leak into the output).
    ids: HashSet<u128>,
}

impl Dice {
    pub(crate) fn new(seed: u64) -> Dice {
        Dice {
            rng: ChaCha20Rng::seed_from_u64(seed),
            ids: HashSet::new(),
        }
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }

    /// A number in `lo..=hi` (`lo` when the range is empty).
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.rng.random_range(lo..=hi)
        }
    }

    /// A count in `lo..=hi`.
    pub(crate) fn count(&mut self, lo: usize, hi: usize) -> usize {
        if hi <= lo {
            lo
        } else {
            self.rng.random_range(lo..=hi)
        }
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// A day in `lo..=hi`; `hi` when the range is empty (callers put the bound that must hold,
    /// usually "not after today", last).
    pub(crate) fn date(&mut self, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
        if hi <= lo {
            return hi;
        }
        let span = hi.signed_duration_since(lo).num_days();
        plus(lo, self.range(0, span))
    }

    /// One item of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Shuffles in place.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        items.shuffle(&mut self.rng);
    }

    /// `k` distinct items of `items`, in random order.
    pub(crate) fn sample<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut v = items.to_vec();
        self.shuffle(&mut v);
        v.truncate(k);
        v
    }

    /// A fresh record id: a version-4 UUID built from random bytes, lowercase and hyphenated,
    /// never handed out twice by this `Dice`.
    pub(crate) fn id(&mut self) -> String {
        loop {
            let mut b = [0u8; 16];
            self.rng.fill(&mut b);
            b[6] = (b[6] & 0x0f) | 0x40;
            b[8] = (b[8] & 0x3f) | 0x80;
            if !self.ids.insert(u128::from_be_bytes(b)) {
                continue;
            }
            let mut id = String::with_capacity(36);
            for (k, x) in b.iter().enumerate() {
                if matches!(k, 4 | 6 | 8 | 10) {
                    id.push('-');
                }
                id.push(HEX[usize::from(x >> 4)] as char);
                id.push(HEX[usize::from(x & 0xf)] as char);
            }
            return id;
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `d` moved by `days` (negative goes back); `d` itself if that leaves the calendar.
pub(crate) fn plus(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_add_signed(TimeDelta::days(days)).unwrap_or(d)
}

/// The calendar day `y-m-d`, or the closest earlier valid day of that month.
pub(crate) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    (1..=d)
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(y, m, day))
        .unwrap_or(NaiveDate::MIN)
}

/// Days from `a` to `b`.
pub(crate) fn days(a: NaiveDate, b: NaiveDate) -> i64 {
    b.signed_duration_since(a).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_4_uuids() {
        let mut dice = Dice::new(7);
        for _ in 0..100 {
            let id = dice.id();
            assert_eq!(id.len(), 36);
            assert_eq!(&id[14..15], "4");
            assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
            assert_eq!(id, id.to_lowercase());
        }
    }

    #[test]
    fn dates_stay_in_range() {
        let mut dice = Dice::new(1);
        let (a, b) = (ymd(2024, 1, 1), ymd(2024, 1, 10));
        for _ in 0..100 {
            let d = dice.date(a, b);
            assert!(a <= d && d <= b);
        }
        assert_eq!(dice.date(b, a), a);
        assert_eq!(ymd(2023, 2, 31), ymd(2023, 2, 28));
    }
}
