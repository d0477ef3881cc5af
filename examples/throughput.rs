//! The throughput report: G elem/s and GB/s of every op at every size on
//! every path, each as a percentage of the in-place ceiling at that size.
//!
//! ```text
//! cargo run --release --example throughput                 # the table, ~20 s
//! cargo run --release --example throughput -- --csv        # machine-readable rows
//! cargo run --release --example throughput -- --ops relu,relu_backward \
//!     --sizes 4Ki,1Mi --reps 9 --paths simd,root
//! cargo run --release --example throughput -- --in-pool   # from a pool worker
//! cargo run --release --example throughput -- --dtype f16,bf16,f32
//! cargo run --release --example throughput -- --svg throughput.svg  # and a chart
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
//! driver, on the same element type. The two-slice ops are measured against
//! the two-slice ceiling (`ceiling_pair`, run when the report has one):
//! load `x` and `grad`, XOR `grad` with `x` and a hidden zero, store. The
//! `_into` backward passes, which also write a third slice, are measured
//! against it too, so their percentage understates them.

#[path = "../benches/support/mod.rs"]
mod support;

use std::process::exit;

use relu_kernels::{Level, PARALLEL_THRESHOLD_BYTES};
use support::sizes::{parse_size, size_name};
use support::*;

struct Options {
    csv: bool,
    dtypes: Vec<String>,
    caller: Caller,
    gap: std::time::Duration,
    busy_thread: bool,
    ops: Vec<String>,
    sizes: Vec<usize>,
    reps: usize,
    paths: Option<Vec<String>>,
    svg: Option<String>,
}

const USAGE: &str =
    "usage: throughput [--csv] [--in-pool] [--gap US] [--busy-thread] [--dtype T,..] [--ops OP,..]
                  [--sizes N,..] [--reps N] [--paths P,..] [--svg FILE]
  --dtype  f32, f64, f16, bf16 (default: f32)
  --ops    relu, leaky_relu, relu_grad, leaky_relu_grad, clamp, relu6 (default: these six),
           relu_backward, leaky_relu_backward, relu_backward_from_output, clamp_backward,
           and every `_into` form: relu_into, leaky_relu_into, relu_backward_into, ...
  --sizes  element counts, with Ki/Mi suffixes (default: 4Ki,64Ki,1Mi,16Mi,64Mi)
  --reps   timings per figure, the median is reported (default: 5)
  --paths  scalar, portable, simd, par, root (default: all; the ceiling is always run)
  --csv    one comma-separated row per figure instead of the table
  --svg    also write a chart to FILE: G elem/s against size, a panel per dtype and op,
           a line per path, the ceilings dashed
  --in-pool  call from a worker of rayon's pool (default: from the main thread,
           outside the pool, as programs call the crate)
  --gap    time each call after US microseconds of busy work on the calling thread
           (default 0: calls back to back)
  --busy-thread  another thread of the process spins all along, taking a core, as a BLAS
           library's workers do for a while after each of its calls";

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        csv: false,
        dtypes: vec!["f32".to_string()],
        caller: Caller::Main,
        gap: std::time::Duration::ZERO,
        busy_thread: false,
        ops: ops().iter().map(|s| s.to_string()).collect(),
        sizes: SIZES.to_vec(),
        reps: 5,
        paths: None,
        svg: None,
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
            "--busy-thread" => o.busy_thread = true,
            "--dtype" => {
                o.dtypes = list(args.next(), "--dtype")?;
                for t in &o.dtypes {
                    if !DTYPES.contains(&t.as_str()) {
                        return Err(format!("unknown dtype {t:?}"));
                    }
                }
            }
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
                    if !ops().contains(&op.as_str()) && !pair_ops().contains(&op.as_str()) {
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
            "--svg" => o.svg = Some(args.next().ok_or("--svg needs a file name")?),
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
struct Case<T> {
    op: String,
    path: &'static str,
    /// Elements' worth of bytes moved per element: 2 in place, 3 for two
    /// slices.
    elems_moved: usize,
    restore: bool,
    f: InPlaceFn<T>,
    batch: u64,
    per_call: Vec<f64>,
}

/// Times every case `reps` times, interleaved (one batch of each case in
/// turn) so that a noisy neighbour slows all cases alike, and returns the
/// median seconds per call of each.
fn measure<T: Float>(
    cases: &mut [Case<T>],
    reps: usize,
    gap: std::time::Duration,
    init: &[T],
    buf: &mut [T],
) -> Vec<f64> {
    let run = |c: &mut Case<T>, iters, buf: &mut [T]| {
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
    dtype: &'static str,
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

/// Every figure of one element type, in order of size; each row goes to
/// `print` as soon as its size is done.
fn report<T: Float>(o: &Options, print: &dyn Fn(&Row)) {
    let wanted = |path: &str| o.paths.as_ref().is_none_or(|p| p.iter().any(|q| q == path));
    let size = std::mem::size_of::<T>();
    for &n in &o.sizes {
        let init = input::<T>(n);
        let mut buf = init.clone();
        let src = std::rc::Rc::new(source::<T>(n));
        let case = |op: &str, path, elems_moved, f| Case {
            op: op.to_string(),
            path,
            elems_moved,
            restore: needs_restore(op),
            f,
            batch: 1,
            per_call: Vec::new(),
        };
        let mut cases: Vec<Case<T>> = ceiling_paths::<T>()
            .into_iter()
            .map(|(path, f)| case("ceiling", path, 2, f))
            .collect();
        if o.ops.iter().any(|op| pair_ops().contains(&op.as_str())) {
            for (path, mut f) in pair_ceiling_paths::<T>() {
                let src = src.clone();
                cases.push(case("ceiling_pair", path, 3, Box::new(move |d| f(&src, d))));
            }
        }
        for op in &o.ops {
            if ops().contains(&op.as_str()) {
                for (path, f) in inplace_paths::<T>(op).into_iter().filter(|p| wanted(p.0)) {
                    cases.push(case(op, path, 2, f));
                }
            } else {
                // The `_into` backward passes read `x` and `dy` and write `dx`.
                let moved = if op.contains("backward") && op.ends_with("_into") {
                    4
                } else {
                    3
                };
                for (path, mut f) in pair_paths::<T>(op).into_iter().filter(|p| wanted(p.0)) {
                    let src = src.clone();
                    cases.push(case(op, path, moved, Box::new(move |d| f(&src, d))));
                }
            }
        }
        let secs = measure(&mut cases, o.reps, o.gap, &init, &mut buf);
        // Each figure against the ceiling that moves the same data: the
        // in-place one for in-place ops, the two-slice one for the others.
        let ceiling = |name: &str| {
            cases
                .iter()
                .zip(&secs)
                .filter(|(c, _)| c.op == name)
                .map(|(_, &s)| s)
                .fold(f64::INFINITY, f64::min)
        };
        let (in_place, pair) = (ceiling("ceiling"), ceiling("ceiling_pair"));
        for (c, &secs) in cases.iter().zip(&secs) {
            print(&Row {
                dtype: T::NAME,
                op: c.op.clone(),
                n,
                path: c.path,
                secs,
                bytes_per_elem: c.elems_moved * size,
                ceiling_secs: if c.elems_moved >= 3 { pair } else { in_place },
            });
        }
        if !o.csv {
            println!();
        }
    }
}

fn main() {
    let o = parse_args().unwrap_or_else(|e| {
        eprintln!("throughput: {e}\n{USAGE}");
        exit(2)
    });
    o.caller.set_up();
    let threads = rayon::current_num_threads();
    if o.busy_thread {
        std::thread::spawn(|| {
            loop {
                std::hint::spin_loop();
            }
        });
    }

    if o.csv {
        println!(
            "dtype,op,size,path,elements,ns_per_call,gelem_per_s,gb_per_s,pct_of_ceiling,level,threads,caller,gap_us"
        );
    } else {
        println!(
            "relu-kernels throughput report ({}, median of {} timings)",
            o.dtypes.join(", "),
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
        if o.busy_thread {
            println!("Another thread of the process spins all along");
        }
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
            "{:<5} {:<30} {:>5}  {:<12} {:>9} {:>8} {:>10}",
            "dtype", "op", "size", "path", "G elem/s", "GB/s", "% ceiling"
        );
    }
    let points = std::cell::RefCell::new(Vec::new());
    let print = |r: &Row| {
        if o.svg.is_some() {
            points.borrow_mut().push(chart::Point {
                dtype: r.dtype,
                op: r.op.clone(),
                path: r.path,
                n: r.n,
                gelem: r.gelem(),
            });
        }
        if o.csv {
            println!(
                "{},{},{},{},{},{:.1},{:.3},{:.2},{:.1},{},{threads},{},{}",
                r.dtype,
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
                "{:<5} {:<30} {:>5}  {:<12} {:>9.2} {:>8.1} {:>9.0}%",
                r.dtype,
                r.op,
                size_name(r.n),
                r.path,
                r.gelem(),
                r.gbytes(),
                r.pct()
            );
        }
    };
    for dtype in &o.dtypes {
        match dtype.as_str() {
            "f32" => report::<f32>(&o, &print),
            "f64" => report::<f64>(&o, &print),
            "f16" => report::<relu_kernels::half::f16>(&o, &print),
            _ => report::<relu_kernels::half::bf16>(&o, &print),
        }
    }
    if let Some(file) = &o.svg {
        let title = format!(
            "relu-kernels throughput, G elem/s: level {}, {threads} rayon threads, \
             caller {}, median of {}",
            Level::active(),
            o.caller.name(),
            o.reps
        );
        if let Err(e) = chart::draw(file, &title, &points.borrow()) {
            eprintln!("throughput: cannot write {file}: {e}");
            exit(1)
        }
    }
}

/// The `--svg` chart.
mod chart {
    use plotters::coord::Shift;
    use plotters::element::DashedPathElement;
    use plotters::prelude::*;

    use super::support::ops;
    use super::support::sizes::size_name;

    /// One figure of the report, as the chart plots it.
    pub struct Point {
        pub dtype: &'static str,
        pub op: String,
        pub path: &'static str,
        pub n: usize,
        pub gelem: f64,
    }

    const PANEL: (u32, u32) = (560, 380);

    /// A path's colour, the same in every panel so that a path is found at
    /// a glance; the ceilings grey and black, apart from the paths.
    fn colour(path: &str) -> RGBColor {
        match path {
            "scalar" => RGBColor(214, 39, 40),
            "portable" => RGBColor(255, 127, 14),
            "simd" => RGBColor(44, 160, 44),
            "par" => RGBColor(31, 119, 180),
            "root" => RGBColor(148, 103, 189),
            "ceiling-1t" => RGBColor(128, 128, 128),
            _ => BLACK,
        }
    }

    /// Writes `file`: one panel per (dtype, op) of `points`, in the
    /// report's order, three to a row.
    pub fn draw(
        file: &str,
        title: &str,
        points: &[Point],
    ) -> Result<(), Box<dyn std::error::Error>> {
        let mut panels: Vec<(&str, &str)> = Vec::new();
        for p in points.iter().filter(|p| !p.op.starts_with("ceiling")) {
            if !panels.contains(&(p.dtype, &p.op)) {
                panels.push((p.dtype, &p.op));
            }
        }
        let cols = panels.len().clamp(1, 3);
        let rows = panels.len().div_ceil(cols).max(1);
        let size = (PANEL.0 * cols as u32, PANEL.1 * rows as u32 + 40);
        let root = SVGBackend::new(file, size).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(title, ("sans-serif", 20))?;
        for (area, &(dtype, op)) in root.split_evenly((rows, cols)).iter().zip(&panels) {
            // Against the ceiling that moves the same data, as the table's
            // % ceiling: in place, or the two-slice one.
            let ceiling = if ops().contains(&op) {
                "ceiling"
            } else {
                "ceiling_pair"
            };
            let mine: Vec<&Point> = points
                .iter()
                .filter(|p| p.dtype == dtype && (p.op == op || p.op == ceiling))
                .collect();
            panel(area, &format!("{dtype} {op}"), &mine)?;
        }
        root.present()?;
        Ok(())
    }

    /// One panel: a line per path, G elem/s against size on a log axis
    /// labelled at the measured sizes.
    fn panel(
        area: &DrawingArea<SVGBackend, Shift>,
        caption: &str,
        points: &[&Point],
    ) -> Result<(), Box<dyn std::error::Error>> {
        let mut sizes: Vec<f64> = points.iter().map(|p| p.n as f64).collect();
        sizes.sort_by(f64::total_cmp);
        sizes.dedup();
        let (lo, hi) = (sizes[0] / 1.5, sizes[sizes.len() - 1] * 1.5);
        // Headroom above the highest line for the legend.
        let top = points.iter().map(|p| p.gelem).fold(0.0, f64::max) * 1.6;
        let mut chart = ChartBuilder::on(area)
            .caption(caption, ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d((lo..hi).log_scale().with_key_points(sizes), 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("elements")
            .y_desc("G elem/s")
            .x_label_formatter(&|&x| size_name(x.round() as usize))
            .draw()?;
        let mut paths: Vec<(&str, &str)> = Vec::new();
        for p in points {
            if !paths.contains(&(&p.op, p.path)) {
                paths.push((&p.op, p.path));
            }
        }
        for (op, path) in paths {
            let mut line: Vec<(f64, f64)> = points
                .iter()
                .filter(|p| p.op == op && p.path == path)
                .map(|p| (p.n as f64, p.gelem))
                .collect();
            line.sort_by(|a, b| a.0.total_cmp(&b.0));
            let style = colour(path).stroke_width(2);
            if op.starts_with("ceiling") {
                let label = if op == "ceiling_pair" {
                    format!("{path} (pair)")
                } else {
                    path.to_string()
                };
                chart
                    .draw_series(DashedLineSeries::new(line, 6, 4, style))?
                    .label(label)
                    .legend(move |(x, y)| {
                        DashedPathElement::new(vec![(x, y), (x + 20, y)], 6, 4, style)
                    });
            } else {
                chart
                    .draw_series(LineSeries::new(line, style).point_size(3))?
                    .label(path)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        Ok(())
    }
}
