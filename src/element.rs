//! The element types the kernels accept: `f32`, `f64`, and with the `half`
//! feature `half::f16` and `half::bf16`.

use core::fmt::{Debug, Display};
use core::ops::{Add, Mul};

use crate::arch::{Compiled, Lanes, Level, dispatch};

/// A float type the kernels work on: `f32`, `f64`, and with the `half`
/// feature (on by default) `half::f16` and `half::bf16`.
///
/// Every function of the crate is generic over it, so
/// `relu_inplace(&mut buf)` works for `Vec<f32>` and `Vec<half::f16>`
/// alike, and `alpha` has the element's type. [`default_alpha`] gives the
/// usual Leaky ReLU slope in any of them.
///
/// The trait is sealed, and what the kernels need of a type lives in a
/// private supertrait, so none of it is API: generic code outside the crate
/// sees only the standard traits below.
///
/// ```compile_fail,E0624
/// // The kernels' constants are not reachable through `Element`.
/// fn zero<T: relu_kernels::Element>() -> T { T::ZERO }
/// ```
/// ```compile_fail,E0624
/// fn one<T: relu_kernels::Element>() -> T { T::ONE }
/// ```
/// ```compile_fail,E0624
/// fn nan<T: relu_kernels::Element>(x: T) -> bool { x.is_nan() }
/// ```
/// ```compile_fail,E0624
/// fn finite<T: relu_kernels::Element>(x: T) -> bool { x.is_finite() }
/// ```
/// ```compile_fail,E0624
/// fn xor<T: relu_kernels::Element>(x: T) -> T { x.xor_bits(x) }
/// ```
/// ```compile_fail,E0624
/// fn and<T: relu_kernels::Element>(x: T) -> T { x.and_bits(x) }
/// ```
/// ```compile_fail,E0624
/// fn alpha<T: relu_kernels::Element>() -> T { T::DEFAULT_ALPHA }
/// ```
/// ```compile_fail,E0624
/// fn lanes<T: relu_kernels::Element>() -> Option<T::Portable> { None }
/// ```
/// ```
/// // What is public: the standard traits, and the default slope.
/// fn halve<T: relu_kernels::Element>(x: T) -> (T, T, String) {
///     (x, relu_kernels::default_alpha::<T>(), format!("{x:?} {x}"))
/// }
/// assert_eq!(halve(2.0f32).1, 0.01);
/// ```
// The bound on the private `Sealed` is what keeps its items out of reach
// (a public supertrait's items would be callable through `T: Element`).
#[allow(private_bounds)]
pub trait Element:
    sealed::Sealed + Copy + PartialOrd + Debug + Display + Send + Sync + 'static
{
}

impl Element for f32 {}
impl Element for f64 {}
#[cfg(feature = "half")]
impl Element for half::f16 {}
#[cfg(feature = "half")]
impl Element for half::bf16 {}

/// The usual Leaky ReLU slope, 0.01, rounded to nearest in `T`: `0.01` for
/// `f32` and `f64` (each rounded from the decimal, not one widened from the
/// other), `0.010002136` for `f16`, `0.010009766` for `bf16`.
///
/// ```
/// use relu_kernels::default_alpha;
/// assert_eq!(default_alpha::<f64>(), 0.01);
///
/// // In generic code:
/// fn forward<T: relu_kernels::Element>(buf: &mut [T]) {
///     relu_kernels::leaky_relu_inplace(buf, relu_kernels::default_alpha::<T>());
/// }
/// forward(&mut [1.0f64, -2.0]);
/// ```
#[inline]
pub fn default_alpha<T: Element>() -> T {
    T::DEFAULT_ALPHA
}

/// Whether every element of `values` is finite, compiled where it is
/// inlined: the per-channel calls run it inside their kernel, before the
/// walk (`driver::channel`). The check runs on every call, over every
/// channel, so it is the largest magnitude's bits against the infinity's:
/// an integer maximum, which the compiler vectorizes with independent
/// accumulators (a fold of per-element compares chained one mask through
/// every vector, a fifth of `bias_relu`'s time on a dense layer's rows in
/// cache).
#[inline(always)]
pub(crate) fn all_finite<T: Element>(values: &[T]) -> bool {
    let largest = values
        .iter()
        .fold(Default::default(), |m: T::Magnitude, v| {
            m.max(v.magnitude())
        });
    largest < T::INFINITE_MAGNITUDE
}

/// [`all_finite`] at `level`, so that it vectorizes with that level's
/// instructions rather than the build's baseline ones (`docs/TUNING.md`,
/// per-channel ops).
///
/// # Safety
/// The CPU supports `level`.
pub(crate) unsafe fn all_finite_at<T: Element>(level: Level, values: &[T]) -> bool {
    let mut all = false;
    let fold = Compiled(
        #[inline(always)]
        || all = all_finite(values),
    );
    // SAFETY: the CPU supports `level` (caller contract).
    unsafe { dispatch::<T, _>(level, fold) };
    all
}

pub(crate) mod sealed {
    use super::*;

    /// What the kernels need of an element type.
    pub(crate) trait Sealed:
        Lanes
        + Copy
        + PartialOrd
        + Add<Output = Self>
        + Mul<Output = Self>
        + Debug
        + Display
        + Send
        + Sync
        + 'static
    {
        const ZERO: Self;
        const ONE: Self;
        /// 0.01, rounded to nearest in the type.
        const DEFAULT_ALPHA: Self;
        /// ReLU6's upper bound, 6 (exact in every element type).
        const SIX: Self;

        fn is_nan(self) -> bool;
        fn is_finite(self) -> bool;
        /// Whether the sign bit is set (`-0.0` included).
        fn sign_negative(self) -> bool;
        /// The float whose bits are `self`'s XOR `o`'s.
        fn xor_bits(self, o: Self) -> Self;
        /// The float whose bits are `self`'s AND `o`'s.
        fn and_bits(self, o: Self) -> Self;
        /// The value as `f64` (exact).
        fn to_f64(self) -> f64;
        /// `x` rounded to the type, to nearest with ties to even.
        fn from_f64(x: f64) -> Self;

        /// The bits without the sign, as an unsigned integer of the type's
        /// width: ordered as the magnitudes are, with the infinity's above
        /// every finite value's and every NaN's above the infinity's.
        type Magnitude: Copy + Ord + Default;
        /// The infinity's [`magnitude`](Sealed::magnitude).
        const INFINITE_MAGNITUDE: Self::Magnitude;
        fn magnitude(self) -> Self::Magnitude;
    }

    macro_rules! impl_sealed {
        ($t:ty, $bits:ty) => {
            impl Sealed for $t {
                const ZERO: Self = 0.0;
                const ONE: Self = 1.0;
                const DEFAULT_ALPHA: Self = 0.01;
                const SIX: Self = 6.0;

                #[inline(always)]
                fn is_nan(self) -> bool {
                    <$t>::is_nan(self)
                }
                #[inline(always)]
                fn is_finite(self) -> bool {
                    <$t>::is_finite(self)
                }
                #[inline(always)]
                fn sign_negative(self) -> bool {
                    self.is_sign_negative()
                }
                #[inline(always)]
                fn xor_bits(self, o: Self) -> Self {
                    <$t>::from_bits(self.to_bits() ^ o.to_bits())
                }
                #[inline(always)]
                fn and_bits(self, o: Self) -> Self {
                    <$t>::from_bits(self.to_bits() & o.to_bits())
                }
                #[inline(always)]
                fn to_f64(self) -> f64 {
                    self as f64
                }
                #[inline(always)]
                fn from_f64(x: f64) -> Self {
                    x as $t
                }

                type Magnitude = $bits;
                const INFINITE_MAGNITUDE: $bits = <$t>::INFINITY.to_bits();
                #[inline(always)]
                fn magnitude(self) -> $bits {
                    self.to_bits() & !(1 << (<$bits>::BITS - 1))
                }
            }
        };
    }

    impl_sealed!(f32, u32);
    impl_sealed!(f64, u64);

    #[cfg(feature = "half")]
    macro_rules! impl_sealed_half {
        ($t:ty, $alpha:literal) => {
            impl Sealed for $t {
                const ZERO: Self = <$t>::ZERO;
                const ONE: Self = <$t>::ONE;
                const DEFAULT_ALPHA: Self = <$t>::from_bits($alpha);
                const SIX: Self = <$t>::from_f32_const(6.0);

                #[inline(always)]
                fn is_nan(self) -> bool {
                    <$t>::is_nan(self)
                }
                #[inline(always)]
                fn is_finite(self) -> bool {
                    <$t>::is_finite(self)
                }
                #[inline(always)]
                fn sign_negative(self) -> bool {
                    self.is_sign_negative()
                }
                #[inline(always)]
                fn xor_bits(self, o: Self) -> Self {
                    <$t>::from_bits(self.to_bits() ^ o.to_bits())
                }
                #[inline(always)]
                fn and_bits(self, o: Self) -> Self {
                    <$t>::from_bits(self.to_bits() & o.to_bits())
                }
                // The `_const` conversions: the others check for F16C at
                // run time on every call (see `Format::to_f32`).
                #[inline(always)]
                fn to_f64(self) -> f64 {
                    self.to_f64_const()
                }
                #[inline(always)]
                fn from_f64(x: f64) -> Self {
                    // `half`'s `from_f64` drops the low half of the `f64`
                    // first, so ties come out wrong; rounding to `f32` by
                    // rounding to odd, then to the format, rounds once.
                    <$t>::from_f32_const(round_to_odd(x))
                }

                type Magnitude = u16;
                const INFINITE_MAGNITUDE: u16 = <$t>::INFINITY.to_bits();
                #[inline(always)]
                fn magnitude(self) -> u16 {
                    self.to_bits() & 0x7fff
                }
            }
        };
    }

    /// `x` rounded to `f32` toward zero, the last bit set where that was
    /// inexact ("round to odd"): rounding that again to a format with at
    /// most 22 significant bits gives `x` rounded once to the format, to
    /// nearest with ties to even, since the last bit records whether
    /// anything was dropped.
    #[cfg(feature = "half")]
    #[inline]
    fn round_to_odd(x: f64) -> f32 {
        let nearest = x as f32;
        if !nearest.is_finite() || f64::from(nearest) == x {
            return nearest;
        }
        let toward_zero = if f64::from(nearest).abs() > x.abs() {
            // Not zero, being larger than something; one step toward zero.
            f32::from_bits(nearest.to_bits() - 1)
        } else {
            nearest
        };
        f32::from_bits(toward_zero.to_bits() | 1)
    }

    // 0.01 = 1.28 * 2^-7: the nearest `f16` has the fraction 287/1024, the
    // nearest `bf16` 36/128 (tests/default_alpha.rs checks both against every pattern).
    #[cfg(feature = "half")]
    impl_sealed_half!(half::f16, 0x211f);
    #[cfg(feature = "half")]
    impl_sealed_half!(half::bf16, 0x3c24);
}

#[cfg(all(test, feature = "half"))]
mod tests {
    use super::sealed::Sealed;

    /// Rounding from `f64` is to nearest, ties to even, at every midpoint
    /// between adjacent finite values of both formats, and just off it.
    fn rounds_once<T: Sealed + Copy>(from_bits: fn(u16) -> T, bits: fn(T) -> u16, inf: u16) {
        for b in 0..inf - 1 {
            let (lo, hi) = (from_bits(b).to_f64(), from_bits(b + 1).to_f64());
            let mid = (lo + hi) / 2.0;
            let even = if b % 2 == 0 { b } else { b + 1 };
            for (x, want) in [
                (mid, even),
                (mid + (hi - lo) * 1e-9, b + 1),
                (mid - (hi - lo) * 1e-9, b),
                (lo + (hi - lo) * 2f64.powi(-40), b),
            ] {
                assert_eq!(
                    bits(T::from_f64(x)),
                    want,
                    "{x:e} between patterns {b:#x} and {:#x}",
                    b + 1
                );
                assert_eq!(bits(T::from_f64(-x)), want | 0x8000, "{:e}", -x);
            }
        }
    }

    #[test]
    fn sixteen_bit_formats_round_once_from_f64() {
        rounds_once(half::f16::from_bits, half::f16::to_bits, 0x7c00);
        rounds_once(half::bf16::from_bits, half::bf16::to_bits, 0x7f80);
    }
}
