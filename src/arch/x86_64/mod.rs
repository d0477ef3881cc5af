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

/// The [`Vector`](super::Vector) methods that the `f32`/`f64` types of
/// both levels compute alike, with their own level's intrinsics: `splat`,
/// `alpha`, the bitwise ops, `add`, and the forms built on `max`/`min`
/// (`one_or_nan`, `clamp`, `clamp_nonzero`, `below`, `leaky_relu_max`,
/// `leaky_relu_min`). The implementing type's `# SAFETY` note covers the
/// intrinsics.
macro_rules! float_methods {
    ($t:ty, set1: $set1:path, and: $and:path, andnot: $andnot:path, or: $or:path,
     xor: $xor:path, add: $add:path, mul: $mul:path, max: $max:path, min: $min:path) => {
        #[inline(always)]
        unsafe fn splat(x: $t) -> Self {
            // SAFETY: the level is present (the caller's promise).
            Self(unsafe { $set1(x) })
        }
        #[inline(always)]
        unsafe fn alpha(alpha: $t) -> Self {
            // SAFETY: forwarded contract.
            unsafe { Self::splat(alpha) }
        }
        #[inline(always)]
        fn one_or_nan(self) -> Self {
            // `-|x|` is at most 0 for every number, so `max` returns 1; for
            // a NaN it returns its second operand, the NaN.
            // SAFETY: the level is present (see the note on this impl).
            Self(unsafe { $max($set1(1.0), $or(self.0, $set1(-0.0))) })
        }
        #[inline(always)]
        fn clamp(self, lo: Self, hi: Self) -> Self {
            // `max(x, lo)` is `x` where `x > lo`, else `lo` (ties and a NaN
            // `x` too); `min(t, hi)` is `t` where `t < hi`, else `hi`: the
            // reference's order. The NaN lanes are put back.
            // SAFETY: the level is present (see the note on this impl).
            let limited = Self(unsafe { $min($max(self.0, lo.0), hi.0) });
            self.nan_or(limited)
        }
        #[inline(always)]
        fn clamp_nonzero(self, lo: Self, hi: Self) -> Self {
            // `max(lo, x)` returns `x` unless `lo > x`: `x` on ties (equal
            // bits, the bounds not being zeros) and for a NaN; `min(hi, t)`
            // likewise. Two micro-ops, the NaN included.
            // SAFETY: the level is present (see the note on this impl).
            Self(unsafe { $min(hi.0, $max(lo.0, self.0)) })
        }
        #[inline(always)]
        fn below(self, hi: Self) -> Self {
            // As `clamp_nonzero`'s `min`.
            // SAFETY: the level is present (see the note on this impl).
            Self(unsafe { $min(hi.0, self.0) })
        }
        #[inline(always)]
        fn and(self, o: Self) -> Self {
            // SAFETY: the level is present (see the note on this impl).
            Self(unsafe { $and(self.0, o.0) })
        }
        #[inline(always)]
        fn and_not(self, o: Self) -> Self {
            // SAFETY: the level is present (see the note on this impl).
            Self(unsafe { $andnot(self.0, o.0) })
        }
        #[inline(always)]
        fn xor(self, o: Self) -> Self {
            // SAFETY: the level is present (see the note on this impl).
            Self(unsafe { $xor(self.0, o.0) })
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            // SAFETY: the level is present (see the note on this impl).
            Self(unsafe { $add(self.0, o.0) })
        }
        #[inline(always)]
        fn leaky_relu_max(self, alpha: Self) -> Self {
            // `max` returns its second operand unless the first is greater:
            // the product on ties and wherever either is NaN. A multiply and
            // a max, against a compare, a blend and a multiply for the form
            // for any `alpha`.
            // SAFETY: the level is present (see the note on this impl).
            Self(unsafe { $max(self.0, $mul(self.0, alpha.0)) })
        }
        #[inline(always)]
        fn leaky_relu_min(self, alpha: Self) -> Self {
            // As `leaky_relu_max`, with `min`.
            // SAFETY: the level is present (see the note on this impl).
            Self(unsafe { $min(self.0, $mul(self.0, alpha.0)) })
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
