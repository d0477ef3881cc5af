//! The AVX2 level: [`Vector`] on raw `__m256`/`__m256d` registers.
//!
//! `wide` picks its instructions when the crate is compiled, so in a default
//! x86_64 build its vectors are pairs of SSE registers even on an AVX2 CPU.
//! These types use the AVX intrinsics directly; the kernels instantiated with
//! them are `#[target_feature(enable = "avx2")]` functions (see
//! `x86_64::with_avx2`). A value of these types is made only by
//! `Vector`'s unsafe constructors, whose callers promise AVX2, so every
//! method that takes a value may use AVX instructions (see `Vector`).
//!
//! Every method is `#[inline(always)]` so that it is compiled inside the
//! AVX2-enabled kernel, where the intrinsics inline to single instructions.

use core::arch::x86_64::*;

use crate::arch::Vector;

/// Eight `f32` lanes in one AVX register.
#[derive(Clone, Copy)]
pub struct F32x8(__m256);

/// Four `f64` lanes in one AVX register.
#[derive(Clone, Copy)]
pub struct F64x4(__m256d);

macro_rules! impl_avx {
    (
        $v:ident, $t:ty, $reg:ty, $lanes:literal,
        set1: $set1:ident, setzero: $setzero:ident, loadu: $loadu:ident, storeu: $storeu:ident, store: $store:ident,
        stream: $stream:ident,
        cmp: $cmp:ident,
        and: $and:ident, andnot: $andnot:ident, or: $or:ident, xor: $xor:ident,
        mul: $mul:ident, add: $add:ident, max: $max:ident, min: $min:ident, blendv: $blendv:ident
    ) => {
        // SAFETY (for every `unsafe` block in this impl): the intrinsics need
        // AVX, which every AVX2 CPU has. The constructors' callers promise
        // AVX2 (their `# Safety`), and the other methods take a value, which
        // only those constructors make. Pointer arguments are covered by the
        // caller contract of `load`/`store`.
        impl Vector for $v {
            type Elem = $t;
            const LANES: usize = $lanes;
            type Alpha = Self;

            #[inline(always)]
            unsafe fn splat(x: $t) -> Self {
                // SAFETY: AVX is present (the caller's promise).
                Self(unsafe { $set1(x) })
            }
            #[inline(always)]
            unsafe fn alpha(alpha: $t) -> Self {
                // SAFETY: forwarded contract.
                unsafe { Self::splat(alpha) }
            }
            memory_methods!($t, Self, loadu: $loadu, storeu: $storeu, store: $store, stream: $stream);
            #[inline(always)]
            fn relu_zero(self) -> Self {
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $cmp::<_CMP_LE_OQ>(self.0, $setzero()) })
            }
            #[inline(always)]
            fn le_zero(self) -> Self {
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $cmp::<_CMP_LE_OQ>(self.0, $setzero()) })
            }
            #[inline(always)]
            fn lt_zero(self) -> Self {
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $cmp::<_CMP_LT_OQ>(self.0, $setzero()) })
            }
            #[inline(always)]
            fn nan_bits(self) -> Self {
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $and($cmp::<_CMP_UNORD_Q>(self.0, self.0), self.0) })
            }
            #[inline(always)]
            fn nan_or(self, other: Self) -> Self {
                // OR-ing the unordered compare's mask in: all ones is a NaN,
                // so the NaN lanes come out NaN (not `x`'s NaN: which NaN is
                // unspecified) in a compare and an or, on more ports than a
                // variable blend.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $or(other.0, $cmp::<_CMP_UNORD_Q>(self.0, self.0)) })
            }
            #[inline(always)]
            fn one_or_nan(self) -> Self {
                // `-|x|` is at most 0 for every number, so `maxps` returns 1;
                // for a NaN it returns its second operand, the NaN.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $max($set1(1.0), $or(self.0, $set1(-0.0))) })
            }
            #[inline(always)]
            fn clamp(self, lo: Self, hi: Self) -> Self {
                // `maxps(x, lo)` is `x` where `x > lo`, else `lo` (ties and
                // a NaN `x` too); `minps(t, hi)` is `t` where `t < hi`, else
                // `hi`: the reference's order. The NaN lanes are OR-ed in.
                // SAFETY: AVX is present (see the note on this impl).
                let limited = Self(unsafe { $min($max(self.0, lo.0), hi.0) });
                self.nan_or(limited)
            }
            #[inline(always)]
            fn clamp_nonzero(self, lo: Self, hi: Self) -> Self {
                // `maxps(lo, x)` returns `x` unless `lo > x`: `x` on ties
                // (equal bits, the bounds not being zeros) and for a NaN;
                // `minps(hi, t)` likewise. Two micro-ops, the NaN included.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $min(hi.0, $max(lo.0, self.0)) })
            }
            #[inline(always)]
            fn below(self, hi: Self) -> Self {
                // As `clamp_nonzero`'s `minps`.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $min(hi.0, self.0) })
            }
            #[inline(always)]
            fn outside(self, lo: Self, hi: Self) -> Self {
                // Unordered compares: true for a NaN `x`.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe {
                    $or(
                        $cmp::<_CMP_NGE_UQ>(self.0, lo.0),
                        $cmp::<_CMP_NLE_UQ>(self.0, hi.0),
                    )
                })
            }
            #[inline(always)]
            fn and(self, o: Self) -> Self {
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $and(self.0, o.0) })
            }
            #[inline(always)]
            fn and_not(self, o: Self) -> Self {
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $andnot(self.0, o.0) })
            }
            #[inline(always)]
            fn xor(self, o: Self) -> Self {
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $xor(self.0, o.0) })
            }
            #[inline(always)]
            fn scale_where(self, mask: Self, alpha: Self) -> Self {
                // `x * 1` is `x` exactly (zeros, subnormals, infinities, a
                // NaN stays a NaN), so one multiply serves every lane; a
                // blend of `x` itself stored back over `x` would become a
                // masked store.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $mul(self.0, $blendv($set1(1.0), alpha.0, mask.0)) })
            }
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $add(self.0, o.0) })
            }
            #[inline(always)]
            fn scale_lanes(self, mask: Self, factor: Self) -> Self {
                // As `scale_where`, with a factor per lane.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $mul(self.0, $blendv($set1(1.0), factor.0, mask.0)) })
            }
            #[inline(always)]
            fn leaky_relu_max(self, alpha: Self) -> Self {
                // `maxps` returns its second operand unless the first is
                // greater, the product on ties and wherever either is NaN:
                // a multiply and a max, against a compare, a variable blend
                // and a multiply for the form for any `alpha`.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $max(self.0, $mul(self.0, alpha.0)) })
            }
            #[inline(always)]
            fn leaky_relu_min(self, alpha: Self) -> Self {
                // As `leaky_relu_max`, with `minps`.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $min(self.0, $mul(self.0, alpha.0)) })
            }
            #[inline(always)]
            fn scale_by_leaky_grad(self, x: Self, alpha: Self) -> Self {
                // `dy` times the derivative, which is 1, `alpha` or the NaN
                // of `one_or_nan`: `alpha` is 1 with the bits of
                // `1 ^ alpha` flipped, an and and an xor where a variable
                // blend would be three micro-ops on recent Intel cores. The
                // NaN then comes through the multiply, with no unordered
                // compare and or after it.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe {
                    let flip = $and(x.lt_zero().0, $xor($set1(1.0), alpha.0));
                    $mul(self.0, $xor(x.one_or_nan().0, flip))
                })
            }
        }
    };
}

impl_avx!(
    F32x8, f32, __m256, 8,
    set1: _mm256_set1_ps, setzero: _mm256_setzero_ps, loadu: _mm256_loadu_ps, storeu: _mm256_storeu_ps, store: _mm256_store_ps,
    stream: _mm256_stream_ps,
    cmp: _mm256_cmp_ps,
    and: _mm256_and_ps, andnot: _mm256_andnot_ps, or: _mm256_or_ps, xor: _mm256_xor_ps,
    mul: _mm256_mul_ps, add: _mm256_add_ps, max: _mm256_max_ps, min: _mm256_min_ps, blendv: _mm256_blendv_ps
);
impl_avx!(
    F64x4, f64, __m256d, 4,
    set1: _mm256_set1_pd, setzero: _mm256_setzero_pd, loadu: _mm256_loadu_pd, storeu: _mm256_storeu_pd, store: _mm256_store_pd,
    stream: _mm256_stream_pd,
    cmp: _mm256_cmp_pd,
    and: _mm256_and_pd, andnot: _mm256_andnot_pd, or: _mm256_or_pd, xor: _mm256_xor_pd,
    mul: _mm256_mul_pd, add: _mm256_add_pd, max: _mm256_max_pd, min: _mm256_min_pd, blendv: _mm256_blendv_pd
);
