//! A synthetic association (`domain.md` §6) from a seed, with its ground truth.
