//! `half::f16` and `half::bf16`: what the 16-bit vectors of every level
//! (`portable::half16`, `x86_64::avx2_half16`, `x86_64::avx512_half16`)
//! know of the two formats.
//!
//! Both formats are sign-magnitude with the exponent above the mantissa,
//! so the select-only ops work on the bit patterns with integer compares,
//! 16 lanes to a 256-bit vector and no conversion: read as `i16`, every
//! negative number and `-0.0` lies at or below `-inf`'s pattern, the
//! negative NaNs between it and `-1`, then `+0.0`, the positive numbers,
//! `+inf` and the positive NaNs. Only a multiply (`alpha * x`) widens to
//! `f32`, multiplies there and rounds once back; for both formats that is
//! the correctly rounded product (see the crate documentation).
//!
//! Clamp compares values with each other, not with zero: there each
//! pattern's magnitude, negated where the sign is set, orders the values as
//! the floats do ([`order_key`]).

mod convert;

use wide::{f32x8, i32x8};

/// What the 16-bit vectors need to know of a format.
pub trait Format: Copy + Send + Sync + 'static {
    /// The bits of `+inf`: exponent all ones, mantissa zero. A pattern is
    /// NaN exactly when its magnitude bits exceed these.
    const INF: u16;
    /// The bits of `1.0`.
    const ONE: u16;
    /// The value's bit pattern.
    fn bits(self) -> u16;
    /// The value as `f32` (exact).
    fn to_f32(self) -> f32;
    /// Eight patterns (zero-extended to 32 bits) as `f32`, exactly.
    fn widen(bits: i32x8) -> f32x8;
    /// Eight `f32` rounded to the format, to nearest with ties to even;
    /// the patterns in the low 16 bits. A NaN gives a NaN.
    fn narrow(x: f32x8) -> i32x8;
}

impl Format for half::f16 {
    const INF: u16 = 0x7c00;
    const ONE: u16 = 0x3c00;
    #[inline(always)]
    fn bits(self) -> u16 {
        self.to_bits()
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        // Not `to_f32`, which checks for F16C at run time on every call:
        // that check is a memory read the compiler cannot hoist out of a
        // kernel's loop, where alpha is widened.
        self.to_f32_const()
    }
    #[inline(always)]
    fn widen(bits: i32x8) -> f32x8 {
        convert::f16_to_f32(bits)
    }
    #[inline(always)]
    fn narrow(x: f32x8) -> i32x8 {
        convert::f32_to_f16(x)
    }
}

impl Format for half::bf16 {
    const INF: u16 = 0x7f80;
    const ONE: u16 = 0x3f80;
    #[inline(always)]
    fn bits(self) -> u16 {
        self.to_bits()
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self.to_f32_const()
    }
    #[inline(always)]
    fn widen(bits: i32x8) -> f32x8 {
        convert::bf16_to_f32(bits)
    }
    #[inline(always)]
    fn narrow(x: f32x8) -> i32x8 {
        convert::f32_to_bf16(x)
    }
}

/// `-inf`'s pattern read as `i16`: every negative number and `-0.0` is at
/// or below it, every negative NaN above it.
pub(crate) const fn neg_inf<T: Format>() -> i16 {
    (0x8000 | T::INF) as i16
}

/// A pattern as an integer in the order of its value: the magnitude bits,
/// negated where the sign bit is set. Both zeros give 0 (they are equal). A
/// NaN's key lies beyond its sign's infinity, so outside any pair of
/// bounds (which are not NaN); the callers put the NaN lanes back. The
/// vector types compute it lane-wise; this is its definition, which the
/// unit test checks against the floats' order.
#[cfg(test)]
pub(crate) fn order_key(bits: u16) -> i16 {
    let magnitude = (bits & 0x7fff) as i16;
    if bits & 0x8000 != 0 {
        -magnitude
    } else {
        magnitude
    }
}

#[cfg(test)]
mod tests {
    use super::order_key;

    /// The keys order every pair of non-NaN `f16` and `bf16` patterns as
    /// their values compare (a stride over the first, all of the second).
    #[test]
    fn keys_order_values() {
        for (to_f32, inf) in [
            (
                &(|b| half::f16::from_bits(b).to_f32()) as &dyn Fn(u16) -> f32,
                0x7c00u16,
            ),
            (&|b| half::bf16::from_bits(b).to_f32(), 0x7f80),
        ] {
            let numbers: Vec<u16> = (0..=u16::MAX).filter(|&b| b & 0x7fff <= inf).collect();
            for &a in numbers.iter().step_by(97) {
                for &b in &numbers {
                    let (x, y) = (to_f32(a), to_f32(b));
                    assert_eq!(order_key(a).cmp(&order_key(b)), x.partial_cmp(&y).unwrap());
                }
            }
        }
    }
}
