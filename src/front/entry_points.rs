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
