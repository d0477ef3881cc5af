//! Calls every kind of function from `no_std` code.
#![no_std]

use relu_kernels::{DEFAULT_ALPHA, Kernels, Level, Threading};

/// The root functions, generic over the element type.
pub fn forward(buf: &mut [f32], wide: &mut [f64]) {
    relu_kernels::relu_inplace(buf);
    relu_kernels::leaky_relu_inplace(buf, DEFAULT_ALPHA);
    relu_kernels::relu_grad_inplace(wide);
}

/// The two-slice forms and a forced level.
pub fn backward(x: &[f32], grad: &mut [f32], dst: &mut [f32]) {
    relu_kernels::relu_backward_inplace(x, grad);
    relu_kernels::leaky_relu_into(x, dst, 0.2);
    if let Some(k) = Kernels::new(Level::Portable, Threading::Auto) {
        k.leaky_relu_grad_inplace(grad, 0.5);
    }
}

/// The 16-bit formats, through the re-exported `half`.
pub fn half_precision(h: &mut [relu_kernels::half::f16], b: &mut [relu_kernels::half::bf16]) {
    relu_kernels::leaky_relu_inplace(h, relu_kernels::half::f16::from_f32_const(0.01));
    relu_kernels::relu_grad_inplace(b);
}
