//! A two-layer network trained on synthetic data with the per-channel
//! ops: each hidden layer is a matrix product (`matrixmultiply`), then
//! `channels::bias_relu_inplace`; the backward pass runs
//! `channels::relu_backward_from_output_bias`, which gives the layer's
//! input gradient and its bias gradient in one pass.
//!
//! It prints the loss going down, then the time per training step against
//! the same network with the unfused calls (the bias added in a loop, then
//! `relu_inplace`; `relu_backward_from_output_inplace`, then the columns
//! summed), and checks that both train to the same weights.
//!
//! ```text
//! cargo run --release --example dense_layer [steps]      # default 300
//! ```

use std::time::Instant;

use relu_kernels::channels;

const BATCH: usize = 256;
const IN: usize = 32;
const HIDDEN: usize = 512;
const OUT: usize = 8;
const RATE: f32 = 0.02;

/// A deterministic pseudo-random value in [-1, 1).
fn value(state: &mut u64) -> f32 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
}

/// `c = a · b` (or `c += a · b` with `acc`), row-major `a: m×k`, `b: k×n`;
/// `ta`/`tb` read `a`/`b` transposed (then `a` is stored `k×m`, `b` `n×k`).
#[allow(clippy::too_many_arguments)]
fn gemm(m: usize, k: usize, n: usize, a: &[f32], ta: bool, b: &[f32], tb: bool, c: &mut [f32]) {
    let (rsa, csa) = if ta { (1, m as isize) } else { (k as isize, 1) };
    let (rsb, csb) = if tb { (1, k as isize) } else { (n as isize, 1) };
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    // SAFETY: the strides describe `a`, `b` and `c` within their lengths
    // (checked above), and `c` does not overlap them.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            rsa,
            csa,
            b.as_ptr(),
            rsb,
            csb,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        )
    }
}

struct Net {
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
}

/// The buffers of one step, allocated once.
struct Work {
    h: Vec<f32>,
    out: Vec<f32>,
    d_out: Vec<f32>,
    d_h: Vec<f32>,
    d_w1: Vec<f32>,
    d_w2: Vec<f32>,
    d_b1: Vec<f32>,
    d_b2: Vec<f32>,
}

impl Work {
    fn new() -> Self {
        Work {
            h: vec![0.0; BATCH * HIDDEN],
            out: vec![0.0; BATCH * OUT],
            d_out: vec![0.0; BATCH * OUT],
            d_h: vec![0.0; BATCH * HIDDEN],
            d_w1: vec![0.0; IN * HIDDEN],
            d_w2: vec![0.0; HIDDEN * OUT],
            d_b1: vec![0.0; HIDDEN],
            d_b2: vec![0.0; OUT],
        }
    }
}

/// Adds `bias` to every row.
fn add_bias(rows: &mut [f32], bias: &[f32]) {
    for row in rows.chunks_exact_mut(bias.len()) {
        row.iter_mut().zip(bias).for_each(|(v, b)| *v += b);
    }
}

/// The column sums of `rows`.
fn column_sums(rows: &[f32], sums: &mut [f32]) {
    sums.fill(0.0);
    for row in rows.chunks_exact(sums.len()) {
        sums.iter_mut().zip(row).for_each(|(s, v)| *s += v);
    }
}

/// One step of gradient descent on the mean squared error; returns the
/// loss before the step. `fused` picks the per-channel ops or the
/// unfused calls for the hidden layer.
fn step(net: &mut Net, w: &mut Work, x: &[f32], y: &[f32], fused: bool) -> f32 {
    gemm(BATCH, IN, HIDDEN, x, false, &net.w1, false, &mut w.h);
    if fused {
        channels::bias_relu_inplace(&mut w.h, &net.b1, 1);
    } else {
        add_bias(&mut w.h, &net.b1);
        relu_kernels::relu_inplace(&mut w.h);
    }
    gemm(BATCH, HIDDEN, OUT, &w.h, false, &net.w2, false, &mut w.out);
    add_bias(&mut w.out, &net.b2);
    let mut loss = 0.0;
    for ((d, o), t) in w.d_out.iter_mut().zip(&w.out).zip(y) {
        let e = o - t;
        loss += e * e;
        *d = 2.0 * e / (BATCH * OUT) as f32;
    }
    gemm(HIDDEN, BATCH, OUT, &w.h, true, &w.d_out, false, &mut w.d_w2);
    column_sums(&w.d_out, &mut w.d_b2);
    gemm(
        BATCH, OUT, HIDDEN, &w.d_out, false, &net.w2, true, &mut w.d_h,
    );
    if fused {
        channels::relu_backward_from_output_bias(&w.h, &mut w.d_h, 1, &mut w.d_b1);
    } else {
        relu_kernels::relu_backward_from_output_inplace(&w.h, &mut w.d_h);
        column_sums(&w.d_h, &mut w.d_b1);
    }
    gemm(IN, BATCH, HIDDEN, x, true, &w.d_h, false, &mut w.d_w1);
    for (p, g) in [
        (&mut net.w1, &w.d_w1),
        (&mut net.b1, &w.d_b1),
        (&mut net.w2, &w.d_w2),
        (&mut net.b2, &w.d_b2),
    ] {
        p.iter_mut().zip(g.iter()).for_each(|(p, g)| *p -= RATE * g);
    }
    loss / (BATCH * OUT) as f32
}

fn main() {
    let steps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let mut s = 0x9e37_79b9_7f4a_7c15;
    // The data: inputs, and targets from a fixed random teacher network.
    let x: Vec<f32> = (0..BATCH * IN).map(|_| value(&mut s)).collect();
    let teacher: Vec<f32> = (0..IN * OUT).map(|_| value(&mut s)).collect();
    let mut y = vec![0.0; BATCH * OUT];
    gemm(BATCH, IN, OUT, &x, false, &teacher, false, &mut y);
    y.iter_mut().for_each(|v| *v = v.max(0.0));
    let scale = (1.0 / IN as f32).sqrt();
    let init = |n: usize, s: &mut u64, k: f32| (0..n).map(|_| value(s) * k).collect::<Vec<f32>>();
    let fresh = |s: &mut u64| Net {
        w1: init(IN * HIDDEN, s, scale),
        b1: init(HIDDEN, s, 0.1),
        w2: init(HIDDEN * OUT, s, (1.0 / HIDDEN as f32).sqrt()),
        b2: vec![0.0; OUT],
    };
    let (mut fused, mut unfused) = (fresh(&mut s.clone()), fresh(&mut s));
    let (mut wf, mut wu) = (Work::new(), Work::new());
    let (mut t_fused, mut t_unfused) = (Vec::new(), Vec::new());
    println!("step    loss (batch {BATCH}, {IN} -> {HIDDEN} -> {OUT})");
    for i in 0..steps {
        // Alternate which runs first, so neither always finds warm caches.
        let order = if i % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        let mut loss = 0.0;
        for fused_now in order {
            let t = Instant::now();
            if fused_now {
                loss = step(&mut fused, &mut wf, &x, &y, true);
                t_fused.push(t.elapsed().as_secs_f64());
            } else {
                step(&mut unfused, &mut wu, &x, &y, false);
                t_unfused.push(t.elapsed().as_secs_f64());
            }
        }
        if i % (steps / 6).max(1) == 0 || i + 1 == steps {
            println!("{i:4}  {loss:.6}");
        }
    }
    let median = |t: &mut Vec<f64>| {
        t.sort_by(f64::total_cmp);
        t[t.len() / 2] * 1e6
    };
    let (f, u) = (median(&mut t_fused), median(&mut t_unfused));
    println!(
        "time per step (median of {steps}): fused {f:.1} µs, unfused {u:.1} µs ({:.2}x)",
        u / f
    );
    // The fused and unfused networks see the same numbers except for the
    // order of the bias gradient's sum, so their weights stay close.
    let drift = fused
        .w1
        .iter()
        .zip(&unfused.w1)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    println!("largest difference between the two networks' first-layer weights: {drift:.2e}");
    assert!(drift < 1e-3, "the fused and unfused networks diverged");
}
