//! One dense layer with a ReLU, forward and backward, two ways:
//!
//! - **from the output**: the forward pass runs `relu_inplace` over the
//!   pre-activations, and the backward pass reads that output with
//!   `relu_backward_from_output_inplace`, so one activation buffer is held
//!   between the passes;
//! - **keeping a copy**: the forward pass writes `relu_into` a second
//!   buffer, keeping the pre-activations for `relu_backward_inplace`.
//!
//! It checks that both give the same gradients (they differ by design only
//! where a pre-activation is exactly 0), and prints the memory each holds
//! and the time each takes, at a size far beyond the caches.
//!
//! ```text
//! cargo run --release --example mlp_step [batch]      # default batch 16384
//! ```

use std::time::Instant;

/// Inputs per example, outputs per example.
const IN: usize = 8;
const OUT: usize = 4096;

/// A deterministic pseudo-random value in [-1, 1).
fn value(state: &mut u64) -> f32 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
}

/// `z = x W + b` for a batch: `x` is `batch x IN`, `w` is `IN x OUT`.
fn dense(x: &[f32], w: &[f32], b: &[f32], z: &mut [f32]) {
    for (row, out) in x.chunks_exact(IN).zip(z.chunks_exact_mut(OUT)) {
        out.copy_from_slice(b);
        for (k, &xk) in row.iter().enumerate() {
            for (o, &wk) in out.iter_mut().zip(&w[k * OUT..(k + 1) * OUT]) {
                *o += xk * wk;
            }
        }
    }
}

fn mib(elements: usize) -> f64 {
    (elements * std::mem::size_of::<f32>()) as f64 / (1 << 20) as f64
}

fn main() {
    let batch: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(16384);
    let n = batch * OUT;
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let x: Vec<f32> = (0..batch * IN).map(|_| value(&mut s)).collect();
    let w: Vec<f32> = (0..IN * OUT).map(|_| value(&mut s)).collect();
    let b: Vec<f32> = (0..OUT).map(|_| value(&mut s) * 0.1).collect();
    // The gradient arriving from the next layer.
    let dy: Vec<f32> = (0..n).map(|_| value(&mut s)).collect();

    println!(
        "dense layer {IN} -> {OUT}, batch {batch}: {n} activations ({:.0} MiB each buffer)",
        mib(n)
    );

    let reps = 5;
    let (mut t_out, mut t_copy) = (Vec::new(), Vec::new());
    let mut z = vec![0.0f32; n];
    let mut h = vec![0.0f32; n];
    let mut grad_out = dy.clone();
    let mut grad_copy = dy.clone();
    for _ in 0..reps {
        // From the output: one buffer holds z, then h = relu(z) in place.
        dense(&x, &w, &b, &mut z);
        grad_out.copy_from_slice(&dy);
        let t = Instant::now();
        relu_kernels::relu_inplace(&mut z);
        relu_kernels::relu_backward_from_output_inplace(&z, &mut grad_out);
        t_out.push(t.elapsed().as_secs_f64());

        // Keeping a copy: z stays, h goes to a second buffer.
        dense(&x, &w, &b, &mut z);
        grad_copy.copy_from_slice(&dy);
        let t = Instant::now();
        relu_kernels::relu_into(&z, &mut h);
        relu_kernels::relu_backward_inplace(&z, &mut grad_copy);
        t_copy.push(t.elapsed().as_secs_f64());
    }

    // The same gradients, but where z is exactly 0: there the gradient
    // from the output is 0 (PyTorch's rule) and from the input dy (the
    // tutorial's rule).
    let zeros = z.iter().filter(|&&v| v == 0.0).count();
    let differ = grad_out
        .iter()
        .zip(&grad_copy)
        .zip(&z)
        .filter(|((a, b), zv)| a.to_bits() != b.to_bits() && **zv != 0.0)
        .count();
    assert_eq!(differ, 0, "the two routes disagree away from z == 0");
    println!(
        "gradients agree on all {n} elements where z != 0 ({zeros} pre-activations are exactly 0)"
    );

    let median = |t: &mut Vec<f64>| {
        t.sort_by(f64::total_cmp);
        t[t.len() / 2]
    };
    let (a, c) = (median(&mut t_out), median(&mut t_copy));
    println!("{:<40} {:>10} {:>14}", "route", "held", "fwd+bwd time");
    println!(
        "{:<40} {:>6.0} MiB {:>11.2} ms",
        "from the output (relu_inplace)",
        mib(n),
        a * 1e3
    );
    println!(
        "{:<40} {:>6.0} MiB {:>11.2} ms",
        "keeping a copy (relu_into)",
        mib(2 * n),
        c * 1e3
    );
    println!(
        "from the output: {:.0}% of the memory, {:.2}x the speed (median of {reps})",
        100.0 * mib(n) / mib(2 * n),
        c / a
    );
}
