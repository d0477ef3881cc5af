//! The tutorial the crate comes from: ReLU and Leaky ReLU on five inputs.
//! The tutorial computed in double precision (`0.01 * -10.0` prints as
//! `-0.1` only in f64; in f32 it is `-0.099999994`), so this runs on `f64`.
//!
//! Run with `cargo run --release --example tutorial`.

use relu_kernels::DEFAULT_ALPHA_F64;

/// The tutorial's inputs.
const INPUTS: [f64; 5] = [1.0, -10.0, 0.0, 15.0, -20.0];

/// The lines the tutorial prints, computed by the crate's root functions.
pub fn tutorial_lines() -> Vec<String> {
    let mut relu = INPUTS;
    relu_kernels::relu_inplace(&mut relu);
    let mut leaky = INPUTS;
    relu_kernels::leaky_relu_inplace(&mut leaky, DEFAULT_ALPHA_F64);

    let mut lines = Vec::new();
    for (name, outputs) in [("Relu", relu), ("Leaky Relu", leaky)] {
        for (x, y) in INPUTS.iter().zip(outputs) {
            lines.push(format!("Applying {name} on ({x:?}) gives {y:?}"));
        }
    }
    lines
}

fn main() {
    for line in tutorial_lines() {
        println!("{line}");
    }
}
