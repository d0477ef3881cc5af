//! The parallel driver under contention, as programs meet it: another
//! thread waiting in `rayon::join` while the main thread calls back to
//! back, an array walked element by element on one thread while another
//! calls, and calls made while every pool worker is blocked.
//!
//! Each case has a bound far from both the working figure and the failure
//! it guards against (the failures took seconds, or hundreds of MiB), so a
//! noisy machine does not make it flaky. The figures are printed
//! (`cargo test --release --test contention -- --nocapture`).
#![cfg(all(feature = "rayon", not(miri)))]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The cases share the global pool and measure it: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// However a case goes, the main thread stops calling after this long.
const GIVE_UP: Duration = Duration::from_secs(5);

/// Runs `waiter` on a thread of its own, `rounds` times, while the main
/// thread calls the root `relu_inplace` on 1 Mi `f32` back to back; returns
/// how long each round took. Before each round the main thread pauses long
/// enough for every lingering helper to leave, so that the waiter's work
/// lands on a worker that is not lingering, and resumes calling as it
/// starts.
fn while_main_calls(rounds: usize, waiter: impl Fn() + Send + 'static) -> Vec<Duration> {
    let mut buf = vec![1.0f32; 1 << 20];
    for _ in 0..100 {
        relu_kernels::relu_inplace(&mut buf);
    }
    let (go, started) = std::sync::mpsc::channel::<()>();
    let round_done = Arc::new(AtomicUsize::new(0));
    let waiting = {
        let round_done = Arc::clone(&round_done);
        thread::spawn(move || {
            let mut times = Vec::new();
            while started.recv().is_ok() {
                let t = Instant::now();
                waiter();
                times.push(t.elapsed());
                round_done.fetch_add(1, Ordering::SeqCst);
            }
            times
        })
    };
    let mut calls = 0u64;
    for round in 0..rounds {
        thread::sleep(Duration::from_millis(5));
        go.send(()).unwrap();
        let start = Instant::now();
        while round_done.load(Ordering::SeqCst) == round && start.elapsed() < GIVE_UP {
            relu_kernels::relu_inplace(&mut buf);
            calls += 1;
        }
        while round_done.load(Ordering::SeqCst) == round {
            thread::yield_now();
        }
    }
    drop(go);
    let times = waiting.join().expect("the waiting thread");
    println!("main made {calls} calls meanwhile");
    times
}

/// A pool worker blocked in `rayon::join` (here the one running another
/// thread's join, whose halves sleep) runs other jobs while it waits. A
/// helper of the main thread's calls that it picks up must not keep it
/// from resuming the join once both halves are done.
#[test]
fn a_waiting_join_resumes_while_main_calls_back_to_back() {
    let _one = one_at_a_time();
    let control = {
        let t = Instant::now();
        rayon::join(
            || thread::sleep(Duration::from_millis(5)),
            || thread::sleep(Duration::from_millis(50)),
        );
        t.elapsed()
    };
    let times = while_main_calls(10, || {
        rayon::join(
            || thread::sleep(Duration::from_millis(5)),
            || thread::sleep(Duration::from_millis(50)),
        );
    });
    println!("join(5 ms, 50 ms): alone {control:?}; while main calls {times:?}");
    for t in times {
        assert!(
            t < Duration::from_millis(200),
            "the join took {t:?} while main called back to back (alone: {control:?})"
        );
    }
}

/// An array that no axis steps through contiguously in both operands is
/// walked element by element. From outside the pool the caller must not
/// wait for a worker to start a part of it: the workers may be busy
/// helping (or lingering for) another thread.
#[cfg(feature = "ndarray")]
#[test]
fn an_element_walk_while_main_calls_back_to_back() {
    use ndarray::Array2;
    let _one = one_at_a_time();
    let n = 2048;
    let src = Array2::from_shape_fn((n, n), |(i, j)| (i as f32) - (j as f32));
    let mut dst = Array2::<f32>::zeros((n, n));
    let control = {
        let t = Instant::now();
        relu_kernels::nd::relu_into(&src.t(), &mut dst);
        t.elapsed()
    };
    assert_eq!(dst[[3, 5]], 2.0);
    let shared = Arc::new((src, Mutex::new(dst)));
    let times = {
        let shared = Arc::clone(&shared);
        while_main_calls(5, move || {
            let (src, dst) = &*shared;
            relu_kernels::nd::relu_into(&src.t(), &mut *dst.lock().unwrap());
        })
    };
    println!(
        "nd::relu_into(transposed 2048 x 2048): alone {control:?}; while main calls {times:?}"
    );
    let (src, dst) = &*shared;
    let dst = dst.lock().unwrap();
    assert!(
        dst.indexed_iter()
            .all(|((i, j), &v)| v == src[[j, i]].max(0.0))
    );
    // Under an emulator the walk itself takes far longer: the bound
    // scales with it there.
    let bound = if common::emulated() {
        Duration::from_millis(300).max(control * 4)
    } else {
        Duration::from_millis(300)
    };
    for t in times {
        assert!(
            t < bound,
            "the walk took {t:?} while main called back to back (alone: {control:?})"
        );
    }
}

/// The resident set in bytes (Linux).
fn resident_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Calls from outside while every worker is blocked: helpers asked for
/// cannot start, and must not pile up (each would pin its call's job until
/// a worker reached it), nor delay the pool's other work once it frees.
#[test]
fn calls_while_the_pool_is_blocked_keep_memory_flat() {
    let _one = one_at_a_time();
    let calls = if common::emulated() { 20_000 } else { 100_000 };
    let mut buf = vec![1.0f32; 64 << 10];
    for _ in 0..100 {
        relu_kernels::relu_inplace(&mut buf);
    }
    let closed = common::block_the_pool();
    let before = resident_bytes();
    for _ in 0..calls {
        relu_kernels::relu_inplace(&mut buf);
    }
    let after = resident_bytes();
    drop(closed);
    // A job queued now starts after whatever the blocked calls left queued.
    let queued = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    rayon::spawn(move || tx.send(queued.elapsed()).unwrap());
    let late = rx.recv().unwrap();
    common::drain_the_pool();
    assert!(buf.iter().all(|&v| v == 1.0));
    if let (Some(before), Some(after)) = (before, after) {
        let grown = after.saturating_sub(before);
        println!(
            "{calls} calls on 64 Ki f32 with the pool blocked: resident set {:.1} -> {:.1} MiB; \
             a job spawned after the release started {late:?} later",
            before as f64 / (1 << 20) as f64,
            after as f64 / (1 << 20) as f64,
        );
        assert!(
            grown < 8 << 20,
            "the resident set grew by {grown} bytes over {calls} calls"
        );
    }
}
