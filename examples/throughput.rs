//! The throughput report: G elem/s and GB/s of every op at every size on
//! every path, each as a percentage of the in-place ceiling at that size.
//!
//! ```text
//! cargo run --release --example throughput                 # the table, ~20 s
//! cargo run --release --example throughput -- --csv        # machine-readable rows
//! cargo run --release --example throughput -- --ops relu,relu_backward \
//!     --sizes 4Ki,1Mi --reps 9 --paths simd,root
//! cargo run --release --example throughput -- --in-pool   # from a pool worker
//! ```
//!
//! The crate is called from the main thread, outside rayon's pool, as
//! programs call it; `--in-pool` makes the main thread one of the pool's
//! workers instead, the case of code that already runs inside a pool.
//!
//! Each figure is the median over `--reps` timings of a batch of calls on a
//! buffer that stays put (restored from the input, untimed, every 8 calls).
//! The ceiling is the faster of `ceiling-1t` and `ceiling-par`: the cheapest
//! in-place pass (load, XOR with a hidden zero, store) through the same
//! driver. Two-slice ops move 12 bytes per element instead of 8, so their
//! percentage of the in-place ceiling is of elements, not bytes.

#[path = "../benches/support/mod.rs"]
mod support;

use std::process::exit;

use relu_kernels::{Level, PARALLEL_THRESHOLD_BYTES};
use support::*;

struct Options {
    csv: bool,
    caller: Caller,
    gap: std::time::Duration,
    ops: Vec<String>,
    sizes: Vec<usize>,
    reps: usize,
    paths: Option<Vec<String>>,
}

const USAGE: &str =
    "usage: throughput [--csv] [--in-pool] [--gap US] [--ops OP,..] [--sizes N,..] [--reps N]
                  [--paths P,..]
  --ops    relu, leaky_relu, relu_grad, leaky_relu_grad (default: these four),
           relu_backward, leaky_relu_backward, relu_into, leaky_relu_into
  --sizes  element counts, with Ki/Mi suffixes (default: 4Ki,64Ki,1Mi,16Mi,64Mi)
  --reps   timings per figure, the median is reported (default: 5)
  --paths  scalar, portable, simd, par, root (default: all; the ceiling is always run)
  --csv    one comma-separated row per figure instead of the table
  --in-pool  call from a worker of rayon's pool (default: from the main thread,
           outside the pool, as programs call the crate)
  --gap    time each call after US microseconds of busy work on the calling thread
           (default 0: calls back to back)";

fn parse_size(s: &str) -> Option<usize> {
    let (num, mult) = if let Some(n) = s.strip_suffix("Mi") {
        (n, MI)
    } else if let Some(n) = s.strip_suffix("Ki") {
        (n, KI)
    } else {
        (s, 1)
    };
    num.parse::<usize>()
        .ok()
        .filter(|&n| n > 0)
        .map(|n| n * mult)
}

fn size_name(n: usize) -> String {
    if n.is_multiple_of(MI) {
        format!("{}Mi", n / MI)
    } else if n.is_multiple_of(KI) {
        format!("{}Ki", n / KI)
    } else {
        n.to_string()
    }
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        csv: false,
        caller: Caller::Main,
        gap: std::time::Duration::ZERO,
        ops: OPS.iter().map(|s| s.to_string()).collect(),
        sizes: SIZES.to_vec(),
        reps: 5,
        paths: None,
    };
    let mut args = std::env::args().skip(1);
    let list = |v: Option<String>, flag: &str| -> Result<Vec<String>, String> {
        let v = v.ok_or(format!("{flag} needs a value"))?;
        Ok(v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect())
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--csv" => o.csv = true,
            "--in-pool" => o.caller = Caller::InPool,
            "--gap" => {
                let us: u64 = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--gap needs a number of microseconds")?;
                o.gap = std::time::Duration::from_micros(us);
            }
            "--ops" => {
                o.ops = list(args.next(), "--ops")?;
                for op in &o.ops {
                    if !OPS.contains(&op.as_str()) && !PAIR_OPS.contains(&op.as_str()) {
                        return Err(format!("unknown op {op:?}"));
                    }
                }
            }
            "--sizes" => {
                o.sizes = list(args.next(), "--sizes")?
                    .iter()
                    .map(|s| parse_size(s).ok_or(format!("bad size {s:?}")))
                    .collect::<Result<_, _>>()?
            }
            "--reps" => {
                o.reps = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&r| r > 0)
                    .ok_or("--reps needs a positive number")?
            }
            "--paths" => o.paths = Some(list(args.next(), "--paths")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                exit(0)
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(o)
}

/// One figure of the report: an op on a path, and its timings so far.
struct Case {
    op: String,
    path: &'static str,
    bytes_per_elem: usize,
    restore: bool,
    f: InPlaceFn,
    batch: u64,
    per_call: Vec<f64>,
}

/// Times every case `reps` times, interleaved (one batch of each case in
/// turn) so that a noisy neighbour slows all cases alike, and returns the
/// median seconds per call of each.
fn measure(
    cases: &mut [Case],
    reps: usize,
    gap: std::time::Duration,
    init: &[f32],
    buf: &mut [f32],
) -> Vec<f64> {
    let run = |c: &mut Case, iters, buf: &mut [f32]| {
        if gap.is_zero() {
            timed(iters, init, buf, c.restore, &mut c.f)
        } else {
            timed_after_gap(iters, init, buf, c.restore, gap, &mut c.f)
        }
    };
    for c in cases.iter_mut() {
        // Warm up (page in, wake threads) and size a batch to about 2 ms of
        // calls (at most 64 calls after gaps).
        let once = run(c, 2, buf).as_secs_f64() / 2.0;
        let max = if gap.is_zero() { 1 << 16 } else { 64 };
        c.batch = ((2e-3 / once.max(1e-9)) as u64).clamp(1, max);
    }
    for _ in 0..reps {
        for c in cases.iter_mut() {
            let t = run(c, c.batch, buf).as_secs_f64();
            c.per_call.push(t / c.batch as f64);
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

struct Row {
    op: String,
    n: usize,
    path: &'static str,
    secs: f64,
    bytes_per_elem: usize,
    ceiling_secs: f64,
}

impl Row {
    fn gelem(&self) -> f64 {
        self.n as f64 / self.secs / 1e9
    }
    fn gbytes(&self) -> f64 {
        self.gelem() * self.bytes_per_elem as f64
    }
    fn pct(&self) -> f64 {
        100.0 * self.ceiling_secs / self.secs
    }
}

fn main() {
    let o = parse_args().unwrap_or_else(|e| {
        eprintln!("throughput: {e}\n{USAGE}");
        exit(2)
    });
    o.caller.set_up();
    let threads = rayon::current_num_threads();
    let wanted = |path: &str| o.paths.as_ref().is_none_or(|p| p.iter().any(|q| q == path));

    if o.csv {
        println!(
            "op,size,path,elements,ns_per_call,gelem_per_s,gb_per_s,pct_of_ceiling,level,threads,caller,gap_us"
        );
    } else {
        println!(
            "relu-kernels throughput report (f32, median of {} timings)",
            o.reps
        );
        println!(
            "CPU level: {} (detected {}; compiled with AVX2: {}); rayon threads: {threads}; \
             parallel threshold: {} KiB",
            Level::active(),
            Level::detected(),
            cfg!(target_feature = "avx2"),
            PARALLEL_THRESHOLD_BYTES / 1024
        );
        println!("Caller: {}", o.caller.label());
        if o.gap.is_zero() {
            println!("Calls: back to back");
        } else {
            println!(
                "Calls: each after {} µs of busy work on the calling thread",
                o.gap.as_micros()
            );
        }
        println!();
        println!(
            "{:<20} {:>5}  {:<12} {:>9} {:>8} {:>10}",
            "op", "size", "path", "G elem/s", "GB/s", "% ceiling"
        );
    }
    let print = |r: &Row| {
        if o.csv {
            println!(
                "{},{},{},{},{:.1},{:.3},{:.2},{:.1},{},{threads},{},{}",
                r.op,
                size_name(r.n),
                r.path,
                r.n,
                r.secs * 1e9,
                r.gelem(),
                r.gbytes(),
                r.pct(),
                Level::active(),
                o.caller.name(),
                o.gap.as_micros()
            );
        } else {
            println!(
                "{:<20} {:>5}  {:<12} {:>9.2} {:>8.1} {:>9.0}%",
                r.op,
                size_name(r.n),
                r.path,
                r.gelem(),
                r.gbytes(),
                r.pct()
            );
        }
    };

    for &n in &o.sizes {
        let init = input(n);
        let mut buf = init.clone();
        let src = std::rc::Rc::new(init.iter().map(|x| x * 0.5 + 1.0).collect::<Vec<f32>>());
        let case = |op: &str, path, bytes_per_elem, f| Case {
            op: op.to_string(),
            path,
            bytes_per_elem,
            restore: needs_restore(op),
            f,
            batch: 1,
            per_call: Vec::new(),
        };
        let mut cases: Vec<Case> = ceiling_paths()
            .into_iter()
            .map(|(path, f)| case("ceiling", path, 8, f))
            .collect();
        for op in &o.ops {
            if OPS.contains(&op.as_str()) {
                for (path, f) in inplace_paths(op).into_iter().filter(|p| wanted(p.0)) {
                    cases.push(case(op, path, 8, f));
                }
            } else {
                for (path, mut f) in pair_paths(op).into_iter().filter(|p| wanted(p.0)) {
                    let src = src.clone();
                    cases.push(case(op, path, 12, Box::new(move |d| f(&src, d))));
                }
            }
        }
        let secs = measure(&mut cases, o.reps, o.gap, &init, &mut buf);
        let ceiling_secs = cases
            .iter()
            .zip(&secs)
            .filter(|(c, _)| c.op == "ceiling")
            .map(|(_, &s)| s)
            .fold(f64::INFINITY, f64::min);
        for (c, &secs) in cases.iter().zip(&secs) {
            let (op, path, bytes_per_elem) = (c.op.clone(), c.path, c.bytes_per_elem);
            print(&Row {
                op,
                n,
                path,
                secs,
                bytes_per_elem,
                ceiling_secs,
            });
        }
        if !o.csv {
            println!();
        }
    }
}
