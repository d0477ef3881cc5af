//! The list of ops: every public function of the crate is generated from
//! one entry here, for every front (the `scalar` slice loops, [`Kernels`]'
//! methods, the `simd`, `par` and root functions, `nd`, the hidden
//! [`__forms`](crate::__forms) table the tests and benches run, and the
//! Python module).
//!
//! Adding an op: its element function in `ops/spec.rs` (the spec, public
//! through `scalar`), its type in `ops/` (that function as its scalar body,
//! and its vector body), and its entry here. The tests' tables take it from `__forms`; the tests
//! that check it against a second oracle (PyTorch, the patterns) name it.
//!
//! [`Kernels`]: crate::Kernels

/// Calls `$callback! { [$($extra)*] <every op family> }`.
///
/// Each family is one op: its in-place form and, where it has one, the
/// form that writes a separate output.
/// - `family`: the op's name; `about`: what it computes, in a sentence
///   (the Python docstring opens with it); `example`: its arrays' values
///   (`float64`, its parameters at their defaults) and the result, for the
///   Python docstring's example, which the Python tests run.
/// - `op`, what every form shares:
///   - `lead`: arguments between the inputs and the output (a parameter
///     slice and its `inner` stride, say), `params` those after the
///     output, each `name: type`, with `= default` where Python has one;
///   - `panics`: when `checks` reject them, in words;
///   - `kernel`: the call on a [`Kernels`](crate::Kernels) `k` with the
///     form's `Io` descriptor `io`;
///   - `elem`: one element, from the inputs the in-place form reads and
///     the old value of the element it updates (`dy` for a backward pass,
///     the element itself for a forward one), named as the op's
///     arguments are in Python.
/// - `inplace` and `into`: the function's name, the slices it reads (for
///   `into`, then the one that stands for the updated one), the output,
///   the doc sentence (each front completes it) and further doc
///   paragraphs.
///
/// The crate's own fronts take the forms one by one through
/// `for_each_form!`.
#[doc(hidden)]
#[macro_export]
macro_rules! for_each_op {
    ($($callback:ident)::+ $(, $extra:tt)*) => {
        $($callback)::+! {
            [$($extra)*]
            {
                family: relu;
                about: "ReLU, `max(0, x)`: `-0.0` gives `+0.0`, NaN propagates.";
                example: ["[-2.0, 0.0, 3.0]"] -> "[0.0, 0.0, 3.0]";
                op: [
                    lead: []; params: []; panics: []; checks: [];
                    kernel: |k, io| k.apply($crate::ops::Relu, io);
                    elem: |[], x| $crate::scalar::relu(x);
                ];
                inplace: [relu_inplace, [], buf,
                    "[`scalar::relu`](crate::scalar::relu) on every element, in place" {}];
                into: [relu_into, [], src, dst,
                    "`dst[i] = relu(src[i])`" {}];
            }
            {
                family: leaky_relu;
                about: "Leaky ReLU: `x` where `x > 0`, else `alpha * x` (one multiply in the element type).";
                example: ["[-2.0, 0.0, 3.0]"] -> "[-0.02, 0.0, 3.0]";
                op: [
                    lead: []; params: [alpha: T = 0.01]; panics: ["`alpha` is not finite"];
                    checks: [$crate::front::check::check_alpha(alpha)];
                    kernel: |k, io| k.leaky_relu(alpha, io);
                    elem: |[], x| $crate::scalar::leaky_relu(x, alpha);
                ];
                inplace: [leaky_relu_inplace, [], buf,
                    "[`scalar::leaky_relu`](crate::scalar::leaky_relu) on every element, in place" {}];
                into: [leaky_relu_into, [], src, dst,
                    "`dst[i] = leaky_relu(src[i], alpha)`" {}];
            }
            {
                family: relu_grad;
                about: "ReLU's derivative: 1 where `x >= 0` (both zeros), 0 where `x < 0`, NaN for NaN.";
                example: ["[-2.0, 0.0, 3.0]"] -> "[0.0, 1.0, 1.0]";
                op: [
                    lead: []; params: []; panics: []; checks: [];
                    kernel: |k, io| k.apply($crate::ops::ReluGrad, io);
                    elem: |[], x| $crate::scalar::relu_grad(x);
                ];
                inplace: [relu_grad_inplace, [], buf,
                    "Replaces every element with [`scalar::relu_grad`](crate::scalar::relu_grad) of it" {}];
                into: [relu_grad_into, [], src, dst,
                    "`dst[i] = relu_grad(src[i])`" {}];
            }
            {
                family: leaky_relu_grad;
                about: "Leaky ReLU's derivative: 1 where `x >= 0`, `alpha` where `x < 0`, NaN for NaN.";
                example: ["[-2.0, 0.0, 3.0]"] -> "[0.01, 1.0, 1.0]";
                op: [
                    lead: []; params: [alpha: T = 0.01]; panics: ["`alpha` is not finite"];
                    checks: [$crate::front::check::check_alpha(alpha)];
                    kernel: |k, io| k.leaky_relu_grad(alpha, io);
                    elem: |[], x| $crate::scalar::leaky_relu_grad(x, alpha);
                ];
                inplace: [leaky_relu_grad_inplace, [], buf,
                    "Replaces every element with [`scalar::leaky_relu_grad`](crate::scalar::leaky_relu_grad) of it" {}];
                into: [leaky_relu_grad_into, [], src, dst,
                    "`dst[i] = leaky_relu_grad(src[i], alpha)`" {}];
            }
            {
                family: relu_backward;
                about: "ReLU's backward pass from the forward input `x`: `dy` where `x >= 0`, `+0.0` where `x < 0` (whatever `dy` is), NaN where `x` is NaN.";
                example: ["[-2.0, 0.0, 3.0]", "[10.0, 10.0, 10.0]"] -> "[0.0, 10.0, 10.0]";
                op: [
                    lead: []; params: []; panics: []; checks: [];
                    kernel: |k, io| k.apply($crate::ops::ReluBackward, io);
                    elem: |[x], dy| $crate::scalar::relu_backward(x, dy);
                ];
                inplace: [relu_backward_inplace, [x], grad,
                    "ReLU's fused backward pass: `grad[i]` (the incoming gradient) becomes [`scalar::relu_backward`](crate::scalar::relu_backward)`(x[i], grad[i])`" {}];
                into: [relu_backward_into, [x], dy, dx,
                    "ReLU's backward pass into a third slice: `dx[i]` becomes [`scalar::relu_backward`](crate::scalar::relu_backward)`(x[i], dy[i])`, and `dy` is kept" {}];
            }
            {
                family: leaky_relu_backward;
                about: "Leaky ReLU's backward pass from the forward input `x`: `dy` where `x >= 0`, `alpha * dy` where `x < 0`, NaN where `x` is NaN.";
                example: ["[-2.0, 0.0, 3.0]", "[10.0, 10.0, 10.0]"] -> "[0.1, 10.0, 10.0]";
                op: [
                    lead: []; params: [alpha: T = 0.01]; panics: ["`alpha` is not finite"];
                    checks: [$crate::front::check::check_alpha(alpha)];
                    kernel: |k, io| k.apply($crate::ops::LeakyReluBackward(alpha), io);
                    elem: |[x], dy| $crate::scalar::leaky_relu_backward(x, dy, alpha);
                ];
                inplace: [leaky_relu_backward_inplace, [x], grad,
                    "Leaky ReLU's fused backward pass: `grad[i]` becomes [`scalar::leaky_relu_backward`](crate::scalar::leaky_relu_backward)`(x[i], grad[i], alpha)`" {
                    ///
                    /// With `alpha > 0`, Leaky ReLU keeps the input's sign, so `x` may be the
                    /// forward *output* `y = leaky_relu(x)` instead of the input, and no copy of
                    /// the input needs keeping: the result has the same bits, except where a
                    /// tiny negative `alpha * x` underflowed to `-0.0` (there `y` reads as not
                    /// negative and `dy` passes through unscaled). With `alpha <= 0` the output
                    /// does not keep the sign, and this does not hold.
                }];
                into: [leaky_relu_backward_into, [x], dy, dx,
                    "Leaky ReLU's backward pass into a third slice: `dx[i]` becomes [`scalar::leaky_relu_backward`](crate::scalar::leaky_relu_backward)`(x[i], dy[i], alpha)`, and `dy` is kept" {}];
            }
            {
                family: relu_backward_from_output;
                about: "ReLU's backward pass from the forward output `y = relu(x)`: `dy` where `y > 0`, `+0.0` where `y <= 0`, NaN where `y` is NaN (PyTorch's `threshold_backward(dy, y, 0)` but for NaN).";
                example: ["[0.0, 0.0, 3.0]", "[10.0, 10.0, 10.0]"] -> "[0.0, 0.0, 10.0]";
                op: [
                    lead: []; params: []; panics: []; checks: [];
                    kernel: |k, io| k.apply($crate::ops::ReluBackwardFromOutput, io);
                    elem: |[y], dy| $crate::scalar::relu_backward_from_output(y, dy);
                ];
                inplace: [relu_backward_from_output_inplace, [y], grad,
                    "ReLU's fused backward pass from the forward *output*: `grad[i]` (the incoming gradient) becomes [`scalar::relu_backward_from_output`](crate::scalar::relu_backward_from_output)`(y[i], grad[i])`" {
                    ///
                    /// `y` is what `relu_inplace` left in the buffer, so a training
                    /// loop needs no copy of the forward input. At `x == 0` the
                    /// gradient is 0 (as PyTorch's), where `relu_backward_inplace`
                    /// gives `dy` (the tutorial's rule).
                }];
                into: [relu_backward_from_output_into, [y], dy, dx,
                    "ReLU's backward pass from the forward output into a third slice: `dx[i]` becomes [`scalar::relu_backward_from_output`](crate::scalar::relu_backward_from_output)`(y[i], dy[i])`, and `dy` is kept" {}];
            }
            {
                family: clamp;
                about: "Clamp to `[lo, hi]`, as `min(max(x, lo), hi)`: `x` where `lo < x < hi`, `lo` where `x <= lo < hi`, `hi` elsewhere (`x >= hi`, or equal bounds); NaN propagates.";
                example: ["[-2.0, 0.5, 3.0]"; "0.0", "1.0"] -> "[0.0, 0.5, 1.0]";
                op: [
                    lead: []; params: [lo: T, hi: T]; panics: ["`lo > hi` or either bound is NaN"];
                    checks: [$crate::front::check::check_bounds(lo, hi)];
                    kernel: |k, io| k.clamp(lo, hi, io);
                    elem: |[], x| $crate::scalar::clamp(x, lo, hi);
                ];
                inplace: [clamp_inplace, [], buf,
                    "[`scalar::clamp`](crate::scalar::clamp) on every element, in place" {
                    ///
                    /// `clamp(x, 0, +inf)` has `relu`'s bits; infinite bounds are allowed.
                }];
                into: [clamp_into, [], src, dst,
                    "`dst[i] = clamp(src[i], lo, hi)`" {}];
            }
            {
                family: clamp_backward;
                about: "Clamp's backward pass from the forward input `x`: `dy` where `lo <= x <= hi` (bounds included), `+0.0` elsewhere (whatever `dy` is), NaN where `x` is NaN.";
                example: ["[-2.0, 0.5, 1.0]", "[10.0, 10.0, 10.0]"; "0.0", "1.0"] -> "[0.0, 10.0, 10.0]";
                op: [
                    lead: []; params: [lo: T, hi: T]; panics: ["`lo > hi` or either bound is NaN"];
                    checks: [$crate::front::check::check_bounds(lo, hi)];
                    kernel: |k, io| k.apply($crate::ops::ClampBackward { lo, hi }, io);
                    elem: |[x], dy| $crate::scalar::clamp_backward(x, dy, lo, hi);
                ];
                inplace: [clamp_backward_inplace, [x], grad,
                    "Clamp's fused backward pass: `grad[i]` (the incoming gradient) becomes [`scalar::clamp_backward`](crate::scalar::clamp_backward)`(x[i], grad[i], lo, hi)`" {
                    ///
                    /// The bounds count as inside, as in PyTorch's `clamp` backward, and as
                    /// the crate's ReLU gradient is 1 at `x == 0`. PyTorch's
                    /// `hardtanh_backward` (ReLU6's backward pass) counts them as outside:
                    /// there `x == lo` and `x == hi` give 0.
                }];
                into: [clamp_backward_into, [x], dy, dx,
                    "Clamp's backward pass into a third slice: `dx[i]` becomes [`scalar::clamp_backward`](crate::scalar::clamp_backward)`(x[i], dy[i], lo, hi)`, and `dy` is kept" {}];
            }
            {
                family: relu6;
                about: "ReLU6, `clamp(x, 0, 6)`: `-0.0` gives `+0.0`, NaN propagates.";
                example: ["[-2.0, 0.5, 8.0]"] -> "[0.0, 0.5, 6.0]";
                op: [
                    lead: []; params: []; panics: []; checks: [];
                    kernel: |k, io| k.clamp(T::ZERO, T::SIX, io);
                    elem: |[], x| $crate::scalar::relu6(x);
                ];
                inplace: [relu6_inplace, [], buf,
                    "[`scalar::relu6`](crate::scalar::relu6) on every element, in place" {}];
                into: [relu6_into, [], src, dst,
                    "`dst[i] = relu6(src[i])`" {}];
            }
        }
    };
}

/// The `# Panics` section of a form's docs: its parameters' conditions
/// (`[..]`, words) and, for a form reading more than one buffer, `$sizes`
/// (how that front says that the buffers' sizes differ).
macro_rules! panics_doc {
    ([], [], $sizes:literal) => {
        ""
    };
    ([$($p:literal),+], [], $sizes:literal) => {
        concat!("\n\n# Panics\nIf ", $($p,)+ ", before any element is written.")
    };
    ([], [$($r:ident),+], $sizes:literal) => {
        concat!("\n\n# Panics\nIf ", $sizes, ", before any element is written.")
    };
    ([$($p:literal),+], [$($r:ident),+], $sizes:literal) => {
        concat!("\n\n# Panics\nIf ", $($p,)+ " or ", $sizes, ", before any element is written.")
    };
}
pub(crate) use panics_doc;

/// Calls `$callback! { [$($extra)*] <every form of every op> }`, each form
/// flattened: its name, the family it belongs to, the slices it reads
/// (`reads`) and writes (`out`), its docs, what the family shares, `elem`
/// as a closure `|[inputs], old output| result` and `backward` (whether
/// the in-place form reads an input beside the buffer it updates).
macro_rules! for_each_form {
    ($($callback:ident)::+ $(, $extra:tt)*) => {
        $crate::for_each_op!(crate::front::list::each_form, [[$($callback)::+], [$($extra)*]]);
    };
}
pub(crate) use for_each_form;

/// `for_each_form!`'s walk over the families, gathering the forms.
macro_rules! each_form {
    ([[$callback:tt, $extra:tt]] $($family:tt)*) => {
        $crate::front::list::each_form!(@ $callback, $extra, [] $($family)*);
    };
    (@ [$($callback:ident)::+], [$($extra:tt)*], [$($forms:tt)*]) => {
        $($callback)::+! { [$($extra)*] $($forms)* }
    };
    // A family with an `into` form: the family without it (its in-place
    // form), then the `into` form.
    (@ $callback:tt, $extra:tt, [$($forms:tt)*] {
        family: $family:ident;
        about: $about:literal;
        example: $example:tt -> $result:literal;
        op: [
            lead: $lead:tt; params: $params:tt; panics: $panics:tt; checks: $checks:tt;
            kernel: |$k:ident, $io:ident| $kernel:expr;
            elem: |[$($ein:ident),*], $eold:ident| $elem:expr;
        ];
        inplace: $inplace:tt;
        into: [$fn:ident, [$($r:ident),*], $from:ident, $out:ident, $doc:literal $more:tt];
    } $($rest:tt)*) => {
        $crate::front::list::each_form!(@ $callback, $extra, [$($forms)*] {
            family: $family;
            about: $about;
            example: $example -> $result;
            op: [
                lead: $lead; params: $params; panics: $panics; checks: $checks;
                kernel: |$k, $io| $kernel;
                elem: |[$($ein),*], $eold| $elem;
            ];
            inplace: $inplace;
            then: {
                name: $fn; family: $family; reads: [$($r,)* $from]; out: $out;
                doc: $doc; more: $more;
                lead: $lead; params: $params; panics: $panics; checks: $checks;
                kernel: |$k, $io| $kernel;
                elem: move |[$($ein,)* $eold], _| $elem;
                backward: [$($ein),*];
            };
        } $($rest)*);
    };
    // The in-place form, and the `into` form made from the family before.
    (@ $callback:tt, $extra:tt, [$($forms:tt)*] {
        family: $family:ident;
        about: $about:literal;
        example: $example:tt -> $result:literal;
        op: [
            lead: $lead:tt; params: $params:tt; panics: $panics:tt; checks: $checks:tt;
            kernel: |$k:ident, $io:ident| $kernel:expr;
            elem: |[$($ein:ident),*], $eold:ident| $elem:expr;
        ];
        inplace: [$fn:ident, [$($r:ident),*], $out:ident, $doc:literal $more:tt];
        $(then: $into:tt;)?
    } $($rest:tt)*) => {
        $crate::front::list::each_form!(@ $callback, $extra, [$($forms)*
            {
                name: $fn; family: $family; reads: [$($r),*]; out: $out;
                doc: $doc; more: $more;
                lead: $lead; params: $params; panics: $panics; checks: $checks;
                kernel: |$k, $io| $kernel;
                elem: move |[$($ein),*], $eold| $elem;
                backward: [$($ein),*];
            }
            $($into)?
        ] $($rest)*);
    };
}
pub(crate) use each_form;

/// A `for_each_form!` callback that calls `$helper!` once per form, with
/// `$extra` (a bracketed group) and what the slice and array fronts need,
/// in this order:
///
/// ```text
/// [extra]
/// doc: "sentence"; more: [#[doc = "..."]...]; panics: ["when", ...];
/// fn name(reads, ...; lead: type, ...; out; param: type, ...);
/// checks: [check, ...]; kernel: |k, io| call; elem: |[inputs], old| result;
/// ```
macro_rules! per_form {
    ([$helper:tt $extra:tt] $({
        name: $name:ident; family: $family:ident; reads: [$($r:ident),*]; out: $out:ident;
        doc: $doc:literal; more: {$($more:tt)*};
        lead: [$($lp:ident: $lty:ty $(= $ld:tt)?),*];
        params: [$($p:ident: $pty:ty $(= $pd:tt)?),*];
        panics: $panics:tt; checks: $checks:tt;
        kernel: |$k:ident, $io:ident| $kernel:expr;
        elem: $elem:expr;
        backward: $backward:tt;
    })*) => {$(
        $crate::front::list::call! {
            $helper $extra
            doc: $doc; more: [$($more)*]; panics: $panics;
            fn $name($($r),*; $($lp: $lty),*; $out; $($p: $pty),*);
            checks: $checks; kernel: |$k, $io| $kernel; elem: $elem;
        }
    )*};
}
pub(crate) use per_form;

/// `call!([path] tokens)` is `path!(tokens)`.
macro_rules! call {
    ([$($helper:ident)::+] $($tokens:tt)*) => {
        $($helper)::+! { $($tokens)* }
    };
}
pub(crate) use call;

/// `f`, typed as an op's element function on `T`, so that the closures
/// the list builds infer their argument types.
#[inline(always)]
pub(crate) fn elem_fn<T, F: Fn([T; N], T) -> T, const N: usize>(f: F) -> F {
    f
}
