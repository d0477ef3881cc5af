//! Portable conversions between 16-bit formats and `f32`, eight lanes at a
//! time on `wide`'s integer and float vectors (SSE2, NEON or plain arrays,
//! as compiled), with no lookup tables and no branches.
//!
//! The `f16` ones are the branch-free forms of Fabian Giesen's
//! `half_to_float` and `float_to_half_fast3_rtne` (public domain), which
//! rely on the `f32` add rounding to nearest with ties to even and on
//! subnormals being kept, as Rust's default floating-point environment
//! does. Every pattern of both formats goes through them in the tests.

use wide::bytemuck::cast;
use wide::{f32x8, i32x8, u32x8};

/// `f16` patterns (zero-extended) to `f32`, exactly.
#[inline(always)]
pub(super) fn f16_to_f32(h: i32x8) -> f32x8 {
    let shifted_exp = i32x8::splat(0x7c00 << 13);
    // Exponent and mantissa moved into `f32`'s places, and the exponent
    // rebiased from 15 to 127.
    let o: i32x8 = (h & i32x8::splat(0x7fff)) << 13u32;
    let exp = o & shifted_exp;
    let o = o + i32x8::splat((127 - 15) << 23);
    // Infinity and NaN: exponent all ones in `f32` too.
    let inf_nan = exp.simd_eq(shifted_exp);
    let o = o + (inf_nan & i32x8::splat((128 - 16) << 23));
    // Zero and subnormals: `2^-14 * (1 + m/1024) - 2^-14` is `m * 2^-24`,
    // exactly, and normalizes the value.
    let zero_or_sub = exp.simd_eq(i32x8::ZERO);
    let magic = f32x8::splat(f32::from_bits(113 << 23));
    let renorm: f32x8 = cast::<_, f32x8>(o + i32x8::splat(1 << 23)) - magic;
    let o = zero_or_sub.bitselect(cast(renorm), o);
    cast(o | ((h & i32x8::splat(0x8000)) << 16u32))
}

/// `f32` to `f16` patterns (in the low 16 bits), to nearest with ties to
/// even; infinities stay infinite, a NaN becomes a quiet NaN, overflow
/// gives an infinity and underflow a subnormal or a signed zero.
#[inline(always)]
pub(super) fn f32_to_f16(f: f32x8) -> i32x8 {
    let u: i32x8 = cast(f);
    let sign = u & i32x8::splat(i32::MIN);
    let u = u ^ sign;
    // |f| at or above 2^16 (after rounding, the largest finite `f16` is
    // 65504): infinity, or a NaN when above `f32`'s infinity.
    let f16_max = i32x8::splat((127 + 16) << 23);
    let big = u.simd_gt(f16_max - i32x8::splat(1));
    let nan = u.simd_gt(i32x8::splat(255 << 23));
    let o_big = nan.bitselect(i32x8::splat(0x7e00), i32x8::splat(0x7c00));
    // Below 2^-14 the result is subnormal or zero: adding a magic number
    // lines the 10 mantissa bits up at the bottom of an `f32` and lets its
    // add do the rounding.
    let small = i32x8::splat(113 << 23).simd_gt(u);
    let magic_bits: i32 = ((127 - 15) + (23 - 10) + 1) << 23;
    let sum: f32x8 = cast::<_, f32x8>(u) + f32x8::splat(f32::from_bits(magic_bits as u32));
    let o_small = cast::<_, i32x8>(sum) - i32x8::splat(magic_bits);
    // Normal: rebias the exponent, add half an ulp less one plus the
    // parity of the kept mantissa (ties to even), and shift.
    let odd = (u >> 13u32) & i32x8::splat(1);
    let o_normal = (u + i32x8::splat(((15 - 127) << 23) + 0xfff) + odd) >> 13u32;
    let o = big.bitselect(o_big, small.bitselect(o_small, o_normal));
    o | ((sign >> 16u32) & i32x8::splat(0x8000))
}

/// `bf16` patterns (zero-extended) to `f32`: the same bits, 16 places up.
#[inline(always)]
pub(super) fn bf16_to_f32(h: i32x8) -> f32x8 {
    cast(h << 16u32)
}

/// `f32` to `bf16` patterns (in the low 16 bits), to nearest with ties to
/// even, as `half::bf16::from_f32` rounds: add `0x7fff` plus the parity of
/// the kept part, then drop the low 16 bits; overflow carries into the
/// exponent and gives an infinity. A NaN whose low 16 bits are zero (every
/// NaN that a product of two values widened from `bf16` can be: the
/// quieted input NaN or the default NaN) stays a NaN, since the add cannot
/// carry out of the low half.
#[inline(always)]
pub(super) fn f32_to_bf16(f: f32x8) -> i32x8 {
    let u: u32x8 = cast(f);
    let odd = (u >> 16u32) & u32x8::splat(1);
    cast((u + u32x8::splat(0x7fff) + odd) >> 16u32)
}
