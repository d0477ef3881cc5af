//! The reference implementation, one plain function per op: the
//! specification that every other path must match bit for bit.
//!
//! These are deliberately the most obvious code for the semantics table in
//! the crate documentation; the slice forms are plain loops over them. They
//! are also the fallback for targets and sizes where vectors do not pay.

use crate::Element;
use crate::front::check::check_lengths;

pub use crate::ops::spec::{
    bias_leaky_relu, bias_relu, clamp, clamp_backward, leaky_relu, leaky_relu_backward,
    leaky_relu_grad, relu, relu_backward, relu_backward_from_output, relu_grad, relu6,
};

crate::front::list::for_each_form!(crate::front::list::per_form, [slice_loop], []);

/// One slice function per form of the op list: a plain loop over the
/// element functions above, so that the reference shares no code with the
/// vector loops it checks.
macro_rules! slice_loop {
    (
        [] doc: $doc:literal; more: [$($more:tt)*]; panics: $panics:tt;
        fn $name:ident($($r:ident),*; $($lp:ident: $lty:ty),*; $out:ident; $($p:ident: $pty:ty),*);
        checks: [$($check:expr),*]; kernel: |$k:ident, $io:ident| $kernel:expr; elem: $elem:expr;
    ) => {
        #[doc = concat!($doc, ".")]
        $($more)*
        #[doc = crate::front::list::panics_doc!($panics, [$($r),*], "the lengths differ")]
        #[track_caller]
        pub fn $name<T: Element>($($r: &[T],)* $($lp: $lty,)* $out: &mut [T] $(, $p: $pty)*) {
            $($check;)*
            check_lengths(&[$((stringify!($r), $r.len()),)* (stringify!($out), $out.len())]);
            let elem = crate::front::list::elem_fn::<T, _, _>($elem);
            for i in 0..$out.len() {
                $out[i] = elem([$($r[i]),*], $out[i]);
            }
        }
    };
}
use slice_loop;

/// The per-channel ops (see [`crate::channels`]) as plain loops over the
/// element functions: the reference the other paths match bit for bit.
pub mod channels {
    use crate::Element;
    use crate::front::check::{check_layout, check_lengths};
    use crate::ops::param_grad::WithGrad;
    use crate::ops::sum::{BLOCK_ROWS, LANES, Sums};

    crate::for_each_channel_op!(
        crate::front::channel_list::per_channel_form,
        [channel_loop],
        []
    );

    crate::for_each_channel_grad_op!(
        crate::front::channel_list::per_channel_grad_form,
        [grad_loop],
        []
    );

    /// The reference of a backward pass with a parameter gradient: the
    /// channels one after another, each block of `BLOCK_ROWS` rows in
    /// turn, each element in index order, its term into lane `k % LANES`
    /// of the block's sums (`k` its position in its run), the blocks'
    /// pairs added in order: the order `ops::sum` defines.
    fn with_grad<T: Element, F: WithGrad<T>>(
        op: F,
        x: &[T],
        params: &[T],
        grad: &mut [T],
        sums: &mut [T],
        inner: usize,
    ) {
        let channels = sums.len();
        let outer = grad.len() / (channels * inner);
        for (c, out) in sums.iter_mut().enumerate() {
            let p = if F::PARAM { params[c] } else { T::ZERO };
            let mut total = Sums::<1>::ZERO;
            for block in (0..outer).step_by(BLOCK_ROWS) {
                let mut lanes = Sums::<LANES>::ZERO;
                for o in block..(block + BLOCK_ROWS).min(outer) {
                    for k in 0..inner {
                        let i = (o * channels + c) * inner + k;
                        let (dz, t) = op.elem(x[i], grad[i], p);
                        grad[i] = dz;
                        lanes.add(k % LANES, t);
                    }
                }
                let (s, comp) = lanes.lanes(0);
                total.add_pair(0, s, comp);
            }
            *out = T::from_f64(total.single(0));
        }
    }

    /// One reference function per backward pass with a parameter gradient.
    macro_rules! grad_loop {
        (
            [] sig: param; name: $name:ident; input: $input:ident; param: $param:ident; sums: $sums:ident;
            about: $about:literal; params: []; panics: $panics:tt; checks: [$($check:expr),*]; op: $op:expr;
        ) => {
            #[doc = crate::front::channel_list::grad_doc!($about, ", one element at a time", $panics, $param)]
            #[track_caller]
            pub fn $name<T: Element>($input: &[T], $param: &[T], inner: usize, grad: &mut [T], $sums: &mut [T]) {
                $($check;)*
                check_layout(grad.len(), $param.len(), inner);
                check_lengths(&[(stringify!($input), $input.len()), ("grad", grad.len())]);
                check_lengths(&[(stringify!($param), $param.len()), (stringify!($sums), $sums.len())]);
                with_grad($op, $input, $param, grad, $sums, inner)
            }
        };
        (
            [] sig: bias; name: $name:ident; input: $input:ident; param: $param:ident; sums: $sums:ident;
            about: $about:literal; params: [$($p:ident: $pty:ty),*]; panics: $panics:tt;
            checks: [$($check:expr),*]; op: $op:expr;
        ) => {
            #[doc = crate::front::channel_list::grad_doc!($about, ", one element at a time", $panics, $sums)]
            #[track_caller]
            pub fn $name<T: Element>($input: &[T], grad: &mut [T], inner: usize $(, $p: $pty)*, $sums: &mut [T]) {
                $($check;)*
                check_layout(grad.len(), $sums.len(), inner);
                check_lengths(&[(stringify!($input), $input.len()), ("grad", grad.len())]);
                with_grad($op, $input, &[], grad, $sums, inner)
            }
        };
    }
    use grad_loop;

    /// One reference loop per form of the per-channel list.
    macro_rules! channel_loop {
        (
            [] $kind:ident: $name:ident; family: $family:ident; param: $param:ident;
            about: $about:literal; panics: $panics:tt; params: [$($p:ident: $pty:ty),*];
            checks: [$($check:expr),*];
            kernel: |$k:ident, $io:ident, $inner:ident| $kernel:expr; elem: |$ex:ident, $ep:ident| $elem:expr;
        ) => {
            channel_loop!(@ $kind $name, $param, [$($p: $pty),*], $about, $panics, [$($check),*], |$ex, $ep| $elem);
        };
        (@ inplace $name:ident, $param:ident, [$($p:ident: $pty:ty),*], $about:literal, $panics:tt,
            [$($check:expr),*], |$ex:ident, $ep:ident| $elem:expr) => {
            #[doc = crate::front::channel_list::channel_doc!($about, $param, "in place on `x`", ", one element at a time")]
            #[doc = crate::front::channel_list::channel_panics_doc!($panics, "")]
            #[track_caller]
            pub fn $name<T: Element>(x: &mut [T], $param: &[T], inner: usize $(, $p: $pty)*) {
                $($check;)*
                check_layout(x.len(), $param.len(), inner);
                crate::front::check::check_finite(stringify!($param), $param);
                for i in 0..x.len() {
                    let ($ex, $ep) = (x[i], $param[(i / inner) % $param.len()]);
                    x[i] = $elem;
                }
            }
        };
        (@ into $name:ident, $param:ident, [$($p:ident: $pty:ty),*], $about:literal, $panics:tt,
            [$($check:expr),*], |$ex:ident, $ep:ident| $elem:expr) => {
            #[doc = crate::front::channel_list::channel_doc!($about, $param, "from `x` into `y`", ", one element at a time")]
            #[doc = crate::front::channel_list::channel_panics_doc!($panics, ", or if `x` and `y` differ in length")]
            #[track_caller]
            pub fn $name<T: Element>(x: &[T], $param: &[T], inner: usize, y: &mut [T] $(, $p: $pty)*) {
                $($check;)*
                check_layout(x.len(), $param.len(), inner);
                check_lengths(&[("x", x.len()), ("y", y.len())]);
                crate::front::check::check_finite(stringify!($param), $param);
                for i in 0..x.len() {
                    let ($ex, $ep) = (x[i], $param[(i / inner) % $param.len()]);
                    y[i] = $elem;
                }
            }
        };
    }
    use channel_loop;
}
