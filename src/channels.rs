//! Per-channel ops: the activation with what surrounds it in a layer, a
//! bias added before it (fused, one pass over memory) or a slope per
//! channel (PReLU), and their backward passes with the bias's or the
//! slopes' gradient (one pass, with deterministic sums).
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
//! # Backward passes with a parameter gradient
//! Each updates `grad` in place (`dy` in, the input's gradient out) and
//! overwrites one sum per channel:
//!
//! | x (or y) | prelu_backward: dx | its term of slope_grad | relu_backward_from_output_bias: dz | leaky_relu_backward_from_output_bias(α): dz | PyTorch |
//! |---|---|---|---|---|---|
//! | > 0 | dy | none | dy | dy | the same |
//! | +0.0 or −0.0 | dy | none | +0.0 | dy | `prelu`: `s·dy`, and a term `0·dy`; leaky from the output: `α·dy` |
//! | < 0 | s·dy | x·dy | +0.0 | α·dy | the same |
//! | NaN | NaN | NaN | NaN | NaN | a number |
//!
//! `bias_grad[c]` is the sum of the channel's results (`dz`). `dx` is one
//! multiply of the element type, as in the crate's other tables; the
//! terms `x·dy` are formed in `f64` (exact for `f32` and the 16-bit
//! formats, one rounding for `f64`). At `x == 0` the crate's rule of a
//! gradient of 1 holds, where PyTorch scales by the slope; PyTorch also
//! adds the `x == 0` terms `0·dy` to the slope's gradient, which differ
//! only for an infinite or NaN `dy`. The passes from the output need
//! `alpha > 0`, where the output keeps the input's sign; they panic
//! otherwise.
//!
//! ## Sums
//! The sums are deterministic: the same bits on every path, level, vector
//! width and thread count, for any alignment. Their order is fixed by the
//! elements' indices:
//! - the rows (the outer index) are cut into blocks of 256 rows;
//! - within a block, a channel's terms are taken in index order; the term
//!   of the element at position `k` of its run (`k = i % inner`) goes to
//!   lane `k % 8` of the channel's eight lanes;
//! - each lane is a compensated (Neumaier) sum in `f64`: a running sum and
//!   the running sum of what each addition dropped, both from `+0.0`;
//! - the block's lanes are added in lane order into one more compensated
//!   sum, and the channel's blocks in block order into one more (sums by
//!   a compensated step, compensations added to the compensation);
//! - the result, the sum plus its compensation (or the sum alone where it
//!   is infinite or NaN), is rounded once to the element type. An empty
//!   sum is `+0.0`.
//!
//! Its error is within half an ulp of the exact sum of the terms plus
//! `2^-32` times the sum of their magnitudes, for all four element types.
//! Large terms that cancel exactly leave no trace beyond that: their
//! magnitudes may be left out of the second part. (`tests/kernels/channels/grads.rs`
//! checks both against an exact sum on a million rows.) A call is shared
//! among threads by blocks of rows where its rows are short (each thread
//! reads whole rows), and by channels otherwise; both give these bits.

//! # Errors
//! Every function panics before writing, with a message that names the
//! value or the sizes, if:
//! - a bias, a slope or `alpha` is not finite (a NaN bias would turn its
//!   whole channel to NaN without a word), or, for the backward passes
//!   from the output, `alpha` is not positive;
//! - `channels` or `inner` is 0, or the length is not a multiple of
//!   `channels * inner`;
//! - the other slices' lengths do not match: `x` and `y` for an `_into`
//!   form, the input and `grad`, the parameter and its gradient.
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
