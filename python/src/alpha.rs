//! `alpha` rounded from a Python float to `float16` as numpy rounds it.

use kernels::half::f16;

/// The `f16` nearest to `x`, ties to even: `np.float16(x)`'s value.
///
/// Not `half`'s `f16::from_f64`: where F16C is present it converts
/// through `f32`, rounding twice (a value just above an `f16` tie can
/// round to the tie in `f32` and then down to even). Not `from_f64_const`
/// either: it drops the low 32 bits of the `f64` significand before
/// rounding, with the same effect. Here the value is scaled by a power of
/// two (exact) so that one unit is the `f16` quantum at its exponent, and
/// rounded once with `round_ties_even`.
pub(crate) fn f16_from_f64(x: f64) -> f16 {
    if x.is_nan() {
        return f16::NAN;
    }
    let sign: u16 = if x.is_sign_negative() { 0x8000 } else { 0 };
    let a = x.abs();
    // The largest f16 is 65504; from halfway to the next binade (65520),
    // ties to even round up to infinity, which the sum below reaches.
    if a >= 65536.0 {
        return f16::from_bits(sign | 0x7c00);
    }
    let min_normal = 2f64.powi(-14);
    let bits = if a < min_normal {
        // Subnormal f16: one unit is 2^-24; 1024 units is the smallest
        // normal, whose bits are 0x0400 too.
        (a * 2f64.powi(24)).round_ties_even() as u16
    } else {
        // f64's exponent of `a`, which is normal in f64.
        let e = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
        let units = (a * 2f64.powi(10 - e)).round_ties_even() as u16; // 1024..=2048
        // 2048 units carry into the exponent, and from e = 15 into
        // infinity's pattern.
        ((e + 15) as u16) * 1024 + units - 1024
    };
    f16::from_bits(sign | bits)
}
