//! Tests of the life-cycle rules through the public API, as the command line uses it: each
//! blocking rule refused and its allowed path, each reminder on its day and not the day before.

mod active;
mod coalition;
mod governance;
mod membership;
mod merge;
mod privacy;
mod support;
