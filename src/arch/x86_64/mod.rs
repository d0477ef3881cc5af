//! The x86_64 levels: AVX2 (with F16C for the 16-bit formats), compiled
//! into every x86_64 build with SSE2 and chosen at run time.

pub(crate) mod avx2;
#[cfg(feature = "half")]
pub(crate) mod avx2_half16;
// Under Miri the streaming threshold is fixed (see `driver::io`).
#[cfg(not(miri))]
pub(crate) mod cache;

use super::{Body, Lanes};

/// Runs `body` on the AVX2 vectors of `T`, compiled with AVX2 and F16C
/// enabled (under Miri, which cannot run F16C, AVX2 alone; the 16-bit
/// formats convert without it there).
///
/// # Safety
/// The CPU must have AVX2 and F16C.
#[cfg_attr(not(miri), target_feature(enable = "avx2,f16c"))]
#[cfg_attr(miri, target_feature(enable = "avx2"))]
pub(crate) unsafe fn with_avx2<T: Lanes, B: Body<T>>(body: B) {
    // SAFETY: AVX2 and F16C are the AVX2 vector types' level (caller
    // contract).
    unsafe { body.vector::<T::Avx2>() }
}
