//! Life-cycle rules of the association (`domain.md` §2): checks before a write, and what needs attention today.
