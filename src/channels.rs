//! Per-channel ops: the activation with what surrounds it in a layer, a
//! bias added before it (fused, one pass over memory) or a slope per
//! channel (PReLU).
//!
//! A buffer is read as a row-major array `[outer, channels, inner]`: the
//! parameter slice (`bias` or `slopes`) has `channels` elements, and
//! element `i` belongs to channel `(i / inner) % channels`. `inner` is 1
//! for channels-last data (a dense layer's `[batch, features]` output,
//! NHWC) and `H * W` for NCHW.
//!
//! ```
//! use relu_kernels::channels;
//!
//! // A dense layer's output, 2 rows of 3 features: relu(x + bias).
//! let mut h = [1.0f32, -1.0, 0.5, -2.0, 3.0, 0.0];
//! channels::bias_relu_inplace(&mut h, &[0.5, 0.5, -1.0], 1);
//! assert_eq!(h, [1.5, 0.0, 0.0, 0.0, 3.5, 0.0]);
//!
//! // NCHW with 2 channels of 2 elements each: a slope per channel.
//! let x = [-1.0f32, 2.0, -4.0, 4.0];
//! let mut y = [0.0f32; 4];
//! channels::prelu_into(&x, &[0.5, 0.25], 2, &mut y);
//! assert_eq!(y, [-0.5, 2.0, -1.0, 4.0]);
//! ```
//!
//! The functions here run serially for small buffers and in parallel for
//! large ones, as the crate root's do; `scalar::channels`,
//! `simd::channels` and `par::channels` hold the other paths, and
//! [`Kernels`](crate::Kernels) has every form as a method of the same name.
//!
//! # Semantics
//! With `b` and `s` the element's channel's bias and slope, `z = x + b` the
//! sum rounded once to the element type, and `α` as in the crate's other
//! tables:
//!
//! | z or x | bias_relu: relu(z) | bias_leaky_relu(α): leaky_relu(z, α) | prelu: leaky_relu(x, s) | PyTorch |
//! |---|---|---|---|---|
//! | > 0 | z | z | x | the same |
//! | +0.0 or −0.0 | +0.0 | α·z | s·x | the same |
//! | < 0 | +0.0 | α·z | s·x | the same |
//! | NaN | NaN | NaN | NaN | the same |
//!
//! The PyTorch column is `relu(x + b)`, `leaky_relu(x + b, α)` and
//! `prelu(x, weight)` (`weight` broadcast over channel axis 1). The sum is
//! one IEEE addition of the element type, with its ties and signed zeros
//! (`-b + b` is `+0.0`). For `f16` and `bf16` it is the `f32` sum of the
//! two values rounded once to the format, which is the correctly rounded
//! sum: `f32`'s 24 bits are at least `2p + 2` for the formats' `p` of 11
//! and 8, so rounding twice cannot differ from rounding once. The products
//! are as in the crate's other tables.
//!
//! # Errors
//! Every function panics before writing, with a message that names the
//! value or the sizes, if:
//! - a bias, a slope or `alpha` is not finite (a NaN bias would turn its
//!   whole channel to NaN without a word);
//! - `channels` or `inner` is 0, or the length is not a multiple of
//!   `channels * inner`;
//! - for an `_into` form, `x` and `y` differ in length.
//!
//! # How they run
//! No element costs a division: where a channel's run of `inner` elements
//! is long, the kernel runs along the run with its parameter as a
//! constant (the plain op's loop); with `inner = 1` and long rows it reads
//! the bias row beside each row of data; otherwise it lays the parameters
//! out as the elements are, a block at a time on the stack, and reads that
//! block beside the data.

crate::front::entry_points::channel_entry_points!(
    crate::Kernels::auto(),
    ", serially for small buffers and in parallel for large ones (see `Threading::Auto`)"
);
