//! The reference implementation, one plain function per op: the
//! specification that every other path must match bit for bit.
//!
//! These are deliberately the most obvious code for the semantics table in
//! the crate documentation; the slice forms are plain loops over them. They
//! are also the fallback for targets and sizes where vectors do not pay.

use crate::Element;
use crate::front::check::check_lengths;

pub use crate::ops::spec::{
    clamp, clamp_backward, leaky_relu, leaky_relu_backward, leaky_relu_grad, relu, relu_backward,
    relu_backward_from_output, relu_grad, relu6,
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
