//! The module-level functions, written once for `simd`, `par` and the root.

/// Defines every form of the op list as a free function calling `$kernels`
/// (an expression giving a [`Kernels`](crate::Kernels)); `$how` completes
/// each function's doc sentence ("..., on the calling thread.").
macro_rules! entry_points {
    ($kernels:expr, $how:literal) => {
        $crate::front::list::for_each_form!(
            $crate::front::list::per_form,
            [$crate::front::entry_points::entry_point],
            [($kernels) $how]
        );
    };
}
pub(crate) use entry_points;

/// `entry_points!`' function for one form.
macro_rules! entry_point {
    (
        [($kernels:expr) $how:literal] doc: $doc:literal; more: [$($more:tt)*]; panics: $panics:tt;
        fn $name:ident($($r:ident),*; $($lp:ident: $lty:ty),*; $out:ident; $($p:ident: $pty:ty),*);
        checks: $checks:tt; kernel: |$k:ident, $io:ident| $kernel:expr; elem: $elem:expr;
    ) => {
        #[doc = concat!($doc, ", ", $how, ".")]
        $($more)*
        #[doc = $crate::front::list::panics_doc!($panics, [$($r),*], "the lengths differ")]
        #[inline]
        #[track_caller]
        pub fn $name<T: $crate::Element>($($r: &[T],)* $($lp: $lty,)* $out: &mut [T] $(, $p: $pty)*) {
            $kernels.$name($($r,)* $($lp,)* $out $(, $p)*)
        }
    };
}
pub(crate) use entry_point;

/// Defines every form of the per-channel list as a free function calling
/// `$kernels`, as [`entry_points!`] does for the elementwise list.
macro_rules! channel_entry_points {
    ($kernels:expr, $how:literal) => {
        $crate::for_each_channel_op!(
            $crate::front::channel_list::per_channel_form,
            [$crate::front::entry_points::channel_entry_point],
            [($kernels) $how]
        );
        $crate::for_each_channel_grad_op!(
            $crate::front::channel_list::per_channel_grad_form,
            [$crate::front::entry_points::grad_entry_point],
            [($kernels) $how]
        );
    };
}
pub(crate) use channel_entry_points;

/// `channel_entry_points!`' function for one form.
macro_rules! channel_entry_point {
    (
        [($kernels:expr) $how:literal] $kind:ident: $name:ident; family: $family:ident; param: $param:ident;
        about: $about:literal; panics: $panics:tt; params: [$($p:ident: $pty:ty),*]; checks: $checks:tt;
        kernel: |$k:ident, $io:ident, $inner:ident| $kernel:expr; elem: |$ex:ident, $ep:ident| $elem:expr;
    ) => {
        $crate::front::entry_points::channel_entry_point!(
            @ $kind $name, $param, [$($p: $pty),*], $about, $panics, ($kernels), $how
        );
    };
    (@ inplace $name:ident, $param:ident, [$($p:ident: $pty:ty),*], $about:literal, $panics:tt, ($kernels:expr), $how:literal) => {
        #[doc = $crate::front::channel_list::channel_doc!($about, $param, "in place on `x`", $how)]
        #[doc = $crate::front::channel_list::channel_panics_doc!($panics, "")]
        #[inline]
        #[track_caller]
        pub fn $name<T: $crate::Element>(x: &mut [T], $param: &[T], inner: usize $(, $p: $pty)*) {
            $kernels.$name(x, $param, inner $(, $p)*)
        }
    };
    (@ into $name:ident, $param:ident, [$($p:ident: $pty:ty),*], $about:literal, $panics:tt, ($kernels:expr), $how:literal) => {
        #[doc = $crate::front::channel_list::channel_doc!($about, $param, "from `x` into `y`", $how)]
        #[doc = $crate::front::channel_list::channel_panics_doc!($panics, ", or if `x` and `y` differ in length")]
        #[inline]
        #[track_caller]
        pub fn $name<T: $crate::Element>(x: &[T], $param: &[T], inner: usize, y: &mut [T] $(, $p: $pty)*) {
            $kernels.$name(x, $param, inner, y $(, $p)*)
        }
    };
}
pub(crate) use channel_entry_point;

/// `channel_entry_points!`' function for one backward pass with a
/// parameter gradient.
macro_rules! grad_entry_point {
    (
        [($kernels:expr) $how:literal] sig: param; name: $name:ident; input: $input:ident; param: $param:ident;
        sums: $sums:ident; about: $about:literal; params: []; panics: $panics:tt; checks: $checks:tt; op: $op:expr;
    ) => {
        #[doc = $crate::front::channel_list::grad_doc!($about, $how, $panics, $param)]
        #[inline]
        #[track_caller]
        pub fn $name<T: $crate::Element>($input: &[T], $param: &[T], inner: usize, grad: &mut [T], $sums: &mut [T]) {
            $kernels.$name($input, $param, inner, grad, $sums)
        }
    };
    (
        [($kernels:expr) $how:literal] sig: bias; name: $name:ident; input: $input:ident; param: $param:ident;
        sums: $sums:ident; about: $about:literal; params: [$($p:ident: $pty:ty),*]; panics: $panics:tt;
        checks: $checks:tt; op: $op:expr;
    ) => {
        #[doc = $crate::front::channel_list::grad_doc!($about, $how, $panics, $sums)]
        #[inline]
        #[track_caller]
        pub fn $name<T: $crate::Element>($input: &[T], grad: &mut [T], inner: usize $(, $p: $pty)*, $sums: &mut [T]) {
            $kernels.$name($input, grad, inner $(, $p)*, $sums)
        }
    };
}
pub(crate) use grad_entry_point;
