//! The AVX-512 level for `f32` and `f64`: [`Vector`] on raw
//! `__m512`/`__m512d` registers.
//!
//! Where an op's result in each lane depends only on the class of one
//! input (NaN, zero, negative, positive, infinite), one `vfixupimmps`
//! gives it: the instruction classifies each lane of `x` and picks, by a
//! table of tokens per class, `x` itself, `x` quieted, `+0.0`, `1` or the
//! lane of a second operand. ReLU, its gradient and backward passes are
//! one instruction each, Leaky ReLU's gradient one or two (see
//! [`fixup_table`]).
//! The classes follow MXCSR: with denormals-are-zero set, a subnormal `x`
//! is a zero to the instruction, as it is to the compares of the other
//! levels' bodies; the tests run with the default MXCSR.
//!
//! The other ops are written against masks that are vectors (all ones or
//! all zeros per lane). Here a mask is made from a compare into a mask
//! register and widened (`vpmovm2d`); where a body then ands, clears or
//! blends with it, LLVM folds the widening into a masked instruction, so
//! the loops use mask registers, not widened masks.
//!
//! As in `avx2`, every method is `#[inline(always)]` so that it is compiled
//! inside the AVX-512 kernel (`x86_64::with_avx512`), and a value of these
//! types is made only by `Vector`'s unsafe constructors, whose callers
//! promise the level: a method that takes a value may use its instructions.

use core::arch::x86_64::*;

use crate::arch::Vector;

/// Sixteen `f32` lanes in one AVX-512 register.
#[derive(Clone, Copy)]
pub struct F32x16(__m512);

/// Eight `f64` lanes in one AVX-512 register.
#[derive(Clone, Copy)]
pub struct F64x8(__m512d);

// The tokens this level uses (of the instruction's sixteen).
/// The lane of the first operand (`dy`, or a prepared `alpha`).
const DEST: u32 = 0;
/// `x` itself.
const SRC: u32 = 1;
/// `x`, quieted (a NaN `x` gives a NaN).
const QNAN: u32 = 2;
/// `+0.0`.
const ZERO: u32 = 8;
/// `-1.0`.
const MINUS_ONE: u32 = 9;
/// `+1.0`.
const ONE: u32 = 10;

/// A `vfixupimm` table, one token per class of `x` in the instruction's
/// order (quiet NaN, signalling NaN, zero, `+1`, `-inf`, `+inf`, negative,
/// positive). Every table here makes a NaN a NaN and treats `+1` and the
/// infinities as the other numbers of their sign, so it is given by the
/// tokens for zeros, negative numbers and positive numbers.
const fn fixup_table(zero: u32, neg: u32, pos: u32) -> i32 {
    let tokens = [QNAN, QNAN, zero, pos, neg, pos, neg, pos];
    let mut bits = 0u32;
    let mut class = 0;
    while class < 8 {
        bits |= tokens[class] << (4 * class);
        class += 1;
    }
    bits as i32
}

/// ReLU: `x` above zero, `+0.0` at and below (both zeros; subnormals are
/// numbers).
const RELU: i32 = fixup_table(ZERO, ZERO, SRC);
/// ReLU's derivative: 1 at and above zero (both zeros), `+0.0` below.
const RELU_GRAD: i32 = fixup_table(ONE, ZERO, ONE);
/// Leaky ReLU's derivative: 1 at and above zero, the first operand
/// (`alpha`) below.
const LEAKY_RELU_GRAD: i32 = fixup_table(ONE, DEST, ONE);
/// 1 at and above zero, -1 below: the derivative's sign.
const SIGN: i32 = fixup_table(ONE, MINUS_ONE, ONE);
/// ReLU's backward pass: `dy` at and above zero, `+0.0` below.
const RELU_BACKWARD: i32 = fixup_table(DEST, ZERO, DEST);
/// ReLU's backward pass from the output: `dy` above zero, `+0.0` at and
/// below (both zeros).
const RELU_BACKWARD_FROM_OUTPUT: i32 = fixup_table(ZERO, ZERO, DEST);
/// A NaN for a NaN `x`, the first operand elsewhere.
const NAN_OR: i32 = fixup_table(DEST, DEST, DEST);

macro_rules! impl_avx512 {
    (
        $v:ident, $t:ty, $lanes:literal, $mask:ty,
        set1: $set1:ident, setzero: $setzero:ident, loadu: $loadu:ident, storeu: $storeu:ident, store: $store:ident,
        stream: $stream:ident,
        cmp: $cmp:ident, widen: $widen:ident, narrow: $narrow:ident, to_int: $to_int:ident, from_int: $from_int:ident,
        and: $and:ident, andnot: $andnot:ident, or: $or:ident, xor: $xor:ident,
        mul: $mul:ident, add: $add:ident, max: $max:ident, min: $min:ident,
        blend: $blend:ident, maskz_mov: $maskz_mov:ident,
        fixup: $fixup:ident, mask_cmp: $mask_cmp:ident, set1_table: $set1_table:ident,
        maskz_loadu: $maskz_loadu:ident, mask_storeu: $mask_storeu:ident
    ) => {
        impl $v {
            /// The vector mask of a mask register: all ones where set.
            #[inline(always)]
            fn widen(k: $mask) -> Self {
                // SAFETY: AVX-512 DQ is present (a mask exists only inside
                // this level's methods, which take a value).
                Self(unsafe { $from_int($widen(k)) })
            }
            /// `vfixupimm` of `x` by `table` (one of this file's), with
            /// `dest` for the [`DEST`] token.
            #[inline(always)]
            fn fixup(dest: Self, x: Self, table: i32) -> Self {
                // SAFETY: AVX-512 F is present (`x` exists). Flag reporting
                // (the immediate) is off: the instruction raises nothing.
                Self(unsafe { $fixup::<0>(dest.0, x.0, $set1_table(table)) })
            }
            /// The first `n` lanes (`n < LANES`).
            #[inline(always)]
            fn first(n: usize) -> $mask {
                ((1u32 << n) - 1) as $mask
            }
            /// The mask register of a vector mask (the lanes' top bits).
            #[inline(always)]
            fn narrow(self) -> $mask {
                // SAFETY: AVX-512 DQ is present (`self` exists).
                unsafe { $narrow($to_int(self.0)) }
            }
        }

        // SAFETY (for every `unsafe` block in this impl): the intrinsics need
        // AVX-512 F and DQ. The constructors' callers promise the level
        // (their `# Safety`), and the other methods take a value, which only
        // those constructors make. Pointer arguments are covered by the
        // caller contract of `load`/`store`.
        impl Vector for $v {
            type Elem = $t;
            const LANES: usize = $lanes;
            type Alpha = Self;

            float_methods!($t, set1: $set1, and: $and, andnot: $andnot, or: $or, xor: $xor,
                add: $add, mul: $mul, max: $max, min: $min);
            memory_methods!($t, Self, loadu: $loadu, storeu: $storeu, store: $store, stream: $stream);
            const PARTIAL: bool = true;
            #[inline(always)]
            unsafe fn load_first(p: *const $t, n: usize) -> Self {
                // SAFETY: AVX-512 F is present (the caller's promise); the
                // masked lanes are not read (a masked load does not fault
                // on them), and the first `n` are readable.
                Self(unsafe { $maskz_loadu(Self::first(n), p) })
            }
            #[inline(always)]
            unsafe fn store_first(self, p: *mut $t, n: usize) {
                // SAFETY: AVX-512 F is present (`self` exists); only the
                // first `n` lanes are written, and they are writable.
                unsafe { $mask_storeu(p, Self::first(n), self.0) }
            }
            #[inline(always)]
            fn blend_first(self, other: Self, n: usize) -> Self {
                // SAFETY: AVX-512 F is present (`self` exists).
                Self(unsafe { $blend(Self::first(n), other.0, self.0) })
            }
            #[inline(always)]
            fn relu_zero(self) -> Self {
                // SAFETY: AVX-512 F is present (see the note on this impl).
                Self::widen(unsafe { $cmp::<_CMP_LE_OQ>(self.0, $setzero()) })
            }
            #[inline(always)]
            fn le_zero(self) -> Self {
                // SAFETY: AVX-512 F is present (see the note on this impl).
                Self::widen(unsafe { $cmp::<_CMP_LE_OQ>(self.0, $setzero()) })
            }
            #[inline(always)]
            fn lt_zero(self) -> Self {
                // SAFETY: AVX-512 F is present (see the note on this impl).
                Self::widen(unsafe { $cmp::<_CMP_LT_OQ>(self.0, $setzero()) })
            }
            #[inline(always)]
            fn nan_or(self, other: Self) -> Self {
                Self::fixup(other, self, NAN_OR)
            }
            #[inline(always)]
            fn outside(self, lo: Self, hi: Self) -> Self {
                // Unordered compares: true for a NaN `x`.
                // SAFETY: AVX-512 F is present (see the note on this impl).
                Self::widen(unsafe {
                    $cmp::<_CMP_NGE_UQ>(self.0, lo.0) | $cmp::<_CMP_NLE_UQ>(self.0, hi.0)
                })
            }
            #[inline(always)]
            fn scale_where(self, mask: Self, alpha: Self) -> Self {
                // `x * 1` is `x` exactly, so one multiply serves every lane;
                // the blend picks the factor, not the result, so that an
                // in-place loop stores a whole vector.
                // SAFETY: AVX-512 F is present (see the note on this impl).
                Self(unsafe { $mul(self.0, $blend(mask.narrow(), $set1(1.0), alpha.0)) })
            }
            #[inline(always)]
            fn scale_lanes(self, mask: Self, factor: Self) -> Self {
                // As `scale_where`, with a factor per lane.
                // SAFETY: AVX-512 F is present (see the note on this impl).
                Self(unsafe { $mul(self.0, $blend(mask.narrow(), $set1(1.0), factor.0)) })
            }
            #[inline(always)]
            fn relu(self) -> Self {
                Self::fixup(self, self, RELU)
            }
            #[inline(always)]
            fn relu_grad(self) -> Self {
                Self::fixup(self, self, RELU_GRAD)
            }
            #[inline(always)]
            fn leaky_relu_grad(self, alpha: Self, _: Self) -> Self {
                Self::fixup(alpha, self, LEAKY_RELU_GRAD)
            }
            #[inline(always)]
            fn leaky_relu_grad_unit(self, alpha: Self, _: Self) -> Self {
                // `max(alpha, s)` with `s` 1, -1 or a NaN by the sign of
                // `x`: `alpha` where `s = -1 <= alpha`, 1 where
                // `s = 1 >= alpha`, and `s` on ties and for a NaN (`max`
                // returns its second operand then). Unlike the fix-up with
                // `alpha` as its first operand, which it overwrites, this
                // needs no copy of `alpha` per vector.
                // SAFETY: AVX-512 F is present (see the note on this impl).
                Self(unsafe { $max(alpha.0, Self::fixup(self, self, SIGN).0) })
            }
            #[inline(always)]
            fn relu_backward(self, dy: Self) -> Self {
                Self::fixup(dy, self, RELU_BACKWARD)
            }
            #[inline(always)]
            fn relu_backward_from_output(self, dy: Self) -> Self {
                Self::fixup(dy, self, RELU_BACKWARD_FROM_OUTPUT)
            }
            #[inline(always)]
            fn clamp_backward(self, dy: Self, lo: Self, hi: Self) -> Self {
                // `lo <= x` and then, under that mask, `x <= hi`: ordered
                // compares, false for a NaN `x`, whose lane the fix-up
                // makes NaN.
                // SAFETY: AVX-512 F is present (see the note on this impl).
                let inside = Self(unsafe {
                    let at_least_lo = $cmp::<_CMP_GE_OQ>(self.0, lo.0);
                    let k = $mask_cmp::<_CMP_LE_OQ>(at_least_lo, self.0, hi.0);
                    $maskz_mov(k, dy.0)
                });
                self.nan_or(inside)
            }
            #[inline(always)]
            fn scale_by_leaky_grad(self, x: Self, alpha: Self) -> Self {
                // `dy` times the derivative; a NaN derivative makes the
                // product NaN.
                // SAFETY: AVX-512 F is present (see the note on this impl).
                Self(unsafe { $mul(self.0, Self::fixup(alpha, x, LEAKY_RELU_GRAD).0) })
            }
        }
    };
}

impl_avx512!(
    F32x16, f32, 16, __mmask16,
    set1: _mm512_set1_ps, setzero: _mm512_setzero_ps, loadu: _mm512_loadu_ps, storeu: _mm512_storeu_ps, store: _mm512_store_ps,
    stream: _mm512_stream_ps,
    cmp: _mm512_cmp_ps_mask, widen: _mm512_movm_epi32, narrow: _mm512_movepi32_mask,
    to_int: _mm512_castps_si512, from_int: _mm512_castsi512_ps,
    and: _mm512_and_ps, andnot: _mm512_andnot_ps, or: _mm512_or_ps, xor: _mm512_xor_ps,
    mul: _mm512_mul_ps, add: _mm512_add_ps, max: _mm512_max_ps, min: _mm512_min_ps,
    blend: _mm512_mask_blend_ps, maskz_mov: _mm512_maskz_mov_ps,
    fixup: _mm512_fixupimm_ps, mask_cmp: _mm512_mask_cmp_ps_mask, set1_table: _mm512_set1_epi32,
    maskz_loadu: _mm512_maskz_loadu_ps, mask_storeu: _mm512_mask_storeu_ps
);
impl_avx512!(
    F64x8, f64, 8, __mmask8,
    set1: _mm512_set1_pd, setzero: _mm512_setzero_pd, loadu: _mm512_loadu_pd, storeu: _mm512_storeu_pd, store: _mm512_store_pd,
    stream: _mm512_stream_pd,
    cmp: _mm512_cmp_pd_mask, widen: _mm512_movm_epi64, narrow: _mm512_movepi64_mask,
    to_int: _mm512_castpd_si512, from_int: _mm512_castsi512_pd,
    and: _mm512_and_pd, andnot: _mm512_andnot_pd, or: _mm512_or_pd, xor: _mm512_xor_pd,
    mul: _mm512_mul_pd, add: _mm512_add_pd, max: _mm512_max_pd, min: _mm512_min_pd,
    blend: _mm512_mask_blend_pd, maskz_mov: _mm512_maskz_mov_pd,
    fixup: _mm512_fixupimm_pd, mask_cmp: _mm512_mask_cmp_pd_mask, set1_table: set1_table_pd,
    maskz_loadu: _mm512_maskz_loadu_pd, mask_storeu: _mm512_mask_storeu_pd
);

/// A `vfixupimmpd` table in every lane (the instruction reads each lane's
/// low 32 bits).
///
/// # Safety
/// The CPU must have AVX-512 F.
#[inline(always)]
unsafe fn set1_table_pd(table: i32) -> __m512i {
    // SAFETY: the caller's promise.
    unsafe { _mm512_set1_epi64(i64::from(table)) }
}
