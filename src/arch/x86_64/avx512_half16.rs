//! The AVX-512 level for 16-bit formats: [`Vector`] on a raw `__m512i` of
//! 32 patterns, BW's 16-bit compares into mask registers for the selects,
//! and for the multiply F's conversions (`f16`) or integer shifts (`bf16`).
//!
//! The selects are those of `avx2_half16`, on twice the lanes, with the
//! masks in mask registers: a compare writes one, and a masked move or
//! blend uses it, where AVX2 needs a compare into a vector and a variable
//! blend. As in `avx512`, the ops' vector masks are widened from mask
//! registers, and LLVM folds the widening into the masked instructions.
//!
//! `bf16` rounds with integer shifts, not with BF16's `vcvtneps2bf16`: that
//! instruction flushes subnormal results to zero, and a product of two
//! `bf16` values can be subnormal in `f32`, where the reference rounds it.
//!
//! As in `avx2_half16`, every method is `#[inline(always)]`, and a value of
//! these types is made only by `Vector`'s unsafe constructors, whose callers
//! promise the level (AVX-512 F, BW, DQ and VL).

use core::arch::x86_64::*;
use core::marker::PhantomData;

use crate::arch::Vector;
use crate::arch::half16::{Format, neg_inf};

/// Thirty-two lanes of format `T`, as their bit patterns.
#[derive(Clone, Copy)]
pub struct H16x32<T>(__m512i, PhantomData<T>);

/// What differs between the formats at this level: how arithmetic on the
/// 32 lanes widens to `f32` and rounds back.
pub trait Avx512Format: Format {
    /// `f(x, y)` in every lane, on the lanes widened to `f32`, rounded
    /// once to the format. `f` must work lane by lane (the lanes reach it
    /// in an order of the format's choosing).
    ///
    /// # Safety
    /// The CPU must have AVX-512 F and BW.
    unsafe fn combine(x: __m512i, y: __m512i, f: impl Fn(__m512, __m512) -> __m512) -> __m512i;

    /// `alpha * x` in every lane, rounded once to the format.
    ///
    /// # Safety
    /// The CPU must have AVX-512 F and BW.
    #[inline(always)]
    unsafe fn scale(x: __m512i, alpha: __m512) -> __m512i {
        // SAFETY: forwarded contract.
        unsafe { Self::combine(x, x, |a, _| _mm512_mul_ps(a, alpha)) }
    }
}

impl Avx512Format for half::f16 {
    #[inline(always)]
    unsafe fn combine(x: __m512i, y: __m512i, f: impl Fn(__m512, __m512) -> __m512) -> __m512i {
        // SAFETY: AVX-512 F is present (caller contract). `vcvtph2ps`
        // widens exactly; `vcvtps2ph` with `_MM_FROUND_TO_NEAREST_INT`
        // rounds to nearest, ties to even, and quiets NaNs, as F16C's.
        unsafe {
            let half = |a: __m256i, b: __m256i| {
                _mm512_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(f(
                    _mm512_cvtph_ps(a),
                    _mm512_cvtph_ps(b),
                ))
            };
            let lo = half(_mm512_castsi512_si256(x), _mm512_castsi512_si256(y));
            let hi = half(
                _mm512_extracti64x4_epi64::<1>(x),
                _mm512_extracti64x4_epi64::<1>(y),
            );
            _mm512_inserti64x4::<1>(_mm512_castsi256_si512(lo), hi)
        }
    }
}

impl Avx512Format for half::bf16 {
    #[inline(always)]
    unsafe fn combine(x: __m512i, y: __m512i, f: impl Fn(__m512, __m512) -> __m512) -> __m512i {
        // SAFETY: AVX-512 F is present (caller contract).
        unsafe {
            // As `avx2_half16`: the even lanes shifted up, the odd lanes
            // with the even ones masked off.
            let high = _mm512_set1_epi32(0xffff_0000_u32 as i32);
            let even = |v: __m512i| _mm512_castsi512_ps(_mm512_slli_epi32::<16>(v));
            let odd = |v: __m512i| _mm512_castsi512_ps(_mm512_and_si512(v, high));
            let e = round_to_bf16(_mm512_castps_si512(f(even(x), even(y))));
            let o = round_to_bf16(_mm512_castps_si512(f(odd(x), odd(y))));
            _mm512_or_si512(_mm512_srli_epi32::<16>(e), _mm512_and_si512(o, high))
        }
    }
}

/// `f32` patterns rounded to `bf16`, to nearest with ties to even, in the
/// high 16 bits of each lane (as `avx2_half16::round_to_bf16`).
///
/// # Safety
/// The CPU must have AVX-512 F.
#[inline(always)]
unsafe fn round_to_bf16(u: __m512i) -> __m512i {
    // SAFETY: AVX-512 F is present (caller contract).
    unsafe {
        let odd = _mm512_and_si512(_mm512_srli_epi32::<16>(u), _mm512_set1_epi32(1));
        _mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), odd)
    }
}

/// The first `n` of 32 lanes (`n < 32`).
#[inline(always)]
fn first(n: usize) -> __mmask32 {
    (1u32 << n) - 1
}

impl<T: Avx512Format> H16x32<T> {
    #[inline(always)]
    fn new(v: __m512i) -> Self {
        H16x32(v, PhantomData)
    }

    /// An `i16` in every lane.
    ///
    /// # Safety
    /// The CPU must have AVX-512 BW.
    #[inline(always)]
    unsafe fn set(x: i16) -> __m512i {
        // SAFETY: the caller's promise.
        unsafe { _mm512_set1_epi16(x) }
    }

    /// The vector mask of a mask register: all ones where set.
    #[inline(always)]
    fn widen(k: __mmask32) -> Self {
        // SAFETY: AVX-512 BW is present (a mask exists only inside this
        // level's methods, which take a value).
        Self::new(unsafe { _mm512_movm_epi16(k) })
    }

    /// The mask register of a vector mask (the lanes' top bits).
    #[inline(always)]
    fn narrow(self) -> __mmask32 {
        // SAFETY: AVX-512 BW is present (`self` exists).
        unsafe { _mm512_movepi16_mask(self.0) }
    }

    /// The patterns as integers in the order of their values (see
    /// `half16::order_key`): the magnitude, negated where the sign is set.
    #[inline(always)]
    fn key(self) -> __m512i {
        // SAFETY: AVX-512 BW is present (`self` exists).
        unsafe {
            let magnitude = _mm512_and_si512(self.0, Self::set(0x7fff));
            let negative = _mm512_movepi16_mask(self.0);
            _mm512_mask_sub_epi16(magnitude, negative, _mm512_setzero_si512(), magnitude)
        }
    }

    /// Set where the pattern is a NaN: magnitude bits above infinity's.
    #[inline(always)]
    fn is_nan(self) -> __mmask32 {
        // SAFETY: AVX-512 BW is present (`self` exists).
        unsafe {
            let magnitude = _mm512_and_si512(self.0, Self::set(0x7fff));
            _mm512_cmpgt_epi16_mask(magnitude, Self::set(T::INF as i16))
        }
    }
}

// SAFETY (for every `unsafe` block in this impl): the intrinsics need
// AVX-512 F and BW. The constructors' callers promise the level (their
// `# Safety`), and the other methods take a value, which only those
// constructors make. Pointer arguments are covered by the caller contract
// of `load`/`store`.
impl<T: Avx512Format> Vector for H16x32<T> {
    type Elem = T;
    const LANES: usize = 32;
    type Alpha = __m512;

    #[inline(always)]
    unsafe fn splat(x: T) -> Self {
        // SAFETY: AVX-512 BW is present (the caller's promise).
        Self::new(unsafe { Self::set(x.bits() as i16) })
    }
    #[inline(always)]
    unsafe fn alpha(alpha: T) -> __m512 {
        // SAFETY: AVX-512 F is present (the caller's promise).
        unsafe { _mm512_set1_ps(alpha.to_f32()) }
    }
    memory_methods!(T, Self::new, loadu: _mm512_loadu_si512, storeu: _mm512_storeu_si512,
        store: _mm512_store_si512, stream: _mm512_stream_si512);
    const PARTIAL: bool = true;
    #[inline(always)]
    unsafe fn load_first(p: *const T, n: usize) -> Self {
        // SAFETY: AVX-512 BW is present (the caller's promise); the masked
        // lanes are not read (a masked load does not fault on them), and
        // the first `n` are readable.
        Self::new(unsafe { _mm512_maskz_loadu_epi16(first(n), p.cast()) })
    }
    #[inline(always)]
    unsafe fn store_first(self, p: *mut T, n: usize) {
        // SAFETY: AVX-512 BW is present (`self` exists); only the first `n`
        // lanes are written, and they are writable.
        unsafe { _mm512_mask_storeu_epi16(p.cast(), first(n), self.0) }
    }
    #[inline(always)]
    fn blend_first(self, other: Self, n: usize) -> Self {
        // SAFETY: AVX-512 BW is present (`self` exists).
        Self::new(unsafe { _mm512_mask_blend_epi16(first(n), other.0, self.0) })
    }
    #[inline(always)]
    fn relu_zero(self) -> Self {
        // At or below `-inf`: the negative numbers and `-0.0`.
        // SAFETY: AVX-512 BW is present (see the note on this impl).
        Self::widen(unsafe { _mm512_cmple_epi16_mask(self.0, Self::set(neg_inf::<T>())) })
    }
    #[inline(always)]
    fn le_zero(self) -> Self {
        // Below `1` as `i16`: `+0.0` and every pattern with the sign set.
        // SAFETY: AVX-512 BW is present (see the note on this impl).
        Self::widen(unsafe { _mm512_cmplt_epi16_mask(self.0, Self::set(1)) })
    }
    #[inline(always)]
    fn lt_zero(self) -> Self {
        // One less moves `-0.0` (`i16::MIN`) to the top and keeps the
        // negative numbers at or below `-inf` less one.
        // SAFETY: AVX-512 BW is present (see the note on this impl).
        Self::widen(unsafe {
            let less_one = _mm512_sub_epi16(self.0, Self::set(1));
            _mm512_cmplt_epi16_mask(less_one, Self::set(neg_inf::<T>()))
        })
    }
    #[inline(always)]
    fn nan_or(self, other: Self) -> Self {
        // SAFETY: AVX-512 BW is present (see the note on this impl).
        Self::new(unsafe { _mm512_mask_mov_epi16(other.0, self.is_nan(), self.0) })
    }
    #[inline(always)]
    fn one_or_nan(self) -> Self {
        // SAFETY: AVX-512 BW is present (see the note on this impl).
        Self::new(unsafe { _mm512_mask_mov_epi16(Self::set(T::ONE as i16), self.is_nan(), self.0) })
    }
    #[inline(always)]
    fn clamp(self, lo: Self, hi: Self) -> Self {
        // As `avx2_half16`, with blends under mask registers.
        // SAFETY: AVX-512 BW is present (see the note on this impl).
        let limited = Self::new(unsafe {
            let (x, lo_key, hi_key) = (self.key(), lo.key(), hi.key());
            let above_lo = _mm512_cmpgt_epi16_mask(x, lo_key);
            let at_least_lo = _mm512_mask_blend_epi16(above_lo, lo.0, self.0);
            let its_key = _mm512_mask_blend_epi16(above_lo, lo_key, x);
            let below_hi = _mm512_cmpgt_epi16_mask(hi_key, its_key);
            _mm512_mask_blend_epi16(below_hi, hi.0, at_least_lo)
        });
        self.nan_or(limited)
    }
    #[inline(always)]
    fn below(self, hi: Self) -> Self {
        // `x` is `+0.0`, a positive number or a NaN, and `hi` a number
        // above zero: as `u16` the numbers order as their values and every
        // NaN (of either sign) lies above `+inf`, so an unsigned min limits
        // the numbers, and the NaN lanes are put back.
        // SAFETY: AVX-512 BW is present (see the note on this impl).
        Self::new(unsafe {
            let nan = _mm512_cmpgt_epu16_mask(self.0, Self::set(T::INF as i16));
            _mm512_mask_mov_epi16(_mm512_min_epu16(self.0, hi.0), nan, self.0)
        })
    }
    #[inline(always)]
    fn clamp_backward(self, dy: Self, lo: Self, hi: Self) -> Self {
        // `dy` where `lo <= x <= hi` by the keys (a NaN's key lies beyond
        // the infinities', so outside), the second compare under the
        // first's mask; then the NaN lanes.
        // SAFETY: AVX-512 BW is present (see the note on this impl).
        let inside = Self::new(unsafe {
            let x = self.key();
            let at_least_lo = _mm512_cmpge_epi16_mask(x, lo.key());
            let k = _mm512_mask_cmple_epi16_mask(at_least_lo, x, hi.key());
            _mm512_maskz_mov_epi16(k, dy.0)
        });
        self.nan_or(inside)
    }
    #[inline(always)]
    fn outside(self, lo: Self, hi: Self) -> Self {
        // A NaN's key lies beyond the infinities' (see `order_key`).
        // SAFETY: AVX-512 BW is present (see the note on this impl).
        Self::widen(unsafe {
            let x = self.key();
            _mm512_cmpgt_epi16_mask(lo.key(), x) | _mm512_cmpgt_epi16_mask(x, hi.key())
        })
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        // SAFETY: AVX-512 F and BW are present (see the note on this impl).
        Self::new(unsafe { T::combine(self.0, o.0, |a, b| _mm512_add_ps(a, b)) })
    }
    #[inline(always)]
    fn scale_lanes(self, mask: Self, factor: Self) -> Self {
        // `x * 1` rounds back to `x` (a NaN stays a NaN).
        // SAFETY: AVX-512 F and BW are present (see the note on this impl).
        Self::new(unsafe {
            let one = Self::set(T::ONE as i16);
            let factor = _mm512_mask_blend_epi16(mask.narrow(), one, factor.0);
            T::combine(self.0, factor, |a, b| _mm512_mul_ps(a, b))
        })
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        // SAFETY: AVX-512 F is present (see the note on this impl).
        Self::new(unsafe { _mm512_and_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn and_not(self, o: Self) -> Self {
        // SAFETY: AVX-512 F is present (see the note on this impl).
        Self::new(unsafe { _mm512_andnot_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: AVX-512 F is present (see the note on this impl).
        Self::new(unsafe { _mm512_xor_si512(self.0, o.0) })
    }
    #[inline(always)]
    fn relu_grad(self) -> Self {
        // 1 where the pattern is at most `-0.0`'s as `u16` (`+0.0`, the
        // positive numbers and `-0.0`), `+0.0` above (the negative
        // numbers), then `x` in the NaN lanes: five operations, where the
        // default form takes seven.
        // SAFETY: AVX-512 BW is present (see the note on this impl).
        Self::new(unsafe {
            let at_least_zero = _mm512_cmple_epu16_mask(self.0, Self::set(i16::MIN));
            let grad = _mm512_maskz_mov_epi16(at_least_zero, Self::set(T::ONE as i16));
            _mm512_mask_mov_epi16(grad, self.is_nan(), self.0)
        })
    }
    #[inline(always)]
    fn leaky_relu_grad(self, alpha: Self, _: Self) -> Self {
        // As `relu_grad`, with `alpha` below zero.
        // SAFETY: AVX-512 BW is present (see the note on this impl).
        Self::new(unsafe {
            let at_least_zero = _mm512_cmple_epu16_mask(self.0, Self::set(i16::MIN));
            let grad = _mm512_mask_blend_epi16(at_least_zero, alpha.0, Self::set(T::ONE as i16));
            _mm512_mask_mov_epi16(grad, self.is_nan(), self.0)
        })
    }
    #[inline(always)]
    fn leaky_relu_max(self, alpha: __m512) -> Self {
        // The max form of the `f32` level, on the lanes widened to `f32`:
        // the product there is the reference's `f32` product, and rounding
        // is monotone, so for `0 < alpha <= 1` it is at most `x` above zero
        // and at least `x` below, as in `f32`; the larger rounds to the
        // reference's result (`x`, exact, or the product rounded once). No
        // compare and blend on the patterns.
        // SAFETY: AVX-512 F and BW are present (see the note on this impl).
        Self::new(unsafe {
            T::combine(self.0, self.0, |a, _| {
                _mm512_max_ps(a, _mm512_mul_ps(a, alpha))
            })
        })
    }
    #[inline(always)]
    fn leaky_relu_min(self, alpha: __m512) -> Self {
        // As `leaky_relu_max`, for `alpha > 1`.
        // SAFETY: AVX-512 F and BW are present (see the note on this impl).
        Self::new(unsafe {
            T::combine(self.0, self.0, |a, _| {
                _mm512_min_ps(a, _mm512_mul_ps(a, alpha))
            })
        })
    }
    #[inline(always)]
    fn scale_where(self, mask: Self, alpha: __m512) -> Self {
        // SAFETY: AVX-512 F and BW are present (see the note on this impl).
        Self::new(unsafe {
            _mm512_mask_blend_epi16(mask.narrow(), self.0, T::scale(self.0, alpha))
        })
    }
}
