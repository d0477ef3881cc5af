//! In-place throughput of every op on every path, over a ladder of sizes
//! from L1 to DRAM, next to the ceiling of an in-place pass.
//!
//! `cargo bench` reports GB/s: an in-place pass reads and writes every
//! element (8 bytes per f32), a two-slice pass reads two and writes one
//! (12 bytes per f32 for the fused backward and out of place).
//!
//! Filter as usual: `cargo bench -- 'relu/'` or `cargo bench -- '/root/'`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use ndarray::{ArrayViewMut1, Zip};
use relu_kernels::{DEFAULT_ALPHA, Kernels, Level, Threading, par, scalar, simd};

const KI: usize = 1024;
const MI: usize = 1024 * 1024;
/// L1, L2, L3, DRAM, DRAM.
const SIZES: [usize; 5] = [4 * KI, 64 * KI, MI, 16 * MI, 64 * MI];

/// Calls between restores of the input: repeated Leaky ReLU shrinks the
/// negatives by alpha each time, and after about 19 passes they would be
/// subnormal (slow on some CPUs); 8 passes stay far from that.
const CALLS_PER_RESTORE: u64 = 8;

/// Deterministic input: half negative, no zeros, nothing special.
fn input(n: usize) -> Vec<f32> {
    let mut s = 0x2545_f491_4f6c_dd1du64;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 8.0 - 4.0 + 1e-3
        })
        .collect()
}

/// Times `f` on `buf`, restoring `buf` from `init` (untimed) every few calls.
fn timed(iters: u64, init: &[f32], buf: &mut [f32], f: &mut impl FnMut(&mut [f32])) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        buf.copy_from_slice(init);
        let k = CALLS_PER_RESTORE.min(iters - done);
        let t = Instant::now();
        for _ in 0..k {
            f(black_box(&mut *buf));
        }
        total += t.elapsed();
        done += k;
    }
    total
}

/// The paths of one in-place op, each a function of the buffer.
type Path<'a> = (&'a str, Box<dyn FnMut(&mut [f32]) + 'a>);

/// The paths of one two-slice op, each a function of (source, destination).
type PairPath = (&'static str, Box<dyn FnMut(&[f32], &mut [f32])>);

fn kernels(level: Level) -> Option<Kernels> {
    Kernels::new(level, Threading::Serial)
}

/// Every path of the four in-place ops, plus the baselines.
fn inplace_paths(op: &str) -> Vec<Path<'static>> {
    let a = DEFAULT_ALPHA;
    let portable = kernels(Level::Portable).unwrap();
    let mut v: Vec<Path> = Vec::new();
    macro_rules! paths_of {
        ($f:ident $(, $alpha:expr)?) => {{
            v.push(("scalar", Box::new(move |b| scalar::$f(b $(, $alpha)?))));
            v.push(("portable", Box::new(move |b| portable.$f(b $(, $alpha)?))));
            v.push(("simd", Box::new(move |b| simd::$f(b $(, $alpha)?))));
            v.push(("par", Box::new(move |b| par::$f(b $(, $alpha)?))));
            v.push(("root", Box::new(move |b| relu_kernels::$f(b $(, $alpha)?))));
        }};
    }
    match op {
        "relu" => {
            paths_of!(relu_inplace);
            v.push((
                "by-hand",
                Box::new(|b| {
                    for x in b {
                        *x = x.max(0.0);
                    }
                }),
            ));
            v.push((
                "ndarray",
                Box::new(|b| ArrayViewMut1::from(b).mapv_inplace(|x| x.max(0.0))),
            ));
            v.push((
                "ndarray-par",
                Box::new(|b| ArrayViewMut1::from(b).par_mapv_inplace(|x| x.max(0.0))),
            ));
        }
        "leaky_relu" => {
            paths_of!(leaky_relu_inplace, a);
            v.push((
                "ndarray",
                Box::new(move |b| {
                    ArrayViewMut1::from(b).mapv_inplace(|x| if x > 0.0 { x } else { a * x })
                }),
            ));
        }
        "relu_grad" => paths_of!(relu_grad_inplace),
        "leaky_relu_grad" => paths_of!(leaky_relu_grad_inplace, a),
        "ceiling" => {
            let serial = Kernels::serial();
            let parallel = Kernels::parallel();
            v.push((
                "simd",
                Box::new(move |b| serial.touch_inplace(b, black_box(0.0))),
            ));
            v.push((
                "par",
                Box::new(move |b| parallel.touch_inplace(b, black_box(0.0))),
            ));
            v.push((
                "root",
                Box::new(|b| Kernels::auto().touch_inplace(b, black_box(0.0))),
            ));
        }
        _ => unreachable!(),
    }
    v
}

/// Two-slice ops: the fused backward (x, grad) and out of place (src, dst).
fn pair_paths(op: &str) -> Vec<PairPath> {
    let a = DEFAULT_ALPHA;
    let mut v: Vec<PairPath> = Vec::new();
    macro_rules! paths_of {
        ($f:ident $(, $alpha:expr)?) => {{
            v.push(("scalar", Box::new(move |s, d| scalar::$f(s, d $(, $alpha)?))));
            v.push(("simd", Box::new(move |s, d| simd::$f(s, d $(, $alpha)?))));
            v.push(("par", Box::new(move |s, d| par::$f(s, d $(, $alpha)?))));
            v.push(("root", Box::new(move |s, d| relu_kernels::$f(s, d $(, $alpha)?))));
        }};
    }
    match op {
        "relu_backward" => {
            paths_of!(relu_backward_inplace);
            v.push((
                "ndarray",
                Box::new(|x, g| {
                    Zip::from(ArrayViewMut1::from(g))
                        .and(&ndarray::ArrayView1::from(x))
                        .for_each(|g, &x| *g = if x >= 0.0 { *g } else { 0.0 })
                }),
            ));
        }
        "leaky_relu_backward" => paths_of!(leaky_relu_backward_inplace, a),
        "relu_into" => paths_of!(relu_into),
        "leaky_relu_into" => paths_of!(leaky_relu_into, a),
        _ => unreachable!(),
    }
    v
}

fn configure(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
) {
    // Few, flat samples at DRAM sizes keep a full run under ten minutes.
    if n >= 16 * MI {
        group.sampling_mode(SamplingMode::Flat).sample_size(10);
    } else {
        group.sample_size(20);
    }
}

fn bench_inplace(c: &mut Criterion) {
    for op in [
        "ceiling",
        "relu",
        "leaky_relu",
        "relu_grad",
        "leaky_relu_grad",
    ] {
        let mut group = c.benchmark_group(op);
        for n in SIZES {
            configure(&mut group, n);
            group.throughput(Throughput::Bytes(8 * n as u64));
            let init = input(n);
            let mut buf = init.clone();
            for (name, mut f) in inplace_paths(op) {
                group.bench_function(BenchmarkId::new(name, n), |b| {
                    b.iter_custom(|iters| timed(iters, &init, &mut buf, &mut f))
                });
            }
        }
        group.finish();
    }
}

fn bench_misaligned(c: &mut Criterion) {
    // Start one element past an aligned address, so vector stores would
    // straddle cache lines without the aligned head.
    let mut group = c.benchmark_group("relu_misaligned");
    for n in [64 * KI, MI] {
        group.throughput(Throughput::Bytes(8 * n as u64));
        let init = input(n + 1);
        let mut buf = init.clone();
        group.bench_function(BenchmarkId::new("root", n), |b| {
            b.iter_custom(|iters| {
                timed(iters, &init, &mut buf, &mut |b: &mut [f32]| {
                    relu_kernels::relu_inplace(&mut b[1..])
                })
            })
        });
    }
    group.finish();
}

fn bench_pairs(c: &mut Criterion) {
    for op in [
        "relu_backward",
        "leaky_relu_backward",
        "relu_into",
        "leaky_relu_into",
    ] {
        let mut group = c.benchmark_group(op);
        for n in [64 * KI, MI, 64 * MI] {
            configure(&mut group, n);
            group.throughput(Throughput::Bytes(12 * n as u64));
            let src = input(n);
            let init = input(n + 1)[1..].to_vec();
            let mut dst = init.clone();
            for (name, mut f) in pair_paths(op) {
                group.bench_function(BenchmarkId::new(name, n), |b| {
                    b.iter_custom(|iters| {
                        timed(iters, &init, &mut dst, &mut |d: &mut [f32]| f(&src, d))
                    })
                });
            }
        }
        group.finish();
    }
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    // Make this thread one of the pool's workers: a main thread waiting
    // outside the pool would be a third busy thread on a two-core machine.
    rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global()
        .expect("rayon pool");
    bench_inplace(&mut c);
    bench_misaligned(&mut c);
    bench_pairs(&mut c);
    c.final_summary();
}
