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

            float_methods!($t, set1: $set1, and: $and, andnot: $andnot, or: $or, xor: $xor,
                add: $add, mul: $mul, max: $max, min: $min);
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
            fn nan_or(self, other: Self) -> Self {
                // OR-ing the unordered compare's mask in: all ones is a NaN,
                // so the NaN lanes come out NaN (not `x`'s NaN: which NaN is
                // unspecified) in a compare and an or, on more ports than a
                // variable blend.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $or(other.0, $cmp::<_CMP_UNORD_Q>(self.0, self.0)) })
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
            fn scale_where(self, mask: Self, alpha: Self) -> Self {
                // `x * 1` is `x` exactly (zeros, subnormals, infinities, a
                // NaN stays a NaN), so one multiply serves every lane; a
                // blend of `x` itself stored back over `x` would become a
                // masked store.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $mul(self.0, $blendv($set1(1.0), alpha.0, mask.0)) })
            }
            #[inline(always)]
            fn scale_lanes(self, mask: Self, factor: Self) -> Self {
                // As `scale_where`, with a factor per lane.
                // SAFETY: AVX is present (see the note on this impl).
                Self(unsafe { $mul(self.0, $blendv($set1(1.0), factor.0, mask.0)) })
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
