//! The element types the kernels accept: `f32`, `f64`, and with the `half`
//! feature `half::f16` and `half::bf16`.

use core::fmt::{Debug, Display};
use core::ops::{Add, Mul};

use crate::arch::Lanes;

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
    }

    macro_rules! impl_sealed {
        ($t:ty) => {
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
            }
        };
    }

    impl_sealed!(f32);
    impl_sealed!(f64);

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
            }
        };
    }

    // 0.01 = 1.28 * 2^-7: the nearest `f16` has the fraction 287/1024, the
    // nearest `bf16` 36/128 (tests/default_alpha.rs checks both against every pattern).
    #[cfg(feature = "half")]
    impl_sealed_half!(half::f16, 0x211f);
    #[cfg(feature = "half")]
    impl_sealed_half!(half::bf16, 0x3c24);
}
