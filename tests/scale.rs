//! A buffer larger than 2 GiB (more than 2^29 `f32`), so that the parallel
//! driver's index arithmetic runs with large offsets; the parallel results
//! equal the serial ones.
//!
//! It allocates over 4 GiB, so it runs only when `RELU_KERNELS_SCALE_TEST=1`
//! is set (CI sets it); otherwise it says so and passes without checking.
#![cfg(all(feature = "rayon", not(miri)))]

use relu_kernels::{Kernels, Level, Threading, scalar};

#[test]
fn two_gib_buffer() {
    if std::env::var_os("RELU_KERNELS_SCALE_TEST").is_none_or(|v| v != "1") {
        eprintln!("two_gib_buffer: skipped (set RELU_KERNELS_SCALE_TEST=1 to run it)");
        return;
    }
    let len = (1usize << 29) + 4099;
    // Cheap, varied, deterministic: every residue of a prime stride, with
    // both signs and zeros.
    let value = |i: usize| ((i * 7919) % 20011) as f32 - 10005.0;
    let init: Vec<f32> = (0..len).map(value).collect();
    let parallel = Kernels::new(Level::active(), Threading::Parallel).unwrap();

    let mut buf = init.clone();
    parallel.leaky_relu_inplace(&mut buf, 0.125);
    for (i, (&got, &x)) in buf.iter().zip(&init).enumerate() {
        let want = scalar::leaky_relu(x, 0.125);
        assert_eq!(got.to_bits(), want.to_bits(), "leaky_relu at {i}");
    }

    // Out of place, streaming stores on the AVX2 level.
    parallel.relu_grad_into(&init, &mut buf);
    for (i, (&got, &x)) in buf.iter().zip(&init).enumerate() {
        assert_eq!(
            got.to_bits(),
            scalar::relu_grad(x).to_bits(),
            "relu_grad_into at {i}"
        );
    }
}
