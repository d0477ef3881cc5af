//! Large random buffers with odd lengths, so the root functions cross the
//! parallel threshold and the parallel driver splits at uneven points.
#![cfg(not(miri))]

use crate::common::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use relu_kernels::{Level, Threading};

/// Mostly ordinary values of both signs and a wide range of magnitudes,
/// with specials and raw bit patterns mixed in.
fn random_buffer<T: TestFloat>(rng: &mut StdRng, len: usize) -> Vec<T> {
    let sp = T::specials();
    (0..len)
        .map(|_| match rng.random_range(0..100) {
            0..5 => sp[rng.random_range(0..sp.len())],
            5..10 => T::from_bits_u64(rng.random::<u64>()),
            _ => {
                let mag = 10f64.powf(rng.random_range(-8.0..8.0));
                T::from_f64(if rng.random::<bool>() { mag } else { -mag })
            }
        })
        .collect()
}

fn random_buffers<T: TestFloat>() {
    // A seed of each type's own.
    let seed = match T::NAME {
        "f32" => 0x5eed_0001,
        "f64" => 0x5eed_0002,
        "f16" => 0x5eed_0003,
        _ => 0x5eed_0004,
    };
    let mut rng = StdRng::seed_from_u64(seed);
    // The paths that split a call among threads; the serial ones run the
    // same kernels as in the exhaustive sweep.
    let paths: Vec<Path> = paths()
        .into_iter()
        .filter(|p| match p {
            Path::Scalar | Path::Simd => false,
            Path::Kernels(k) => k.threading() != Threading::Serial,
            _ => true,
        })
        .collect();
    // The last length makes the destination larger than the size where the
    // out-of-place forms switch to streaming stores (this CPU's
    // last-level cache); it runs those only, on the paths that can stream.
    let streaming =
        relu_kernels::__forms::stream_threshold_bytes() / std::mem::size_of::<T>() + 4099;
    // Under emulation (aarch64, which has no streaming stores), the
    // lengths up to where calls split among threads.
    let lengths = if emulated() {
        vec![65_537, 131_075]
    } else {
        vec![3_000_001usize, 65_537, 131_075, streaming]
    };
    for len in lengths {
        let src = random_buffer::<T>(&mut rng, len);
        let init = random_buffer::<T>(&mut rng, len);
        let alpha = T::from_f64(rng.random_range(-2.0..2.0));
        let ops = OpCase::all(alpha).into_iter();
        for op in ops.filter(|op| len != streaming || !op.form.in_place()) {
            for &path in paths.iter().filter(|p| len != streaming || streams(p)) {
                let mut dst = init.clone();
                check(path, op, &src, &mut dst, &format!("seed {seed} len {len}"));
            }
        }
    }
}

/// Whether `path` may write with streaming stores: the levels that have
/// them (the scalar and portable ones run their lengths above).
fn streams(path: &Path) -> bool {
    match path {
        Path::Kernels(k) => matches!(k.level(), Level::Avx2 | Level::Avx512),
        _ => true,
    }
}

test_each_type!(random_buffers);
