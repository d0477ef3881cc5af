//! Throughput of every op on every path, over a ladder of sizes from L1 to
//! DRAM, next to the ceiling of an in-place pass and the ecosystem's
//! alternatives (a hand-written loop, `ndarray`).
//!
//! Criterion reports GB/s: an in-place pass reads and writes every element
//! (8 bytes per f32, 4 per f16 or bf16), a two-slice pass reads two and
//! writes one (12 bytes per f32).
//! Filter as usual: `cargo bench -- '^relu/'` or `cargo bench -- '/root/'`.
//!
//! The crate is called from the main thread, outside rayon's pool, as
//! programs call it. `RELU_BENCH_IN_POOL=1 cargo bench` makes the main
//! thread a worker of the pool instead (criterion owns the command line, so
//! this choice is an environment variable here and `--in-pool` in the
//! report).

mod support;

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use ndarray::{ArrayView1, ArrayViewMut1, Zip};
use relu_kernels::half::{bf16, f16};
use support::*;

/// The ecosystem's ways of doing the in-place op `op` on `f32`.
fn baselines(op: &str) -> Vec<InPlace<f32>> {
    let a = 0.01f32;
    match op {
        "relu" => vec![
            (
                "by-hand",
                Box::new(|b: &mut [f32]| {
                    for v in b {
                        *v = v.max(0.0)
                    }
                }),
            ),
            (
                "ndarray",
                Box::new(|b| ArrayViewMut1::from(b).mapv_inplace(|x| x.max(0.0))),
            ),
            (
                "ndarray-par",
                Box::new(|b| ArrayViewMut1::from(b).par_mapv_inplace(|x| x.max(0.0))),
            ),
        ],
        "leaky_relu" => vec![(
            "by-hand",
            Box::new(move |b: &mut [f32]| {
                for v in b {
                    *v = if *v > 0.0 { *v } else { a * *v }
                }
            }),
        )],
        _ => Vec::new(),
    }
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>, n: usize) {
    // Few, flat samples at DRAM sizes keep a full run near ten minutes.
    if n >= 16 * MI {
        group.sampling_mode(SamplingMode::Flat).sample_size(10);
    } else {
        group.sampling_mode(SamplingMode::Auto).sample_size(15);
    }
}

fn bench_inplace(c: &mut Criterion) {
    for op in std::iter::once("ceiling").chain(ops()) {
        let mut group = c.benchmark_group(op);
        for n in SIZES {
            configure(&mut group, n);
            group.throughput(Throughput::Bytes(8 * n as u64));
            let init = input::<f32>(n);
            let mut buf = init.clone();
            let paths = if op == "ceiling" {
                ceiling_paths()
            } else {
                // At DRAM sizes the portable kernel only shows the memory
                // bound again; leaving it out keeps the run short.
                inplace_paths(op)
                    .into_iter()
                    .filter(|p| n < 16 * MI || p.0 != "portable")
                    .chain(baselines(op))
                    .collect()
            };
            for (name, mut f) in paths {
                group.bench_function(BenchmarkId::new(name, n), |b| {
                    b.iter_custom(|iters| timed(iters, &init, &mut buf, needs_restore(op), &mut f))
                });
            }
        }
        group.finish();
    }
}

/// The in-place ops on a 16-bit type, in groups named `op_f16` or
/// `op_bf16`: the dispatched, parallel and root paths (and the portable
/// kernel in cache) next to the ceiling of the same element size.
fn bench_inplace_16<T: Float>(c: &mut Criterion) {
    for op in std::iter::once("ceiling").chain(ops()) {
        let mut group = c.benchmark_group(format!("{op}_{}", T::NAME));
        for n in [4 * KI, 256 * KI, 16 * MI, 64 * MI] {
            configure(&mut group, n);
            group.throughput(Throughput::Bytes(4 * n as u64));
            let init = input::<T>(n);
            let mut buf = init.clone();
            let paths = if op == "ceiling" {
                ceiling_paths()
            } else {
                inplace_paths(op)
                    .into_iter()
                    .filter(|p| p.0 != "scalar" && (n < 16 * MI || p.0 != "portable"))
                    .collect()
            };
            for (name, mut f) in paths {
                group.bench_function(BenchmarkId::new(name, n), |b| {
                    b.iter_custom(|iters| timed(iters, &init, &mut buf, needs_restore(op), &mut f))
                });
            }
        }
        group.finish();
    }
}

fn bench_misaligned(c: &mut Criterion) {
    // One element past a 64-byte boundary: without the kernels' aligned
    // head, every other vector store would straddle two cache lines.
    let mut group = c.benchmark_group("relu_misaligned");
    for n in [4 * KI, 64 * KI, MI] {
        group.throughput(Throughput::Bytes(8 * n as u64));
        let init = input::<f32>(n + 16);
        let mut buf = init.clone();
        let base = buf.as_ptr().align_offset(64);
        for (name, skip) in [("aligned", base), ("misaligned", base + 1)] {
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter_custom(|iters| {
                    timed(iters, &init, &mut buf, false, &mut |b: &mut [f32]| {
                        relu_kernels::relu_inplace(&mut b[skip..skip + n])
                    })
                })
            });
        }
    }
    group.finish();
}

fn bench_pairs(c: &mut Criterion) {
    for op in pair_ops() {
        let mut group = c.benchmark_group(op);
        for n in [64 * KI, MI, 64 * MI] {
            configure(&mut group, n);
            group.throughput(Throughput::Bytes(12 * n as u64));
            let src = source::<f32>(n);
            let init = input::<f32>(n);
            let mut dst = init.clone();
            // The scalar loop is in the report; here it would only add time.
            let mut paths: Vec<Pair<f32>> = pair_paths(op)
                .into_iter()
                .filter(|p| p.0 != "scalar")
                .collect();
            if op == "relu_backward" {
                paths.push((
                    "ndarray",
                    Box::new(|x, g| {
                        Zip::from(ArrayViewMut1::from(g))
                            .and(&ArrayView1::from(x))
                            .for_each(|g, &x| *g = if x >= 0.0 { *g } else { 0.0 })
                    }),
                ));
            }
            for (name, mut f) in paths {
                group.bench_function(BenchmarkId::new(name, n), |b| {
                    b.iter_custom(|iters| {
                        let restore = needs_restore(op);
                        timed(iters, &init, &mut dst, restore, &mut |d: &mut [f32]| {
                            f(&src, d)
                        })
                    })
                });
            }
        }
        group.finish();
    }
}

fn main() {
    let mut c = Criterion::default()
        // Short runs and 20 000 bootstrap resamples (criterion's default
        // of 100 000 tripled the run) keep the full ladder of about 170
        // benchmarks near four minutes on a 2-core machine.
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(700))
        .nresamples(20_000)
        .configure_from_args();
    let caller = if std::env::var_os("RELU_BENCH_IN_POOL").is_some_and(|v| v == "1") {
        Caller::InPool
    } else {
        Caller::Main
    };
    caller.set_up();
    println!("Caller: {}", caller.label());
    bench_inplace(&mut c);
    bench_inplace_16::<f16>(&mut c);
    bench_inplace_16::<bf16>(&mut c);
    bench_misaligned(&mut c);
    bench_pairs(&mut c);
    c.final_summary();
}
