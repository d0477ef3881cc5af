//! The AVX2 level for 16-bit formats: [`Vector`] on a raw `__m256i` of 16
//! patterns, integer compares for the selects, and for the multiply F16C
//! (`f16`) or integer shifts (`bf16`).
//!
//! As in `avx2`, every method is `#[inline(always)]` so that it is
//! compiled inside the AVX2 kernel (`x86_64::with_avx2`, which enables AVX2
//! and F16C), and a value of these types is made only by `Vector`'s unsafe
//! constructors, whose callers promise AVX2 and F16C: a method that takes
//! a value may use them.

use core::arch::x86_64::*;
use core::marker::PhantomData;

use crate::arch::Vector;
use crate::arch::half16::{Format, neg_inf};

/// Sixteen lanes of format `T`, as their bit patterns.
#[derive(Clone, Copy)]
pub struct H16x16<T>(__m256i, PhantomData<T>);

/// What differs between the formats at this level: how arithmetic on the
/// 16 lanes widens to `f32` and rounds back.
pub trait X86Format: Format {
    /// `f(x, y)` in every lane, on the lanes widened to `f32`, rounded
    /// once to the format. `f` must work lane by lane (the lanes reach it
    /// in an order of the format's choosing).
    ///
    /// # Safety
    /// The CPU must have AVX2 and F16C.
    unsafe fn combine(x: __m256i, y: __m256i, f: impl Fn(__m256, __m256) -> __m256) -> __m256i;

    /// `alpha * x` in every lane, rounded once to the format. (`y` is `x`
    /// again, unread, and its conversion folds into `x`'s.)
    ///
    /// # Safety
    /// The CPU must have AVX2 and F16C.
    #[inline(always)]
    unsafe fn scale(x: __m256i, alpha: __m256) -> __m256i {
        // SAFETY: forwarded contract; the multiply needs AVX.
        unsafe { Self::combine(x, x, |a, _| _mm256_mul_ps(a, alpha)) }
    }
}

impl X86Format for half::f16 {
    #[inline(always)]
    unsafe fn combine(x: __m256i, y: __m256i, f: impl Fn(__m256, __m256) -> __m256) -> __m256i {
        #[cfg(not(miri))]
        // SAFETY: AVX2 and F16C are present (caller contract). `cvtph2ps`
        // widens exactly; `cvtps2ph` with `_MM_FROUND_TO_NEAREST_INT`
        // rounds to nearest, ties to even, and quiets NaNs.
        unsafe {
            let half = |a: __m128i, b: __m128i| {
                _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(f(
                    _mm256_cvtph_ps(a),
                    _mm256_cvtph_ps(b),
                ))
            };
            let lo = half(_mm256_castsi256_si128(x), _mm256_castsi256_si128(y));
            let hi = half(
                _mm256_extracti128_si256::<1>(x),
                _mm256_extracti128_si256::<1>(y),
            );
            _mm256_set_m128i(hi, lo)
        }
        // Miri cannot run the F16C conversions (`llvm.x86.vcvtps2ph.256` is
        // unsupported), so under Miri this level converts as the portable
        // one does; the tests check both against the reference.
        #[cfg(miri)]
        // SAFETY: AVX is present (caller contract).
        unsafe {
            portable_combine::<half::f16>(x, y, f)
        }
    }
}

impl X86Format for half::bf16 {
    #[inline(always)]
    unsafe fn combine(x: __m256i, y: __m256i, f: impl Fn(__m256, __m256) -> __m256) -> __m256i {
        // SAFETY: AVX2 is present (caller contract).
        unsafe {
            // A pattern is its `f32`'s high half: the even lanes shifted up,
            // the odd lanes with the even ones masked off. Shifts and masks
            // rather than unpacking and packing keep the shuffle port free.
            let high = _mm256_set1_epi32(0xffff_0000_u32 as i32);
            let even = |v: __m256i| _mm256_castsi256_ps(_mm256_slli_epi32::<16>(v));
            let odd = |v: __m256i| _mm256_castsi256_ps(_mm256_and_si256(v, high));
            let e = round_to_bf16(_mm256_castps_si256(f(even(x), even(y))));
            let o = round_to_bf16(_mm256_castps_si256(f(odd(x), odd(y))));
            // The even results go down to the low half, the odd stay up.
            _mm256_or_si256(_mm256_srli_epi32::<16>(e), _mm256_and_si256(o, high))
        }
    }
}

/// `f32` patterns rounded to `bf16`, to nearest with ties to even, in the
/// high 16 bits of each lane (the low bits are left over; as
/// `convert::f32_to_bf16`, whose note on NaN applies here too).
///
/// # Safety
/// The CPU must have AVX2.
#[inline(always)]
unsafe fn round_to_bf16(u: __m256i) -> __m256i {
    // SAFETY: AVX2 is present (caller contract).
    unsafe {
        let odd = _mm256_and_si256(_mm256_srli_epi32::<16>(u), _mm256_set1_epi32(1));
        _mm256_add_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(0x7fff)), odd)
    }
}

/// The portable level's [`X86Format::combine`], on this level's registers.
///
/// # Safety
/// The CPU must have AVX.
#[cfg(miri)]
#[inline(always)]
unsafe fn portable_combine<T: Format>(
    x: __m256i,
    y: __m256i,
    f: impl Fn(__m256, __m256) -> __m256,
) -> __m256i {
    use wide::bytemuck::cast;
    use wide::{f32x8, i16x8};
    let (mut xs, mut ys) = ([0i16; 16], [0i16; 16]);
    // SAFETY: AVX is present (caller contract); the arrays hold 32 bytes.
    unsafe {
        _mm256_storeu_si256(xs.as_mut_ptr().cast(), x);
        _mm256_storeu_si256(ys.as_mut_ptr().cast(), y);
    }
    // `f` on `wide`'s vectors, through this level's registers.
    let g = |a: f32x8, b: f32x8| {
        let (a, b): ([f32; 8], [f32; 8]) = (a.to_array(), b.to_array());
        let mut out = [0f32; 8];
        // SAFETY: AVX is present (caller contract); the arrays hold 32
        // bytes.
        unsafe {
            let r = f(_mm256_loadu_ps(a.as_ptr()), _mm256_loadu_ps(b.as_ptr()));
            _mm256_storeu_ps(out.as_mut_ptr(), r);
        }
        f32x8::new(out)
    };
    let ([xl, xh], [yl, yh]): ([i16x8; 2], [i16x8; 2]) = (cast(xs), cast(ys));
    let out: [i16; 16] = cast([
        crate::arch::portable::half16::combine::<T>(xl, yl, g),
        crate::arch::portable::half16::combine::<T>(xh, yh, g),
    ]);
    // SAFETY: AVX is present (caller contract); `out` holds 32 bytes.
    unsafe { _mm256_loadu_si256(out.as_ptr().cast()) }
}

impl<T: X86Format> H16x16<T> {
    #[inline(always)]
    fn new(v: __m256i) -> Self {
        H16x16(v, PhantomData)
    }

    /// An `i16` in every lane.
    ///
    /// # Safety
    /// The CPU must have AVX.
    #[inline(always)]
    unsafe fn set(x: i16) -> __m256i {
        // SAFETY: the caller's promise.
        unsafe { _mm256_set1_epi16(x) }
    }

    /// The patterns as integers in the order of their values (see
    /// `half16::order_key`): the magnitude, negated where the sign is set.
    #[inline(always)]
    fn key(self) -> __m256i {
        // SAFETY: AVX2 is present (`self` exists; see the note at the top).
        unsafe { _mm256_sign_epi16(_mm256_and_si256(self.0, Self::set(0x7fff)), self.0) }
    }

    /// True where the pattern is a NaN: magnitude bits above infinity's.
    #[inline(always)]
    fn is_nan(self) -> __m256i {
        // SAFETY: AVX2 is present (`self` exists; see the note at the top).
        unsafe {
            let magnitude = _mm256_and_si256(self.0, Self::set(0x7fff));
            _mm256_cmpgt_epi16(magnitude, Self::set(T::INF as i16))
        }
    }

    /// The bits of `x` where `x` is NaN, zero elsewhere: OR-ed into a
    /// result, they make the NaN lanes NaN whatever the result had there (a
    /// NaN's exponent is all ones and its mantissa non-zero, and OR keeps
    /// both).
    #[inline(always)]
    fn nan_bits(self) -> Self {
        // SAFETY: AVX2 is present (`self` exists; see the note at the top).
        Self::new(unsafe { _mm256_and_si256(self.is_nan(), self.0) })
    }
}

// SAFETY (for every `unsafe` block in this impl): the intrinsics need AVX2
// (and F16C for `scale`). The constructors' callers promise both (their
// `# Safety`), and the other methods take a value, which only those
// constructors make. Pointer arguments are covered by the caller contract
// of `load`/`store`.
impl<T: X86Format> Vector for H16x16<T> {
    type Elem = T;
    const LANES: usize = 16;
    type Alpha = __m256;

    #[inline(always)]
    unsafe fn splat(x: T) -> Self {
        // SAFETY: AVX is present (the caller's promise).
        Self::new(unsafe { Self::set(x.bits() as i16) })
    }
    #[inline(always)]
    unsafe fn alpha(alpha: T) -> __m256 {
        // SAFETY: AVX is present (the caller's promise).
        unsafe { _mm256_set1_ps(alpha.to_f32()) }
    }
    memory_methods!(T, Self::new, loadu: _mm256_loadu_si256, storeu: _mm256_storeu_si256,
        store: _mm256_store_si256, stream: _mm256_stream_si256);
    #[inline(always)]
    fn relu_zero(self) -> Self {
        // At or below `-inf`: the negative numbers and `-0.0`.
        // SAFETY: AVX2 is present (see the note on this impl).
        Self::new(unsafe { _mm256_cmpgt_epi16(Self::set(neg_inf::<T>() + 1), self.0) })
    }
    #[inline(always)]
    fn le_zero(self) -> Self {
        // Below `1` as `i16`: `+0.0` and every pattern with the sign set
        // (negative NaNs too, which `alpha` keeps NaN).
        // SAFETY: AVX2 is present (see the note on this impl).
        Self::new(unsafe { _mm256_cmpgt_epi16(Self::set(1), self.0) })
    }
    #[inline(always)]
    fn lt_zero(self) -> Self {
        // One less moves `-0.0` (`i16::MIN`) to the top and keeps the
        // negative numbers at or below `-inf` less one.
        // SAFETY: AVX2 is present (see the note on this impl).
        Self::new(unsafe {
            let less_one = _mm256_sub_epi16(self.0, Self::set(1));
            _mm256_cmpgt_epi16(Self::set(neg_inf::<T>()), less_one)
        })
    }
    #[inline(always)]
    fn nan_or(self, other: Self) -> Self {
        // OR-ing the NaN lanes' bits in rather than a variable blend, which
        // is three micro-ops on recent Intel cores (one on AMD Zen 3).
        // SAFETY: AVX2 is present (see the note on this impl).
        Self::new(unsafe { _mm256_or_si256(other.0, self.nan_bits().0) })
    }
    #[inline(always)]
    fn one_or_nan(self) -> Self {
        // As `nan_or`: 1's bits OR a NaN's bits are a NaN's.
        // SAFETY: AVX2 is present (see the note on this impl).
        Self::new(unsafe { _mm256_or_si256(Self::set(T::ONE as i16), self.nan_bits().0) })
    }
    #[inline(always)]
    fn clamp(self, lo: Self, hi: Self) -> Self {
        // SAFETY: AVX2 is present (see the note on this impl).
        Self::new(unsafe {
            let (x, lo_key, hi_key) = (self.key(), lo.key(), hi.key());
            let above_lo = _mm256_cmpgt_epi16(x, lo_key);
            let at_least_lo = _mm256_blendv_epi8(lo.0, self.0, above_lo);
            let its_key = _mm256_blendv_epi8(lo_key, x, above_lo);
            let below_hi = _mm256_cmpgt_epi16(hi_key, its_key);
            let limited = _mm256_blendv_epi8(hi.0, at_least_lo, below_hi);
            _mm256_or_si256(limited, self.nan_bits().0)
        })
    }
    #[inline(always)]
    fn outside(self, lo: Self, hi: Self) -> Self {
        // A NaN's key lies beyond the infinities' (see `order_key`).
        // SAFETY: AVX2 is present (see the note on this impl).
        Self::new(unsafe {
            let x = self.key();
            _mm256_or_si256(
                _mm256_cmpgt_epi16(lo.key(), x),
                _mm256_cmpgt_epi16(x, hi.key()),
            )
        })
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        // SAFETY: AVX2 and F16C are present (see the note on this impl).
        Self::new(unsafe { T::combine(self.0, o.0, |a, b| _mm256_add_ps(a, b)) })
    }
    #[inline(always)]
    fn scale_lanes(self, mask: Self, factor: Self) -> Self {
        // SAFETY: AVX2 and F16C are present (see the note on this impl).
        // `x * 1` rounds back to `x` (a NaN stays a NaN).
        Self::new(unsafe {
            let factor = _mm256_blendv_epi8(Self::set(T::ONE as i16), factor.0, mask.0);
            T::combine(self.0, factor, |a, b| _mm256_mul_ps(a, b))
        })
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        // SAFETY: AVX2 is present (see the note on this impl).
        Self::new(unsafe { _mm256_and_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn and_not(self, o: Self) -> Self {
        // SAFETY: AVX2 is present (see the note on this impl).
        Self::new(unsafe { _mm256_andnot_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        // SAFETY: AVX2 is present (see the note on this impl).
        Self::new(unsafe { _mm256_xor_si256(self.0, o.0) })
    }
    #[inline(always)]
    fn scale_where(self, mask: Self, alpha: __m256) -> Self {
        // SAFETY: AVX2 and F16C are present (see the note on this impl).
        Self::new(unsafe { _mm256_blendv_epi8(self.0, T::scale(self.0, alpha), mask.0) })
    }
}
