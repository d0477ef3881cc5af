//! `default_alpha::<T>()` is 0.01 rounded to nearest in every element type,
//! and the `f32`/`f64` constants agree with it. (Its doctest shows the use;
//! these prove the values.)

use relu_kernels::{DEFAULT_ALPHA, DEFAULT_ALPHA_F64, default_alpha};

#[test]
fn f32_and_f64_are_the_decimal_rounded_once() {
    assert_eq!(default_alpha::<f32>(), 0.01f32);
    assert_eq!(default_alpha::<f64>(), 0.01f64);
    assert_eq!(default_alpha::<f32>(), DEFAULT_ALPHA);
    assert_eq!(default_alpha::<f64>(), DEFAULT_ALPHA_F64);
    // The trap the docs name: widening the f32 constant is not 0.01.
    assert_ne!(f64::from(DEFAULT_ALPHA), DEFAULT_ALPHA_F64);
}

/// The pattern whose value (exact in `f64`) is nearest 0.01, by search.
#[cfg(feature = "half")]
fn nearest_hundredth(to_f64: impl Fn(u16) -> f64) -> u16 {
    (0..0x7c00u16)
        .min_by(|&a, &b| {
            let (da, db) = ((to_f64(a) - 0.01).abs(), (to_f64(b) - 0.01).abs());
            da.total_cmp(&db)
        })
        .unwrap()
}

#[cfg(feature = "half")]
#[test]
fn f16_and_bf16_are_the_nearest_patterns() {
    use relu_kernels::half::{bf16, f16};
    let f16_bits = nearest_hundredth(|b| f16::from_bits(b).to_f64());
    assert_eq!(default_alpha::<f16>().to_bits(), f16_bits);
    // bf16's finite positive patterns run up to 0x7f7f.
    let bf16_bits = (0..0x7f80u16)
        .min_by(|&a, &b| {
            let d = |p: u16| (bf16::from_bits(p).to_f64() - 0.01).abs();
            d(a).total_cmp(&d(b))
        })
        .unwrap();
    assert_eq!(default_alpha::<bf16>().to_bits(), bf16_bits);
}
