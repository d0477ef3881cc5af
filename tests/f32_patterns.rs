//! Leaky ReLU on every one of the 2^32 `f32` bit patterns at the AVX2 and
//! AVX-512 levels (in release builds; a prime stride through them in debug builds
//! and at the portable level), for alphas on each side of 1, where the
//! AVX2 body changes from a max to a min, against the scalar reference, bit
//! for bit (any NaN for a NaN). Those forms rest on an argument about
//! rounding (`alpha * x` against `x`), and this checks it on every input
//! rather than on the specials alone. The portable level computes one form
//! for every `alpha`.

use relu_kernels::{ALL_LEVELS, Kernels, Level, Threading, scalar};
use std::thread;

/// Elements per call.
const CHUNK: usize = 1 << 16;

/// The step through the patterns: 1 (all of them) where it takes seconds,
/// otherwise a prime, which still meets every exponent and both signs.
fn stride(level: Level) -> usize {
    if level >= Level::Avx2 && cfg!(not(debug_assertions)) {
        1
    } else if cfg!(miri) {
        16_777_259
    } else {
        65_537
    }
}

fn alphas() -> Vec<f32> {
    let mut v = vec![
        0.01,
        -3.0,
        f32::from_bits(0x3f7f_ffff), // the largest below 1
        f32::from_bits(0x3f80_0001), // the smallest above 1
        f32::MAX,
    ];
    if cfg!(miri) {
        v.truncate(3);
    }
    v
}

/// Checks patterns `first, first + stride * n, ...` below 2^32 (one call
/// per chunk); returns how many results were checked.
fn check_from(first: u64, step: u64, alpha: f32, k: Kernels) -> u64 {
    let mut src = Vec::with_capacity(CHUNK);
    let mut want = vec![0.0f32; CHUNK];
    let mut got = vec![0.0f32; CHUNK];
    let mut checked = 0;
    let mut p = first;
    while p <= u32::MAX as u64 {
        src.clear();
        while src.len() < CHUNK && p <= u32::MAX as u64 {
            src.push(f32::from_bits(p as u32));
            p += step;
        }
        let n = src.len();
        scalar::leaky_relu_into(&src, &mut want[..n], alpha);
        k.leaky_relu_into(&src, &mut got[..n], alpha);
        // A branch-free count first, so the common case stays fast.
        let bad = want[..n]
            .iter()
            .zip(&got[..n])
            .filter(|(w, g)| w.to_bits() != g.to_bits() && !(w.is_nan() && g.is_nan()))
            .count();
        if bad > 0 {
            let i = (0..n)
                .find(|&i| {
                    want[i].to_bits() != got[i].to_bits() && !(want[i].is_nan() && got[i].is_nan())
                })
                .unwrap();
            panic!(
                "{:?}: leaky_relu({:e} = {:#010x}, alpha {alpha:e}) gave {:e} ({:#010x}), \
                 the reference {:e} ({:#010x}); {bad} such in this chunk",
                k.level(),
                src[i],
                src[i].to_bits(),
                got[i],
                got[i].to_bits(),
                want[i],
                want[i].to_bits(),
            );
        }
        checked += n as u64;
    }
    checked
}

#[test]
fn leaky_relu_on_every_f32_pattern() {
    let threads = thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    for level in ALL_LEVELS {
        let Some(kernels) = Kernels::new(level, Threading::Serial) else {
            continue;
        };
        if level == Level::Scalar {
            continue;
        }
        let stride = stride(level) as u64;
        let mut checked = 0;
        for alpha in alphas() {
            // Thread `t` takes every `threads`-th pattern of the stride.
            checked += thread::scope(|s| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        s.spawn(move || check_from(t * stride, threads * stride, alpha, kernels))
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).sum::<u64>()
            });
        }
        let per_alpha = (u32::MAX as u64).div_ceil(stride);
        assert!(checked >= per_alpha * alphas().len() as u64);
        eprintln!("{level:?}: {checked} results checked against the reference");
    }
}
