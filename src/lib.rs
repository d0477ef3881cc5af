//! SIMD-vectorized ReLU, Leaky ReLU, ReLU6 and clamp, and their gradients,
//! over `f32`, `f64`, `f16` and `bf16` slices, in place, out of place, and
//! as fused backward passes.
//!
//! ```
//! let mut buf = vec![1.0f32, -10.0, 0.0, 15.0, -20.0];
//! relu_kernels::relu_inplace(&mut buf);
//! assert_eq!(buf, [1.0, 0.0, 0.0, 15.0, 0.0]);
//!
//! let mut buf = vec![1.0f64, -10.0];
//! relu_kernels::leaky_relu_inplace(&mut buf, 0.01);
//! assert_eq!(buf, [1.0, -10.0 * 0.01]);
//!
//! # #[cfg(feature = "half")] {
//! use relu_kernels::half::f16;
//! let mut buf = vec![f16::from_f32(2.0), f16::from_f32(-8.0)];
//! relu_kernels::leaky_relu_inplace(&mut buf, f16::from_f32(0.25));
//! assert_eq!(buf, [f16::from_f32(2.0), f16::from_f32(-2.0)]);
//! # }
//! ```
//!
//! # A training step
//! The forward pass runs in place and keeps its *output*; the backward
//! pass reads that output, so no copy of the pre-activations is needed:
//!
//! ```
//! // h = relu(W x + b), computed in place over the pre-activations.
//! let mut h = vec![0.5f32, -1.5, 0.0, 2.0];
//! relu_kernels::relu_inplace(&mut h);
//!
//! // dL/dh arrives from the next layer; it becomes dL/d(pre-activation).
//! let mut grad = vec![0.1f32, 0.2, 0.3, 0.4];
//! relu_kernels::relu_backward_from_output_inplace(&h, &mut grad);
//! assert_eq!(grad, [0.1, 0.0, 0.0, 0.4]); // zero where h <= 0
//! ```
//!
//! Passing the output to `relu_backward_inplace`, which wants the forward
//! *input*, would be wrong: the output is never negative, so every gradient
//! would pass through. For Leaky ReLU with `alpha > 0` the output keeps the
//! input's sign, and `leaky_relu_backward_inplace` can take it in place of
//! the input (see that function for the one exception).
//!
//! # The function families
//! Every op comes in place, out of place (`_into`), and for the gradients
//! as fused backward passes, in place on the incoming gradient or into a
//! third slice:
//!
//! ```
//! use relu_kernels as rk;
//! let x = [-2.0f32, 3.0];
//!
//! // In place: the buffer becomes the result.
//! let mut buf = x;
//! rk::leaky_relu_inplace(&mut buf, 0.5);
//! assert_eq!(buf, [-1.0, 3.0]);
//!
//! // Out of place: the source is kept.
//! let mut out = [0.0f32; 2];
//! rk::relu_grad_into(&x, &mut out);
//! assert_eq!(out, [0.0, 1.0]);
//!
//! // Backward from the forward input, in place on dy or into dx.
//! let dy = [10.0f32, 10.0];
//! let mut grad = dy;
//! rk::leaky_relu_backward_inplace(&x, &mut grad, 0.5);
//! assert_eq!(grad, [5.0, 10.0]);
//! let mut dx = [0.0f32; 2];
//! rk::relu_backward_into(&x, &dy, &mut dx);
//! assert_eq!(dx, [0.0, 10.0]);
//!
//! // Backward from the forward output y = relu(x).
//! let y = [0.0f32, 3.0];
//! let mut dx = [0.0f32; 2];
//! rk::relu_backward_from_output_into(&y, &dy, &mut dx);
//! assert_eq!(dx, [0.0, 10.0]);
//! ```
//!
//! # Paths
//! - [`scalar`]: the reference, one element at a time. It *is* the spec.
//! - [`simd`]: single-threaded vector kernels. On x86_64 the AVX-512 or
//!   AVX2 kernel is chosen at run time when the CPU has it, in any build;
//!   elsewhere, or on older CPUs, `wide`'s portable 256-bit vectors (see
//!   [`Level`]).
//! - [`par`] (feature `rayon`, on by default): the buffer shared among
//!   rayon's threads, each running the `simd` kernel on its part. Called
//!   from a pool worker, it splits with `rayon::join`; called from any
//!   other thread (a program's main thread), the caller works through its
//!   part at once while pool workers join in, so it never waits for a
//!   worker to wake.
//! - The crate root: `simd` for small buffers, `par` for large ones, with
//!   a switch that depends on who calls (see [`Threading::Auto`]).
//!   Without the `rayon` feature the root functions are the `simd` ones.
//! - [`Kernels`]: any supported level with any threading, for forcing one
//!   kernel (the environment variable
//!   `RELU_KERNELS_LEVEL=scalar|portable|avx2|avx512` forces the level of
//!   all the others).
//!
//! Every op is one small type with a scalar body and a vector body; one
//! serial loop (aligned head, four vectors at a time, scalar tail) and one
//! parallel driver serve all of them at every level. The out-of-place
//! forms whose sources fill the last-level cache (its size read from CPUID
//! once, at most 128 MiB; 16 MiB where the CPU does not say) write their
//! destination with non-temporal stores on the AVX2 and AVX-512 levels:
//! such an output cannot stay in cache, and a plain store would read every
//! destination line first.
//!
//! # Semantics
//! Every path gives the same bits as [`scalar`] for every input, any NaN
//! for a NaN: the vector paths may set a NaN's sign, OR other bits into it
//! or quiet a signalling one. `α` is
//! `alpha`; `α·x` is one IEEE multiply of the element type (no FMA, no
//! widening for `f32` and `f64`), so `-inf` with `α = 0` gives NaN. In the
//! tables, 1, 0, `α` and `+0.0` are those values in the element type.
//!
//! For `half::f16` and `half::bf16`, `α·x` (and `α·dy`) is the product of
//! the two 16-bit values computed in `f32` and rounded once to the element
//! type, to nearest with ties to even: the bits of `half`'s `from_f32` of
//! that product, for every result that is not NaN. For `f16` the `f32`
//! product is exact (at most 22 significant bits, well inside `f32`'s
//! range). For `bf16` it is exact wherever `f32` can hold it; where it
//! falls into `f32`'s subnormal range, the bits `f32` drops lie below
//! `bf16`'s own last place, and a product of 16 significant bits cannot
//! reach both places, so the one rounding still gives the correctly
//! rounded value (and overflow gives infinity either way). So for all four
//! types the result is the correctly rounded IEEE product in the element
//! type: one multiply of the element type.
//!
//! | x | relu | leaky_relu(α) | relu_grad | leaky_relu_grad(α) | PyTorch |
//! |---|---|---|---|---|---|
//! | x > 0 (incl. +inf, positive subnormals) | x | x | 1 | 1 | the same |
//! | +0.0 | +0.0 | α·x | 1 | 1 | gradients 0 and α |
//! | −0.0 | **+0.0** | α·x | 1 | 1 | gradients 0 and α |
//! | x < 0 (incl. −inf, negative subnormals) | +0.0 | α·x | 0 | α | the same |
//! | NaN (any sign or payload) | NaN | NaN | NaN | NaN | gradients 1 and α |
//!
//! ReLU is `max(0, x)`, so `-0.0` gives `+0.0`; Leaky ReLU is `x` where
//! `x > 0` and `α·x` elsewhere; both gradients are 1 for `x >= 0` (the
//! rule of the tutorial this crate grew from; PyTorch's are 0 and `α` at
//! 0). NaN propagates through every op, gradients included, so a NaN never
//! silently disappears (PyTorch's gradient of a NaN input is a number);
//! which NaN comes out (sign, payload) is unspecified. The forward outputs
//! are PyTorch's bit for bit.
//!
//! The fused backward passes take the incoming gradient `dy` (in `grad`,
//! which receives the result, or in `dy`, with the result in `dx`) and
//! either the forward input `x` or, for `relu_backward_from_output`, the
//! forward output `y = relu(x)`:
//!
//! | x | relu_backward | leaky_relu_backward(α) | relu_backward_from_output | PyTorch |
//! |---|---|---|---|---|
//! | x > 0 | dy | dy | dy | the same |
//! | x = ±0.0 | dy | dy | **+0.0** (`y` is `+0.0`) | 0 and α·dy, as from the output |
//! | x < 0 | +0.0 | α·dy | +0.0 | the same |
//! | NaN | NaN | NaN | NaN | dy and α·dy |
//!
//! They select rather than multiply, so an infinite or NaN `dy` at a
//! negative `x` gives 0 for ReLU, as PyTorch's `threshold_backward` does.
//! `relu_backward_from_output` is `threshold_backward(dy, y, 0)` but for
//! NaN, so it differs from `relu_backward` at `x == 0` only.
//!
//! Clamp and ReLU6, for bounds `lo <= hi`, neither NaN (infinite bounds
//! are valid):
//!
//! | x | clamp(lo, hi) | relu6 | clamp_backward(lo, hi) | PyTorch |
//! |---|---|---|---|---|
//! | lo < x < hi | x | x | dy | the same |
//! | x = lo < hi | lo | +0.0 (for both zeros) | dy | the same; `hardtanh_backward` (ReLU6's): 0 |
//! | x < lo < hi | lo | +0.0 | +0.0 | the same |
//! | x = hi | hi | 6 | dy | the same; `hardtanh_backward`: 0 |
//! | x > hi | hi | 6 | +0.0 | the same |
//! | NaN | NaN | NaN | NaN | forward the same; `clamp` backward 0 |
//!
//! `clamp` is `min(max(x, lo), hi)`, written as PyTorch defines `torch.clamp`:
//! where the bounds are equal every number gives `hi` (so bounds `-0.0` and
//! `+0.0`, in either order, give `hi`'s zero), and `clamp(x, 0, +inf)` has
//! `relu`'s bits, `+0.0` for `-0.0` included. `relu6` is `clamp(x, 0, 6)`.
//! `clamp_backward` passes `dy` where `lo <= x <= hi`, bounds included, as
//! PyTorch's `clamp` backward does and as this crate's ReLU gradient is 1 at 0;
//! PyTorch's `hardtanh_backward` (which ReLU6's backward pass runs) counts the
//! bounds as outside. It selects, so an infinite or NaN `dy` outside the
//! bounds gives `+0.0`.
//!
//! # Errors
//! Bad input panics with a message naming the bad value, before anything
//! is written, so a rejected call leaves every buffer unchanged:
//! - `alpha` must be finite (any finite value is valid: 0, negative, > 1);
//! - clamp's bounds must satisfy `lo <= hi`, neither NaN;
//! - the slices of a two- or three-slice function must have the same
//!   length.
//!
//! # Features
//! - `std` (default): runtime CPU detection and `RELU_KERNELS_LEVEL`.
//!   Without it the crate is `no_std` and uses the levels enabled at
//!   compile time.
//! - `rayon` (default, implies `std`): the parallel driver.
//! - `half` (default): `half::f16` and `half::bf16` elements, from the
//!   `half` crate, which is re-exported as `relu_kernels::half` so that
//!   callers name the same version. Works without `std`.
//!
//! # 16-bit formats
//! The ops that only select (`relu`, the gradients, `relu_backward`) work
//! on the bit patterns directly, 16 lanes to a 256-bit vector (32 to a
//! 512-bit one), with integer compares. The multiplying ops (`leaky_relu`,
//! `leaky_relu_backward`) widen to `f32` for the product: on the AVX2 level
//! with F16C for `f16` and with integer shifts for `bf16`, on the AVX-512
//! level with its own conversions for `f16` and integer shifts for `bf16`,
//! on the portable level with integer and `f32` vector arithmetic. The AVX2
//! level therefore needs F16C as well as AVX2, which every AVX2 CPU shipped
//! has.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

// The layers, top down: the fronts (the public modules below, and
// `front`'s list, checks and `Kernels`) call the driver (the serial loop,
// the policy, the parallel drivers), which runs the ops (each op's scalar
// and vector body) on the arch layer (the `Vector` trait, the levels and
// one folder per instruction set). No module imports from a layer above
// its own.
mod arch;
mod driver;
mod element;
mod front;
mod ops;

#[doc(hidden)]
#[path = "front/forms.rs"]
pub mod __forms;
pub mod channels;
#[cfg(feature = "ndarray")]
pub mod nd;
#[cfg(feature = "rayon")]
pub mod par;
pub mod scalar;
pub mod simd;

#[cfg(feature = "half")]
pub use half;

pub use arch::level::{ALL_LEVELS, LEVEL_ENV, Level};
pub use driver::policy::PARALLEL_THRESHOLD_BYTES;
pub use element::{Element, default_alpha};
pub use front::kernels::{Kernels, Threading};

/// The usual Leaky ReLU slope, 0.01 as in the tutorial the crate comes
/// from, for `f32` buffers.
///
/// For `f64` use [`DEFAULT_ALPHA_F64`], and in generic code
/// [`default_alpha::<T>()`](default_alpha). Not `DEFAULT_ALPHA.into()`,
/// which the compiler suggests when an `f64` is expected: that widens the
/// `f32` value, 0.009999999776482582, instead of rounding 0.01 to `f64`.
pub const DEFAULT_ALPHA: f32 = 0.01;

/// [`DEFAULT_ALPHA`] for `f64` buffers: `0.01` rounded to `f64`, not the
/// `f32` value widened (which `DEFAULT_ALPHA.into()` would give).
pub const DEFAULT_ALPHA_F64: f64 = 0.01;

front::entry_points::entry_points!(
    crate::Kernels::auto(),
    "serially for small buffers and in parallel for large ones (see `Threading::Auto`)"
);

// The README's Rust examples run as doctests, so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
