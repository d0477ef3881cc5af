//! The x86_64 levels: AVX2 (with F16C for the 16-bit formats) and
//! AVX-512, compiled into every x86_64 build with SSE2 and chosen at run
//! time.

pub(crate) mod avx2;
#[cfg(feature = "half")]
pub(crate) mod avx2_half16;
pub(crate) mod avx512;
#[cfg(feature = "half")]
pub(crate) mod avx512_half16;
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

/// Runs `body` on the AVX-512 vectors of `T`, compiled with AVX-512 F, BW,
/// DQ and VL, AVX2 and F16C enabled.
///
/// # Safety
/// The CPU must have every one of those features.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,f16c")]
pub(crate) unsafe fn with_avx512<T: Lanes, B: Body<T>>(body: B) {
    // SAFETY: those features are the AVX-512 vector types' level (caller
    // contract).
    unsafe { body.vector::<T::Avx512>() }
}
