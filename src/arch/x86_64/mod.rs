//! The x86_64 levels: AVX2 (with F16C for the 16-bit formats) and
//! AVX-512, compiled into every x86_64 build with SSE2 and chosen at run
//! time.

/// The [`Vector`](super::Vector) methods that move a raw register to and
/// from memory, for a type whose field `.0` is the register and which
/// `$wrap` makes from one: `load`, `store`, `store_stream` (under Miri,
/// which cannot run a streaming store, the aligned store, which checks the
/// same contract), `STREAMS` and `fence`. The intrinsics take the pointers
/// cast to their own types.
macro_rules! memory_methods {
    ($elem:ty, $wrap:expr, loadu: $loadu:path, storeu: $storeu:path, store: $store:path, stream: $stream:path) => {
        #[inline(always)]
        unsafe fn load(p: *const $elem) -> Self {
            // SAFETY: the level is present and `p` is readable for LANES
            // elements (the caller's promise); `loadu` needs no alignment.
            $wrap(unsafe { $loadu(p.cast()) })
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut $elem) {
            // SAFETY: the level is present (`self` exists); the caller
            // guarantees `p` is writable for LANES elements, and `storeu`
            // needs no alignment.
            unsafe { $storeu(p.cast(), self.0) }
        }
        #[inline(always)]
        unsafe fn store_stream(self, p: *mut $elem) {
            // SAFETY: the level is present (`self` exists); the caller
            // guarantees `p` is writable for LANES elements and aligned to
            // the vector's size.
            #[cfg(not(miri))]
            unsafe {
                $stream(p.cast(), self.0)
            }
            // SAFETY: as above.
            #[cfg(miri)]
            unsafe {
                $store(p.cast(), self.0)
            }
        }
        const STREAMS: bool = true;
        #[inline(always)]
        fn fence() {
            // SAFETY: SSE is part of x86_64.
            #[cfg(not(miri))]
            unsafe {
                core::arch::x86_64::_mm_sfence()
            }
        }
    };
}

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
