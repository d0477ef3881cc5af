//! The list of per-channel ops: every function of the `channels` modules
//! (`scalar::channels`, `simd::channels`, `par::channels`, the root
//! `channels`) and the [`Kernels`](crate::Kernels) methods of the same
//! names is generated from one entry here.
//!
//! A per-channel form reads a buffer as a row-major `[outer, channels,
//! inner]` array: `param` (a bias or a slope per channel) has `channels`
//! elements, and element `i` belongs to channel `(i / inner) % channels`.
//! The in-place form updates `x`; the `_into` form reads `x` and writes
//! `y`, which comes after `inner` and before the scalar parameters.

/// Calls `$callback! { [$($extra)*] <every per-channel family> }`.
///
/// - `family`: the op's name; `param`: the name of the per-channel slice;
///   `about`: what it computes, in a sentence;
/// - `params`: the scalar parameters after the output, `name: type`;
///   `panics`: when they or `param` are rejected: the scalar parameters by
///   `checks`, then the layout, then `param` where it is not finite (on
///   every path in that order: the kernels check `param` in their walk,
///   `Kernels::per_channel`);
/// - `kernel`: the call on a [`Kernels`](crate::Kernels) `k` with the
///   form's `Io` descriptor `io`, `param` and `inner`;
/// - `elem`: one element from its input and its channel's parameter;
/// - `inplace`, `into`: the two forms' names.
#[doc(hidden)]
#[macro_export]
macro_rules! for_each_channel_op {
    ($($callback:ident)::+ $(, $extra:tt)*) => {
        $($callback)::+! {
            [$($extra)*]
            {
                family: bias_relu; param: bias;
                about: "bias + ReLU, `relu(x + bias[c])`, the sum rounded once";
                params: []; panics: ["a bias is not finite"];
                checks: [];
                kernel: |k, io, inner| k.per_channel($crate::ops::channel::BiasReluChannels, ("bias", bias), inner, io);
                elem: |x, b| $crate::scalar::bias_relu(x, b);
                inplace: bias_relu_inplace; into: bias_relu_into;
            }
            {
                family: bias_leaky_relu; param: bias;
                about: "bias + Leaky ReLU, `leaky_relu(x + bias[c], alpha)`, the sum rounded once";
                params: [alpha: T]; panics: ["a bias or `alpha` is not finite"];
                checks: [$crate::front::check::check_alpha(alpha)];
                kernel: |k, io, inner| k.bias_leaky_relu(bias, inner, alpha, io);
                elem: |x, b| $crate::scalar::bias_leaky_relu(x, b, alpha);
                inplace: bias_leaky_relu_inplace; into: bias_leaky_relu_into;
            }
            {
                family: prelu; param: slopes;
                about: "PReLU, `leaky_relu(x, slopes[c])`: Leaky ReLU with a slope per channel";
                params: []; panics: ["a slope is not finite"];
                checks: [];
                kernel: |k, io, inner| k.per_channel($crate::ops::channel::PreluChannels, ("slopes", slopes), inner, io);
                elem: |x, s| $crate::scalar::leaky_relu(x, s);
                inplace: prelu_inplace; into: prelu_into;
            }
        }
    };
}

/// A `for_each_channel_op!` callback that calls `$helper!` twice per
/// family, once per form, with `$extra` (a bracketed group):
///
/// ```text
/// [extra] inplace|into: name; family: f; param: p; about: "..."; panics: [..];
/// params: [name: type, ...]; checks: [..]; kernel: |k, io| call; elem: |x, p| result;
/// ```
macro_rules! per_channel_form {
    ([$helper:tt $extra:tt] $({
        family: $family:ident; param: $param:ident; about: $about:literal;
        params: [$($p:ident: $pty:ty),*]; panics: $panics:tt; checks: $checks:tt;
        kernel: |$k:ident, $io:ident, $inner:ident| $kernel:expr;
        elem: |$ex:ident, $ep:ident| $elem:expr;
        inplace: $inplace:ident; into: $into:ident;
    })*) => {$(
        $crate::front::list::call! {
            $helper $extra inplace: $inplace; family: $family; param: $param; about: $about;
            panics: $panics; params: [$($p: $pty),*]; checks: $checks;
            kernel: |$k, $io, $inner| $kernel; elem: |$ex, $ep| $elem;
        }
        $crate::front::list::call! {
            $helper $extra into: $into; family: $family; param: $param; about: $about;
            panics: $panics; params: [$($p: $pty),*]; checks: $checks;
            kernel: |$k, $io, $inner| $kernel; elem: |$ex, $ep| $elem;
        }
    )*};
}
pub(crate) use per_channel_form;

/// The `# Panics` section every per-channel form shares, after its
/// parameters' conditions; `$into` names the lengths of an `_into` form.
macro_rules! channel_panics_doc {
    ([$($p:literal),*], $into:literal) => {
        concat!(
            "\n\n# Panics\nIf ", $($p, ", ",)*
            "if `channels` (the length of the parameter slice) or `inner` is 0, or if the ",
            "length is not a multiple of `channels * inner`", $into,
            ", before any element is written."
        )
    };
}
pub(crate) use channel_panics_doc;

/// The doc sentence of a per-channel form: `$about`, where it writes,
/// `$how` (where it runs), and what `c` is for `$param`.
macro_rules! channel_doc {
    ($about:literal, $param:ident, $where:literal, $how:literal) => {
        concat!(
            "Per-channel ",
            $about,
            ", ",
            $where,
            $how,
            ". `c` is the channel of element `i`, ",
            "`(i / inner) % channels` with `channels = ",
            stringify!($param),
            ".len()`: `inner` ",
            "is 1 for channels-last data (`[batch, features]`, NHWC) and `H * W` for NCHW ",
            "(see [`channels`](crate::channels))."
        )
    };
}
pub(crate) use channel_doc;

/// Calls `$callback! { [$($extra)*] <every per-channel backward pass with a
/// parameter gradient> }`. Each updates `grad` in place (`dy` in, the
/// result out) and overwrites a gradient slice with one sum per channel.
///
/// - `name`; `about`: what it computes, in a sentence;
/// - `sig`: the signature's kind: `param` for
///   `(x, param, inner, grad, param_grad)` (the channels are the
///   parameter's), `bias` for `(y, grad, inner, params.., bias_grad)` (the
///   channels are `bias_grad`'s);
/// - `input`, `param`, `sums`: the argument names;
/// - `params`, `panics`, `checks` as in [`for_each_channel_op!`];
/// - `op`: the [`WithGrad`](crate::ops::param_grad::WithGrad) op.
#[doc(hidden)]
#[macro_export]
macro_rules! for_each_channel_grad_op {
    ($($callback:ident)::+ $(, $extra:tt)*) => {
        $($callback)::+! {
            [$($extra)*]
            {
                name: prelu_backward; sig: param; input: x; param: slopes; sums: slope_grad;
                about: "PReLU's backward pass: `grad` (`dy`) becomes `leaky_relu_backward(x, dy, slopes[c])`, and `slope_grad[c]` the sum of `x * dy` over the channel's elements where `x < 0` or `x` is NaN";
                params: []; panics: ["a slope is not finite"];
                checks: [$crate::front::check::check_finite("slopes", slopes)];
                op: $crate::ops::param_grad::PreluBackward;
            }
            {
                name: relu_backward_from_output_bias; sig: bias; input: y; param: bias_grad; sums: bias_grad;
                about: "ReLU's backward pass from the output, with the bias's gradient: `grad` (`dy`) becomes `dz = relu_backward_from_output(y, dy)`, and `bias_grad[c]` the sum of the channel's `dz`";
                params: []; panics: [];
                checks: [];
                op: $crate::ops::param_grad::ReluBackwardFromOutputBias;
            }
            {
                name: leaky_relu_backward_from_output_bias; sig: bias; input: y; param: bias_grad; sums: bias_grad;
                about: "Leaky ReLU's backward pass from the output (`alpha > 0`), with the bias's gradient: `grad` (`dy`) becomes `dz = leaky_relu_backward(y, dy, alpha)` (`dy` where `y >= 0`, `alpha * dy` where `y < 0`, NaN where `y` is NaN), and `bias_grad[c]` the sum of the channel's `dz`";
                params: [alpha: T]; panics: ["`alpha` is not finite and positive"];
                checks: [$crate::front::check::check_positive_alpha(alpha)];
                op: $crate::ops::param_grad::LeakyReluBackwardFromOutputBias(alpha);
            }
        }
    };
}

/// A `for_each_channel_grad_op!` callback that calls `$helper!` once per
/// form, with `$extra`:
///
/// ```text
/// [extra] sig: param|bias; name: n; input: x; param: p; sums: s; about: "...";
/// params: [name: type, ...]; panics: [..]; checks: [..]; op: expr;
/// ```
macro_rules! per_channel_grad_form {
    ([$helper:tt $extra:tt] $({
        name: $name:ident; sig: $sig:ident; input: $input:ident; param: $param:ident; sums: $sums:ident;
        about: $about:literal; params: [$($p:ident: $pty:ty),*]; panics: $panics:tt;
        checks: $checks:tt; op: $op:expr;
    })*) => {$(
        $crate::front::list::call! {
            $helper $extra sig: $sig; name: $name; input: $input; param: $param; sums: $sums;
            about: $about; params: [$($p: $pty),*]; panics: $panics; checks: $checks; op: $op;
        }
    )*};
}
pub(crate) use per_channel_grad_form;

/// The docs of a backward pass with a parameter gradient: `$about`, `$how`
/// (where it runs), the sum's order and the `# Panics` section.
macro_rules! grad_doc {
    ($about:literal, $how:literal, [$($p:literal),*], $sums:ident) => {
        concat!(
            $about, $how, ". `c` is the channel of element `i`, `(i / inner) % channels` ",
            "with `channels = ", stringify!($sums), ".len()`.\n\n",
            "The sums are compensated sums in `f64`, in an order fixed by the elements' indices, ",
            "so every path, level and thread count gives the same bits; their error is within ",
            "half an ulp of the exact sum plus `2^-32` times the sum of the terms' magnitudes ",
            "(see [`channels`](crate::channels)).\n\n",
            "# Panics\nIf ", $($p, ", ",)*
            "if `channels` or `inner` is 0, if the length is not a multiple of ",
            "`channels * inner`, or if the slices' lengths do not match, before anything is written."
        )
    };
}
pub(crate) use grad_doc;
