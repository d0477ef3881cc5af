//! The kernels against the reference, in one test binary: the harness
//! instantiates every op at every level for every element type, and one
//! binary builds that once where a binary per file built it once each.
//!
//! - `exhaustive`: every length and offset with specials in every lane;
//! - `half_patterns`: every `f16` and `bf16` bit pattern;
//! - `random`: large random buffers across the parallel thresholds;
//! - `errors`: bad input panics before anything is written;
//! - `properties`: the ops' mathematical properties;
//! - `channels`: the per-channel ops and their sums.
//!
//! Run one part with its module's name as the filter
//! (`cargo test --test kernels -- exhaustive::`).

#[path = "../common/mod.rs"]
mod common;

mod channels;
mod errors;
mod exhaustive;
mod half_patterns;
mod properties;
mod random;
