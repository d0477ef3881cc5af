//! The per-channel ops against what they replace: each fused pass beside
//! the two passes a caller would otherwise make, and beside the cheapest
//! pass over the same bytes, at every size, for the two usual layouts.
//!
//! ```text
//! cargo run --release --example channel_throughput
//! cargo run --release --example channel_throughput -- --sizes 4Ki,16Mi --reps 9 --dtype f64
//! ```
//!
//! Layouts: `dense` is a dense layer's `[batch, 1024]` output
//! (`channels = 1024, inner = 1`); `nchw` is `[N, 64, 56, 56]`
//! (`channels = 64, inner = 3136`), with `inner` shrunk to `size / 64`
//! below one image. Each figure is the median over `--reps` timings of a
//! batch of calls from the main thread, the variants of a row interleaved
//! within each repetition; G elem/s.
//!
//! - `bias_relu` is `channels::bias_relu_inplace`; `unfused` adds the bias
//!   in a plain loop over rows (split with rayon's `par_chunks_mut` from
//!   1 Mi elements, below which waking the pool costs more than the add),
//!   then calls `relu_inplace`; `prelu` is `channels::prelu_inplace`;
//!   `touch` is the in-place ceiling (load, XOR a hidden zero, store),
//!   through the root function's driver; `touch-1t` the same on one thread
//!   (the ceiling for `simd::channels`, `bias_relu-1t`).
//! - `bias_grad` is `channels::relu_backward_from_output_bias`; `unfused`
//!   calls `relu_backward_from_output_inplace`, then sums each channel's
//!   gradient in the element type (a loop over rows, which LLVM vectorizes);
//!   `pair` is the two-slice ceiling. Both passes are idempotent on their
//!   buffer (a gradient cleared stays cleared), so no call restores it.

#[path = "../benches/support/sizes.rs"]
mod sizes;

use std::hint::black_box;
use std::time::Instant;

use rayon::prelude::*;
use relu_kernels::{Element, Kernels, channels, simd};
use sizes::{MI, parse_size, size_name};

type Variant<'a> = (&'static str, Box<dyn FnMut() + 'a>);

/// The element types the report runs: `f32` and `f64`, with what the
/// unfused variants need (an addition and a sum in the type).
trait Float: Element + std::ops::AddAssign + std::iter::Sum<Self> {
    const NAME: &'static str;
    fn of(x: f64) -> Self;
    fn relu(self) -> Self;
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    fn of(x: f64) -> Self {
        x as f32
    }
    fn relu(self) -> Self {
        self.max(0.0)
    }
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    fn of(x: f64) -> Self {
        x
    }
    fn relu(self) -> Self {
        self.max(0.0)
    }
}

/// The median seconds per call of each variant, interleaved.
fn measure(variants: &mut [Variant<'_>], reps: usize, elems: usize) -> Vec<f64> {
    let calls = (64 * MI / elems.max(1)).clamp(2, 4096);
    let mut times = vec![Vec::new(); variants.len()];
    for _ in 0..reps {
        for (k, (_, f)) in variants.iter_mut().enumerate() {
            f();
            let t = Instant::now();
            for _ in 0..calls {
                f();
            }
            times[k].push(t.elapsed().as_secs_f64() / calls as f64);
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect()
}

fn row(layout: &str, size: usize, names: &[&str], secs: &[f64]) {
    let rates: Vec<String> = names
        .iter()
        .zip(secs)
        .map(|(n, s)| format!("{n} {:7.2}", size as f64 / s / 1e9))
        .collect();
    println!("{layout:5} {:>5}  {}", size_name(size), rates.join("  "));
}

fn main() {
    let mut sizes: Vec<usize> = [4 * 1024, 64 * 1024, MI, 4 * MI, 16 * MI, 64 * MI].to_vec();
    let mut reps = 5;
    let mut dtype = "f32".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sizes" => {
                sizes = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|s| parse_size(s).expect("a size such as 4Ki or 16Mi"))
                    .collect()
            }
            "--reps" => reps = args.next().and_then(|r| r.parse().ok()).expect("a count"),
            "--dtype" => dtype = args.next().unwrap_or_default(),
            _ => {
                eprintln!("usage: channel_throughput [--sizes N,..] [--reps N] [--dtype f32|f64]");
                std::process::exit(2);
            }
        }
    }
    match dtype.as_str() {
        "f32" => report::<f32>(&sizes, reps),
        "f64" => report::<f64>(&sizes, reps),
        _ => {
            eprintln!("channel_throughput: --dtype is f32 or f64, not {dtype:?}");
            std::process::exit(2);
        }
    }
}

fn report<T: Float>(sizes: &[usize], reps: usize) {
    let serial = Kernels::serial();
    let auto = Kernels::auto();
    println!(
        "G elem/s, {}, median of {reps}; from the main thread",
        T::NAME
    );
    for &size in sizes {
        for (layout, channels, inner) in [("dense", 1024, 1), ("nchw", 64, 3136.min(size / 64))] {
            let period = channels * inner;
            let n = size / period * period;
            let bias: Vec<T> = (0..channels)
                .map(|c| T::of((c % 7) as f64 * 0.01 - 0.03))
                .collect();
            let x: Vec<T> = (0..n)
                .map(|i| T::of(((i * 7919) % 2001) as f64 / 1000.0 - 1.0))
                .collect();
            let (mut a, mut b, mut c, mut d, mut e) =
                (x.clone(), x.clone(), x.clone(), x.clone(), x.clone());
            let mut f = x.clone();
            let mut variants: Vec<Variant> = vec![
                (
                    "bias_relu",
                    Box::new(|| channels::bias_relu_inplace(&mut a, &bias, inner)),
                ),
                (
                    "unfused",
                    Box::new(|| {
                        // A row of channels-last data against the bias
                        // row; an NCHW image run by run.
                        let add = |r: &mut [T]| {
                            if inner == 1 {
                                r.iter_mut().zip(&bias).for_each(|(v, b)| *v += *b);
                            } else {
                                for (run, b) in r.chunks_exact_mut(inner).zip(&bias) {
                                    run.iter_mut().for_each(|v| *v += *b);
                                }
                            }
                        };
                        if n >= MI {
                            b.par_chunks_mut(period).for_each(add);
                        } else {
                            b.chunks_exact_mut(period).for_each(add);
                        }
                        relu_kernels::relu_inplace(&mut b);
                    }),
                ),
                (
                    "prelu",
                    Box::new(|| channels::prelu_inplace(&mut c, &bias, inner)),
                ),
                (
                    "touch",
                    Box::new(|| auto.touch_inplace(&mut d, black_box(T::of(0.0)))),
                ),
                (
                    "bias_relu-1t",
                    Box::new(|| simd::channels::bias_relu_inplace(&mut e, &bias, inner)),
                ),
            ];
            variants.push((
                "touch-1t",
                Box::new(|| serial.touch_inplace(&mut f, black_box(T::of(0.0)))),
            ));
            let names: Vec<&str> = variants.iter().map(|v| v.0).collect();
            let secs = measure(&mut variants, reps, n);
            drop(variants);
            row(layout, n, &names, &secs);

            let y: Vec<T> = x.iter().map(|v| v.relu()).collect();
            let dy: Vec<T> = (0..n)
                .map(|i| T::of(((i * 31) % 17) as f64 * 0.1 - 0.8))
                .collect();
            let (mut g1, mut g2, mut g3) = (dy.clone(), dy.clone(), dy.clone());
            let (mut s1, mut s2) = (vec![T::of(0.0); channels], vec![T::of(0.0); channels]);
            let mut variants: Vec<Variant> = vec![
                (
                    "bias_grad",
                    Box::new(|| {
                        channels::relu_backward_from_output_bias(&y, &mut g1, inner, &mut s1)
                    }),
                ),
                (
                    "unfused",
                    Box::new(|| {
                        relu_kernels::relu_backward_from_output_inplace(&y, &mut g2);
                        s2.fill(T::of(0.0));
                        for r in g2.chunks_exact(period) {
                            if inner == 1 {
                                s2.iter_mut().zip(r).for_each(|(s, v)| *s += *v);
                            } else {
                                for (s, run) in s2.iter_mut().zip(r.chunks_exact(inner)) {
                                    *s += run.iter().copied().sum::<T>();
                                }
                            }
                        }
                        black_box(&s2);
                    }),
                ),
                (
                    "pair",
                    Box::new(|| auto.touch_pair(&y, &mut g3, black_box(T::of(0.0)))),
                ),
            ];
            let names: Vec<&str> = variants.iter().map(|v| v.0).collect();
            let secs = measure(&mut variants, reps, n);
            row(layout, n, &names, &secs);
        }
    }
}
