//! `nd` against the slice functions on the same memory: what the layout
//! handling costs.
//!
//! ```text
//! cargo run --release --features ndarray --example nd_throughput
//! cargo run --release --features ndarray --example nd_throughput -- --sizes 4Ki,64Ki --reps 51
//! cargo run --release --features ndarray --example nd_throughput -- --only stepped
//! ```
//!
//! Two reports, each timed interleaved (one batch of every case in turn,
//! so that a noisy neighbour slows them alike), medians of per-call times,
//! called from the main thread as programs call the crate:
//! - `contiguous`: a C-order array and its transpose (Fortran-contiguous)
//!   through `nd`, against the root slice function on the same memory, at
//!   the throughput report's sizes, for `relu`, `leaky_relu` and
//!   `relu_into`. The target: within 5%, or 30 ns per call if that is more.
//! - `stepped`: `leaky_relu_inplace` on `a.slice_mut(s![..;2, ..])` of a
//!   4096 x 8192 C-order `f32` array, against the slice function over a
//!   buffer of the same element count (16 Mi). The target: within 15%.
//!
//! Leaky ReLU's inputs are restored (untimed) every 8 calls, as in the
//! throughput report, so that repeated scaling never reaches subnormals.

use std::hint::black_box;
use std::process::exit;
use std::time::Instant;

use ndarray::{Array2, ArrayViewMut2, s};
use relu_kernels::nd;

#[path = "../benches/support/sizes.rs"]
mod sizes;
use sizes::{KI, MI, parse_size, size_name};

struct Options {
    sizes: Vec<usize>,
    reps: Option<usize>,
    only: Option<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        sizes: vec![4 * KI, 64 * KI, MI, 16 * MI, 64 * MI],
        reps: None,
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--sizes" => {
                o.sizes = value()?
                    .split(',')
                    .map(|s| parse_size(s).ok_or(format!("bad size {s:?}")))
                    .collect::<Result<_, _>>()?
            }
            "--reps" => o.reps = Some(value()?.parse().map_err(|e| format!("--reps: {e}"))?),
            "--only" => o.only = Some(value()?),
            _ => {
                return Err(format!(
                    "unknown argument {a:?}\nusage: nd_throughput [--sizes N,..] [--reps N] [--only contiguous|stepped]"
                ));
            }
        }
    }
    Ok(o)
}

/// Deterministic values in [-4, 4), half negative, nothing special.
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 8.0 - 4.0 + 1e-3
        })
        .collect()
}

/// One timed case: `run` makes `calls` calls; `restore` (untimed) puts the
/// inputs back before each batch.
struct Case<'a> {
    name: &'static str,
    run: Box<dyn FnMut(u64) + 'a>,
    restore: Box<dyn FnMut() + 'a>,
    per_call: Vec<f64>,
}

/// Times every case `reps` times, interleaved, in batches of at most
/// `max_batch` calls sized to about 2 ms; returns the median seconds per
/// call of each.
fn measure(cases: &mut [Case<'_>], reps: usize, max_batch: u64) -> Vec<f64> {
    let mut batch = vec![1u64; cases.len()];
    for (c, b) in cases.iter_mut().zip(&mut batch) {
        (c.restore)();
        let t = Instant::now();
        (c.run)(2);
        let once = t.elapsed().as_secs_f64() / 2.0;
        *b = ((2e-3 / once.max(1e-9)) as u64).clamp(1, max_batch);
    }
    for rep in 0..reps {
        // Each round starts with the next case, so that none always runs
        // right after the same other one.
        for k in 0..cases.len() {
            let i = (rep + k) % cases.len();
            let (c, b) = (&mut cases[i], batch[i]);
            (c.restore)();
            let t = Instant::now();
            (c.run)(b);
            c.per_call.push(t.elapsed().as_secs_f64() / b as f64);
        }
    }
    cases
        .iter_mut()
        .map(|c| {
            c.per_call.sort_by(f64::total_cmp);
            c.per_call[c.per_call.len() / 2]
        })
        .collect()
}

fn default_reps(n: usize) -> usize {
    match n {
        n if n <= 64 * KI => 101,
        n if n <= MI => 61,
        n if n <= 16 * MI => 31,
        _ => 21,
    }
}

/// 2-D shape of `n` elements: rows of 1 Ki (fewer for small `n`).
fn shape(n: usize) -> (usize, usize) {
    let cols = n.min(KI);
    (n / cols, cols)
}

fn verdict(slice: f64, nd: f64, pct: f64, ns: f64) -> &'static str {
    if nd <= slice * (1.0 + pct / 100.0) || nd - slice <= ns * 1e-9 {
        "yes"
    } else {
        "NO"
    }
}

fn contiguous(o: &Options) {
    println!("contiguous: nd on a C-order array and on its transpose vs the root slice function");
    println!(
        "op          size   slice ns/call   nd-C ns/call  ratio  within   nd-T ns/call  ratio  within"
    );
    for op in ["relu", "leaky_relu", "relu_into"] {
        for &n in &o.sizes {
            let reps = o.reps.unwrap_or(default_reps(n));
            let (rows, cols) = shape(n);
            let init = Array2::from_shape_vec((rows, cols), values(n, 7)).unwrap();
            let mut a = init.clone();
            let mut dst = Array2::<f32>::zeros((rows, cols));
            // One buffer for every case, so that memory placement is alike.
            let a = &std::cell::RefCell::new(&mut a);
            let dst = &std::cell::RefCell::new(&mut dst);
            let restore = || {
                if op == "leaky_relu" {
                    a.borrow_mut().assign(&init)
                }
            };
            let alpha = black_box(0.01f32);
            let slice_case = Case {
                name: "slice",
                run: Box::new(|calls| {
                    let mut a = a.borrow_mut();
                    let mut d = dst.borrow_mut();
                    let buf = a.as_slice_memory_order_mut().unwrap();
                    let out = d.as_slice_memory_order_mut().unwrap();
                    for _ in 0..calls {
                        match op {
                            "relu" => relu_kernels::relu_inplace(black_box(&mut *buf)),
                            "leaky_relu" => {
                                relu_kernels::leaky_relu_inplace(black_box(&mut *buf), alpha)
                            }
                            _ => relu_kernels::relu_into(black_box(&*buf), black_box(&mut *out)),
                        }
                    }
                }),
                restore: Box::new(restore),
                per_call: Vec::new(),
            };
            let nd_case = |name, transpose: bool| Case {
                name,
                run: Box::new(move |calls| {
                    let mut a = a.borrow_mut();
                    let mut d = dst.borrow_mut();
                    let (mut av, mut dv): (ArrayViewMut2<f32>, ArrayViewMut2<f32>) = if transpose {
                        (a.view_mut().reversed_axes(), d.view_mut().reversed_axes())
                    } else {
                        (a.view_mut(), d.view_mut())
                    };
                    for _ in 0..calls {
                        match op {
                            "relu" => nd::relu_inplace(black_box(&mut av)),
                            "leaky_relu" => nd::leaky_relu_inplace(black_box(&mut av), alpha),
                            _ => nd::relu_into(black_box(&av), black_box(&mut dv)),
                        }
                    }
                }),
                restore: Box::new(restore),
                per_call: Vec::new(),
            };
            let mut cases = [slice_case, nd_case("nd-C", false), nd_case("nd-T", true)];
            let max_batch = if op == "leaky_relu" { 8 } else { 1 << 14 };
            let t = measure(&mut cases, reps, max_batch);
            debug_assert_eq!(cases[1].name, "nd-C");
            println!(
                "{op:<11} {:>5} {:>14.1} {:>14.1} {:>6.3} {:>6} {:>14.1} {:>6.3} {:>6}",
                size_name(n),
                t[0] * 1e9,
                t[1] * 1e9,
                t[1] / t[0],
                verdict(t[0], t[1], 5.0, 30.0),
                t[2] * 1e9,
                t[2] / t[0],
                verdict(t[0], t[2], 5.0, 30.0),
            );
        }
    }
}

fn stepped(o: &Options) {
    let (rows, cols) = (4096, 8192);
    let n = rows / 2 * cols;
    let reps = o.reps.unwrap_or(31);
    println!(
        "\nstepped: nd::leaky_relu_inplace on s![..;2, ..] of a {rows} x {cols} C-order f32 array \
         vs the slice function over {} elements ({reps} timings)",
        size_name(n)
    );
    let init = Array2::from_shape_vec((rows, cols), values(rows * cols, 9)).unwrap();
    let mut parent = init.clone();
    let flat_init = values(n, 9);
    let flat = std::cell::RefCell::new(flat_init.clone());
    let alpha = black_box(0.01f32);
    let parent = std::cell::RefCell::new(&mut parent);
    let mut cases = [
        Case {
            name: "slice",
            run: Box::new(|calls| {
                let mut flat = flat.borrow_mut();
                for _ in 0..calls {
                    relu_kernels::leaky_relu_inplace(black_box(&mut flat[..]), alpha);
                }
            }),
            restore: Box::new(|| flat.borrow_mut().copy_from_slice(&flat_init)),
            per_call: Vec::new(),
        },
        Case {
            name: "nd",
            run: Box::new(|calls| {
                let mut p = parent.borrow_mut();
                let mut v = p.slice_mut(s![..;2, ..]);
                for _ in 0..calls {
                    nd::leaky_relu_inplace(black_box(&mut v), alpha);
                }
            }),
            restore: Box::new(|| {
                parent
                    .borrow_mut()
                    .slice_mut(s![..;2, ..])
                    .assign(&init.slice(s![..;2, ..]))
            }),
            per_call: Vec::new(),
        },
    ];
    let t = measure(&mut cases, reps, 8);
    println!(
        "slice {:.3} ms/call ({:.2} G elem/s), nd {:.3} ms/call ({:.2} G elem/s): ratio {:.3}, within 15%: {}",
        t[0] * 1e3,
        n as f64 / t[0] / 1e9,
        t[1] * 1e3,
        n as f64 / t[1] / 1e9,
        t[1] / t[0],
        verdict(t[0], t[1], 15.0, 0.0)
    );
}

fn main() {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            exit(2);
        }
    };
    println!(
        "relu-kernels nd report: level {}, {} rayon threads, called from the main thread",
        relu_kernels::Level::active(),
        rayon::current_num_threads()
    );
    if o.only.as_deref() != Some("stepped") {
        contiguous(&o);
    }
    if o.only.as_deref() != Some("contiguous") {
        stepped(&o);
    }
}
