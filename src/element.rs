//! The element types the kernels accept: `f32`, `f64`, and with the `half`
//! feature `half::f16` and `half::bf16`.

use core::fmt::{Debug, Display};
use core::ops::Mul;

use crate::vector::Vector;

/// A float type the kernels work on: `f32`, `f64`, and with the `half`
/// feature (on by default) `half::f16` and `half::bf16`.
///
/// The trait is sealed; its methods are the crate's own business. Every
/// function of the crate is generic over it, so `relu_inplace(&mut buf)` works
/// for `Vec<f32>` and `Vec<half::f16>` alike, and `alpha` has the element's
/// type.
pub trait Element: sealed::Sealed {}

impl Element for f32 {}
impl Element for f64 {}
#[cfg(feature = "half")]
impl Element for half::f16 {}
#[cfg(feature = "half")]
impl Element for half::bf16 {}

pub(crate) mod sealed {
    use super::*;

    /// What the kernels need of an element type.
    pub trait Sealed:
        Copy + PartialOrd + Mul<Output = Self> + Debug + Display + Send + Sync + 'static
    {
        const ZERO: Self;
        const ONE: Self;
        const NEG_ZERO: Self;
        /// The portable vector of this element (`wide`).
        type Portable: Vector<Elem = Self>;
        /// The AVX2 vector of this element.
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        type Avx2: Vector<Elem = Self>;

        fn is_nan(self) -> bool;
        fn is_finite(self) -> bool;
        /// The float whose bits are `self`'s XOR `o`'s.
        fn xor_bits(self, o: Self) -> Self;
        /// The float whose bits are `self`'s AND `o`'s.
        fn and_bits(self, o: Self) -> Self;
    }

    macro_rules! impl_sealed {
        ($t:ty, $portable:ty, $avx2:ty) => {
            impl Sealed for $t {
                const ZERO: Self = 0.0;
                const ONE: Self = 1.0;
                const NEG_ZERO: Self = -0.0;
                type Portable = $portable;
                #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
                type Avx2 = $avx2;

                #[inline(always)]
                fn is_nan(self) -> bool {
                    <$t>::is_nan(self)
                }
                #[inline(always)]
                fn is_finite(self) -> bool {
                    <$t>::is_finite(self)
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

    impl_sealed!(f32, wide::f32x8, crate::x86::F32x8);
    impl_sealed!(f64, wide::f64x4, crate::x86::F64x4);

    #[cfg(feature = "half")]
    macro_rules! impl_sealed_half {
        ($t:ty) => {
            impl Sealed for $t {
                const ZERO: Self = <$t>::ZERO;
                const ONE: Self = <$t>::ONE;
                const NEG_ZERO: Self = <$t>::NEG_ZERO;
                type Portable = crate::half16::Half16<$t>;
                #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
                type Avx2 = crate::half16::x86::H16x16<$t>;

                #[inline(always)]
                fn is_nan(self) -> bool {
                    <$t>::is_nan(self)
                }
                #[inline(always)]
                fn is_finite(self) -> bool {
                    <$t>::is_finite(self)
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

    #[cfg(feature = "half")]
    impl_sealed_half!(half::f16);
    #[cfg(feature = "half")]
    impl_sealed_half!(half::bf16);
}
