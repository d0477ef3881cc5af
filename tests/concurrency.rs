//! The parallel paths give exactly the serial results whoever calls them:
//! a thread outside the pool, several at once, a pool worker, a nested
//! parallel loop, a one-thread pool, and a caller whose pool is busy.
#![cfg(feature = "rayon")]

mod common;

use common::*;
use rayon::prelude::*;
use relu_kernels::{Kernels, Level, Threading, par};

/// Under Miri chunks are 1 KiB, so a short buffer still splits.
const LEN: usize = if cfg!(miri) { 3_001 } else { 1_000_003 };

fn buffer(seed: u64, len: usize) -> Vec<f32> {
    let sp = f32::specials();
    let mut rng = Lcg(seed);
    (0..len)
        .map(|i| {
            if i % 7 == 0 {
                sp[i / 7 % sp.len()]
            } else {
                rng.ordinary()
            }
        })
        .collect()
}

/// Every op through `par` and the root on fresh buffers, checked against
/// the reference.
fn check_parallel_paths(seed: u64) {
    let src = buffer(seed, LEN);
    let init = buffer(seed + 1, LEN);
    for op in OpCase::all_driver_sized(0.25) {
        for path in [Path::Par, Path::Root] {
            let mut dst = init.clone();
            check(path, op, &src, &mut dst, &format!("seed {seed}"));
        }
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "slow under Miri; the busy-pool and every-level tests call from outside too"
)]
fn from_a_thread_outside_the_pool() {
    assert_eq!(rayon::current_thread_index(), None);
    check_parallel_paths(50);
}

/// With every worker of the global pool blocked, the workers that a call
/// from outside asks for cannot start: the caller does every chunk itself,
/// returns, and the buffers are freed. The queued requests run later and
/// must touch nothing (Miri checks that they do not).
#[test]
fn from_outside_while_the_pool_is_busy() {
    let closed = block_the_pool();
    let calls = if cfg!(miri) { 3 } else { 50 };
    for seed in 0..calls {
        let src = buffer(600 + seed, LEN);
        let mut dst = buffer(700 + seed, LEN);
        check(
            Path::Par,
            OpCase::named("relu_backward_inplace"),
            &src,
            &mut dst,
            "busy pool",
        );
        let mut buf = src.clone();
        check(
            Path::Par,
            OpCase::with("leaky_relu_inplace", 0.5),
            &src,
            &mut buf,
            "busy pool",
        );
    }
    drop(closed);
    // The late requests run before the pool drains.
    drain_the_pool();
}

#[test]
#[cfg_attr(miri, ignore = "idle rayon workers make this minutes long under Miri")]
fn many_threads_at_once() {
    let threads = if cfg!(miri) { 2 } else { 8 };
    std::thread::scope(|s| {
        for t in 0..threads {
            s.spawn(move || check_parallel_paths(100 + t));
        }
    });
}

#[test]
#[cfg_attr(miri, ignore = "idle rayon workers make this minutes long under Miri")]
fn inside_a_users_pool_and_nested() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    pool.install(|| {
        assert_eq!(rayon::current_num_threads(), 3);
        check_parallel_paths(200);
        // Nested: the user's parallel loop calls the parallel kernels.
        let jobs = if cfg!(miri) { 2 } else { 6 };
        (0..jobs)
            .into_par_iter()
            .for_each(|j| check_parallel_paths(300 + j));
    });
}

#[test]
#[cfg_attr(miri, ignore = "idle rayon workers make this minutes long under Miri")]
fn one_thread_pool_runs_serially_and_agrees() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| check_parallel_paths(400));
}

#[test]
fn parallel_equals_serial_at_every_level() {
    let init = buffer(500, LEN);
    for level in relu_kernels::ALL_LEVELS
        .into_iter()
        .filter(|l| l.is_supported())
    {
        let serial = Kernels::new(level, Threading::Serial).unwrap();
        let parallel = Kernels::new(level, Threading::Parallel).unwrap();
        let mut a = init.clone();
        let mut b = init.clone();
        serial.leaky_relu_inplace(&mut a, -0.3);
        parallel.leaky_relu_inplace(&mut b, -0.3);
        assert!(a.iter().zip(&b).all(|(x, y)| same(*x, *y)), "{level}");
        // Two slices: under Miri this also streams (4 KiB threshold there).
        serial.relu_grad_into(&init, &mut a);
        parallel.relu_grad_into(&init, &mut b);
        assert!(a.iter().zip(&b).all(|(x, y)| same(*x, *y)), "{level}");
    }
    // The module functions follow the active level.
    let mut a = init.clone();
    par::relu_inplace(&mut a);
    let mut b = init;
    Kernels::new(Level::active(), Threading::Serial)
        .unwrap()
        .relu_inplace(&mut b);
    assert!(a.iter().zip(&b).all(|(x, y)| same(*x, *y)));
}
