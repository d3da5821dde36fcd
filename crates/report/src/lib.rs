//! Funders' reports (`domain.md` §5): aggregate figures with small cells suppressed, never a name.
