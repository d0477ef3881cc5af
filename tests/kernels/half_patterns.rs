//! Every one of the 65,536 bit patterns of `f16`, and of `bf16`, through
//! every function on every path and every level this CPU supports, against
//! the scalar reference, bit for bit (any NaN for a NaN).
#![cfg(feature = "half")]

use crate::common::*;
use half::{bf16, f16};
use relu_kernels::{ALL_LEVELS, Kernels, Threading};

/// Under Miri, every 241st pattern (a prime stride, so every exponent and
/// sign is hit) and the specials; otherwise all of them.
fn patterns<T: TestFloat>() -> Vec<T> {
    let step = if cfg!(miri) { 241 } else { 1 };
    let mut v: Vec<T> = (0..=u16::MAX as u64)
        .step_by(step)
        .map(T::from_bits_u64)
        .collect();
    if cfg!(miri) {
        v.extend(T::specials());
    }
    v
}

/// 0.01, 0, -0.5, 1.5, the smallest subnormal and the largest finite value
/// (under Miri the first and the third: every other alpha takes the same
/// instructions).
fn alphas<T: TestFloat>(largest: u64) -> Vec<T> {
    if cfg!(miri) {
        return [0.01, -0.5].map(T::from_f64).to_vec();
    }
    let mut v: Vec<T> = [0.01, 0.0, -0.5, 1.5].map(T::from_f64).to_vec();
    v.extend([T::from_bits_u64(1), T::from_bits_u64(largest)]);
    v
}

/// The incoming gradients each `x` meets in the backward passes: both
/// zeros, both infinities, NaNs, subnormals, the extremes and an ordinary
/// value.
fn gradients<T: TestFloat>(largest: u64) -> Vec<T> {
    let sign = 0x8000;
    [0, sign, 1, 1 | sign, largest, largest | sign]
        .map(T::from_bits_u64)
        .into_iter()
        .chain(T::specials().into_iter().filter(|v| !v.is_finite_()))
        .chain([T::from_f64(1.0)])
        .collect()
}

/// The module functions, and `Kernels` at every supported level on one
/// thread and split (the root functions and `Threading::Auto` run these
/// 65,536-element calls serially, which the serial kernels cover). Under
/// Miri and emulation, the serial kernels of every level: the concurrency
/// tests run the parallel driver there.
fn pattern_paths() -> Vec<Path> {
    if cfg!(miri) || emulated() {
        return ALL_LEVELS
            .into_iter()
            .filter_map(|level| Kernels::new(level, Threading::Serial))
            .map(Path::Kernels)
            .collect();
    }
    let mut v = vec![Path::Scalar, Path::Simd, Path::Root];
    #[cfg(feature = "rayon")]
    v.push(Path::Par);
    for level in ALL_LEVELS {
        for threading in [Threading::Serial, Threading::Parallel] {
            if let Some(k) = Kernels::new(level, threading) {
                v.push(Path::Kernels(k));
            }
        }
    }
    v
}

/// Runs every function on every path over all patterns; returns how many
/// results were checked.
fn every_pattern<T: TestFloat>(largest: u64) -> usize {
    let xs = patterns::<T>();
    let dys = gradients::<T>(largest);
    let mut ops: Vec<OpCase<T>> = Vec::new();
    for (i, alpha) in alphas::<T>(largest).into_iter().enumerate() {
        ops.extend(
            OpCase::all(alpha)
                .into_iter()
                .filter(|op| (i == 0 && op.form.params.is_empty()) || op.alpha().is_some()),
        );
    }
    ops.extend(OpCase::all_bounds());
    let mut checked = 0;
    let mut dst = xs.clone();
    for path in pattern_paths() {
        for &op in &ops {
            let backward = op.backward();
            // Each x meets every incoming gradient in one of the rotations
            // (under Miri, one gradient each).
            let rotations = if backward && !cfg!(miri) {
                dys.len()
            } else {
                1
            };
            for r in 0..rotations {
                for (i, d) in dst.iter_mut().enumerate() {
                    *d = if !op.two_slices() {
                        xs[i]
                    } else {
                        dys[(i + r) % dys.len()]
                    };
                }
                check(path, op, &xs, &mut dst, &format!("rotation {r}"));
                checked += xs.len();
            }
        }
    }
    checked
}

#[test]
fn every_f16_pattern() {
    let checked = every_pattern::<f16>(0x7bff);
    eprintln!("f16: {checked} results checked against the reference");
}

#[test]
fn every_bf16_pattern() {
    let checked = every_pattern::<bf16>(0x7f7f);
    eprintln!("bf16: {checked} results checked against the reference");
}
