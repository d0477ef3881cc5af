//! Every function of the crate over `ndarray` arrays of any dimension and
//! layout (feature `ndarray`, on `ndarray` 0.17).
//!
//! Arrays are taken as `&mut ArrayRef` (written) and `&ArrayRef` (read),
//! which owned arrays and views of every kind dereference to, so callers
//! pass `&mut a` or `&mut view`:
//!
//! ```
//! use ndarray::{Array2, s};
//! use relu_kernels::nd;
//!
//! let mut a = Array2::from_shape_fn((4, 6), |(i, j)| i as f32 - j as f32);
//! nd::relu_inplace(&mut a);                         // the whole array
//! nd::leaky_relu_inplace(&mut a.slice_mut(s![..;2, ..]), 0.01); // every other row
//!
//! let x = Array2::from_elem((3, 2), -1.0f64);
//! let mut dx = Array2::zeros((2, 3));
//! nd::relu_grad_into(&x.t(), &mut dx);              // any layout on either side
//! assert!(dx.iter().all(|&v| v == 0.0));
//! ```
//!
//! The per-channel ops (bias + activation, PReLU and their backward passes
//! with the parameters' gradients) are in [`channels`], the channel axis
//! given as an [`Axis`](ndarray::Axis):
//!
//! ```
//! use ndarray::{Array4, Axis};
//! use relu_kernels::nd;
//!
//! // NCHW: a slope per channel, axis 1.
//! let mut x = Array4::from_shape_fn((2, 3, 4, 4), |(n, c, h, w)| (n + c + h) as f32 - w as f32);
//! nd::channels::prelu_inplace(&mut x, &[0.25, 0.5, 1.0], Axis(1));
//! assert_eq!(x[(0, 0, 0, 3)], -0.75);
//! ```
//!
//! Every layout gives the bits of the [`scalar`](crate::scalar) reference
//! applied element by element (any NaN for a NaN, as on every path). The
//! layout only decides the speed:
//! - arrays contiguous in memory (C order, Fortran order, any permutation
//!   of their axes, reversed axes) whose strides agree, so that their
//!   memory orders pair the same elements, are one call of the crate
//!   root's slice function: parallel above its thresholds;
//! - otherwise, when some axis steps by one element in every array (all
//!   forwards or all backwards), the lanes along it run through the
//!   single-threaded kernels, with the axes that continue them merged in
//!   (every other row of a C-order matrix is one lane per row; every other
//!   matrix of a C-order stack is one lane per matrix);
//! - with no such axis (a C-order array with a Fortran-order one, columns
//!   stepped with `s![.., ..;2]`, a transposed view against an untransposed
//!   one), the arrays are walked element by element with the scalar
//!   reference, along the output's shortest step.
//!
//! Either walk is shared among threads where the root functions would
//! share a slice of the same size: from outside rayon's pool by the same
//! driver (the caller starts at once and never waits for a worker to
//! start; helpers that linger from the previous call join in), from inside
//! a pool with `rayon::join`.
//!
//! # Panics
//! Before anything is written: if `alpha` is not finite, or if the arrays
//! of one call differ in shape (there is no broadcasting; the message gives
//! every shape).
//!
//! # Overlap
//! The written array is borrowed mutably and the read ones shared, so in
//! safe code they cannot overlap in memory. Arrays that overlap through
//! `unsafe` code (views built from raw pointers, or an output view whose
//! elements share addresses) break that borrow's promise, and calling these
//! functions with them is undefined behaviour: the kernels read and write
//! whole vectors at a time, and the parallel paths write from several
//! threads at once.

pub mod channels;
mod layout;

use ndarray::{ArrayRef, Dimension};

use crate::{Element, Kernels};

use layout::{LaneOp, all_some};

/// Runs one op over `ins` (read) and `out` (written): the whole memory in
/// one call of the root slice function when the layouts allow, else the
/// layout walk. `slices` is the op on slices for a given [`Kernels`], `elem`
/// the op on one element (`elem(inputs, old output)`).
#[track_caller]
fn drive<A, D, S, E, const N: usize>(
    ins: [(&str, &ArrayRef<A, D>); N],
    out: (&str, &mut ArrayRef<A, D>),
    slices: S,
    elem: E,
) where
    A: Element,
    D: Dimension,
    S: Fn(Kernels, [&[A]; N], &mut [A]) + Send + Sync + 'static,
    E: Fn([A; N], A) -> A + Send + Sync + 'static,
{
    check_shapes(&ins, (out.0, &*out.1));
    let (_, out) = out;
    if out.is_empty() {
        return;
    }
    let ins = ins.map(|(_, a)| a);
    // The same strides and a contiguous output: every input is contiguous
    // too, and its memory order pairs its elements with the output's.
    if ins.iter().all(|a| same_strides(a, out))
        && let Some(dst) = out.as_slice_memory_order_mut()
        && let Some(src) = all_some(ins.map(|a| a.as_slice_memory_order()))
    {
        return slices(Kernels::auto(), src, dst);
    }
    layout::walk(
        ins.map(|a| a.view()),
        out.view_mut(),
        LaneOp { slices, elem },
    );
}

/// Panics, naming every shape, unless the arrays `ins` (named) have
/// `out`'s shape.
#[track_caller]
fn check_shapes<A, D: Dimension, const N: usize>(
    ins: &[(&str, &ArrayRef<A, D>); N],
    out: (&str, &ArrayRef<A, D>),
) {
    if ins.iter().any(|(_, a)| a.shape() != out.1.shape()) {
        panic!(
            "relu-kernels: array shapes differ: {}",
            Shapes {
                ins: &ins.map(|(name, a)| (name, a.shape())),
                out: (out.0, out.1.shape()),
            }
        );
    }
}

/// Whether the strides agree on every axis that has more than one element
/// (the stride of a one-element axis never moves the address).
#[inline]
fn same_strides<A, D: Dimension>(a: &ArrayRef<A, D>, b: &ArrayRef<A, D>) -> bool {
    a.shape()
        .iter()
        .zip(a.strides().iter().zip(b.strides()))
        .all(|(&n, (s, t))| n <= 1 || s == t)
}

/// The operands' shapes, for the mismatch message.
struct Shapes<'a, const N: usize> {
    ins: &'a [(&'a str, &'a [usize]); N],
    out: (&'a str, &'a [usize]),
}

impl<const N: usize> core::fmt::Display for Shapes<'_, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (name, shape) in self.ins {
            write!(f, "{name}.shape() = {shape:?}, ")?;
        }
        write!(f, "{}.shape() = {:?}", self.out.0, self.out.1)
    }
}

crate::front::list::for_each_form!(crate::front::list::per_form, [array_fn], []);

/// One function per form of the op list, over arrays of one shape.
macro_rules! array_fn {
    (
        [] doc: $doc:literal; more: [$($more:tt)*]; panics: $panics:tt;
        fn $name:ident($($r:ident),*; $($lp:ident: $lty:ty),*; $out:ident; $($p:ident: $pty:ty),*);
        checks: [$($check:expr),*]; kernel: |$k:ident, $io:ident| $kernel:expr; elem: $elem:expr;
    ) => {
        #[doc = concat!($doc, "; over arrays, `i` is every index.")]
        $($more)*
        #[doc = crate::front::list::panics_doc!($panics, [$($r),*], "the shapes differ")]
        #[inline]
        #[track_caller]
        pub fn $name<T: Element, D: Dimension>(
            $($r: &ArrayRef<T, D>,)*
            $($lp: $lty,)*
            $out: &mut ArrayRef<T, D>
            $(, $p: $pty)*
        ) {
            $($check;)*
            drive(
                [$((stringify!($r), $r)),*],
                (stringify!($out), $out),
                move |kernels, [$($r),*], $out| kernels.$name($($r,)* $($lp,)* $out $(, $p)*),
                $elem,
            )
        }
    };
}
use array_fn;
