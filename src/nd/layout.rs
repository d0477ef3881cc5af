//! The walk over arrays whose memory orders do not line up: their
//! contiguous lanes through the kernels, or, where no axis is contiguous in
//! every array, element by element.
//!
//! Everything here goes through `ndarray`'s safe views: elementwise ops
//! only need corresponding elements to meet, so reversing an axis in every
//! array at once, merging axes that are contiguous together, and cutting
//! every array at the same index all keep the answer, and each is a safe
//! view operation.

use ndarray::{ArrayView, ArrayView1, ArrayViewMut, ArrayViewMut1, Axis, Dimension};

use crate::{Element, Kernels};

/// An op as the walk calls it: on slices with a given [`Kernels`], and on
/// single elements (`elem(inputs, old output)`), for lanes that are not
/// contiguous.
pub(crate) struct Op<S, E> {
    pub(crate) slices: S,
    pub(crate) elem: E,
}

/// Runs `op` over arrays of one shape (checked by the caller) whose memory
/// orders differ, or that are not contiguous.
pub(crate) fn walk<A, D, S, E, const N: usize>(
    mut ins: [ArrayView<'_, A, D>; N],
    mut out: ArrayViewMut<'_, A, D>,
    op: &Op<S, E>,
) where
    A: Element,
    D: Dimension,
    S: Fn(Kernels, [&[A]; N], &mut [A]) + Sync,
    E: Fn([A; N], A) -> A + Sync,
{
    let axis = match unit_axis(&ins, &out) {
        Some(axis) => {
            lengthen(&mut ins, &mut out, axis);
            axis
        }
        None => fastest_axis(&out),
    };
    let pieces = pieces::<A, N>(out.len());
    let kernels = Kernels::serial();
    split(ins, out, axis, pieces, &|ins, out| {
        lanes(ins, out, Axis(axis), kernels, op)
    });
}

/// An axis along which every array steps by one element, all forwards or
/// all backwards.
fn unit_axis<A, D: Dimension, const N: usize>(
    ins: &[ArrayView<'_, A, D>; N],
    out: &ArrayViewMut<'_, A, D>,
) -> Option<usize> {
    (0..out.ndim()).find(|&k| {
        let s = out.strides()[k];
        out.shape()[k] > 1 && s.unsigned_abs() == 1 && ins.iter().all(|a| a.strides()[k] == s)
    })
}

/// Makes `axis` step forwards in every array and merges into it every axis
/// that continues it in every array, so that lanes are as long as the
/// layouts allow (an array stepped on its outer axis keeps whole inner
/// blocks contiguous, which one lane then covers).
fn lengthen<A, D: Dimension, const N: usize>(
    ins: &mut [ArrayView<'_, A, D>; N],
    out: &mut ArrayViewMut<'_, A, D>,
    axis: usize,
) {
    if out.strides()[axis] < 0 {
        invert(ins, out, axis);
    }
    loop {
        let len = out.shape()[axis] as isize;
        let next = (0..out.ndim()).find(|&j| {
            let s = out.strides()[j];
            j != axis
                && out.shape()[j] > 1
                && s.abs() == len
                && ins.iter().all(|a| a.strides()[j] == s)
        });
        let Some(j) = next else { break };
        if out.strides()[j] < 0 {
            invert(ins, out, j);
        }
        // Every array has stride `len` on `j` and 1 on `axis`, so every
        // merge succeeds, and the arrays keep one shape.
        let mut merged = out.merge_axes(Axis(j), Axis(axis));
        for a in ins.iter_mut() {
            merged &= a.merge_axes(Axis(j), Axis(axis));
        }
        debug_assert!(merged);
    }
}

fn invert<A, D: Dimension, const N: usize>(
    ins: &mut [ArrayView<'_, A, D>; N],
    out: &mut ArrayViewMut<'_, A, D>,
    axis: usize,
) {
    out.invert_axis(Axis(axis));
    for a in ins.iter_mut() {
        a.invert_axis(Axis(axis));
    }
}

/// The output's axis with the smallest step, for the element-by-element
/// walk: the output is written in an order close to its memory order.
fn fastest_axis<A, D: Dimension>(out: &ArrayViewMut<'_, A, D>) -> usize {
    (0..out.ndim())
        .filter(|&k| out.shape()[k] > 1)
        .min_by_key(|&k| out.strides()[k].unsigned_abs())
        .unwrap_or(0)
}

/// Into how many pieces the walk is cut for rayon's threads: one (serial)
/// below the sizes where the root functions would go parallel on a cold
/// pool, as each piece is handed out with `rayon::join` (which, from
/// outside the pool, waits for a worker to wake).
#[cfg(feature = "rayon")]
fn pieces<A, const N: usize>(len: usize) -> usize {
    use crate::parallel::{
        COLD_MIN_READ_BYTES, MIN_PIECE_BYTES, PARALLEL_THRESHOLD_BYTES, PIECES_PER_THREAD,
    };
    let threads = rayon::current_num_threads();
    // The inputs and the output, which a plain store reads too.
    let read = len
        .saturating_mul(core::mem::size_of::<A>())
        .saturating_mul(N + 1);
    let threshold = if rayon::current_thread_index().is_some() {
        PARALLEL_THRESHOLD_BYTES
    } else {
        COLD_MIN_READ_BYTES
    };
    if threads <= 1 || read < threshold {
        return 1;
    }
    (read / MIN_PIECE_BYTES).clamp(2, threads * PIECES_PER_THREAD)
}

#[cfg(not(feature = "rayon"))]
fn pieces<A, const N: usize>(_len: usize) -> usize {
    1
}

/// Cuts every array at the same index into `pieces` parts and runs `run`
/// on each, in parallel.
fn split<A, D, F, const N: usize>(
    ins: [ArrayView<'_, A, D>; N],
    out: ArrayViewMut<'_, A, D>,
    lane: usize,
    pieces: usize,
    run: &F,
) where
    A: Element,
    D: Dimension,
    F: Fn([ArrayView<'_, A, D>; N], ArrayViewMut<'_, A, D>) + Sync,
{
    #[cfg(feature = "rayon")]
    if pieces > 1 {
        // Across the lanes where the layout allows, so that lanes stay
        // whole; along them when there are too few.
        let axis = (0..out.ndim())
            .filter(|&j| j != lane && out.shape()[j] > 1)
            .max_by_key(|&j| out.shape()[j])
            .unwrap_or(lane);
        let len = out.shape()[axis];
        let left_pieces = pieces / 2;
        let mid = len * left_pieces / pieces;
        if 0 < mid && mid < len {
            let (out_l, out_r) = out.split_at(Axis(axis), mid);
            let halves = ins.map(|a| a.split_at(Axis(axis), mid));
            let ins_l = halves.clone().map(|h| h.0);
            let ins_r = halves.map(|h| h.1);
            rayon::join(
                || split(ins_l, out_l, lane, left_pieces, run),
                || split(ins_r, out_r, lane, pieces - left_pieces, run),
            );
            return;
        }
    }
    #[cfg(not(feature = "rayon"))]
    let _ = (lane, pieces);
    run(ins, out);
}

/// Every lane along `axis`, one after the other.
fn lanes<A, D, S, E, const N: usize>(
    ins: [ArrayView<'_, A, D>; N],
    mut out: ArrayViewMut<'_, A, D>,
    axis: Axis,
    kernels: Kernels,
    op: &Op<S, E>,
) where
    A: Element,
    D: Dimension,
    S: Fn(Kernels, [&[A]; N], &mut [A]),
    E: Fn([A; N], A) -> A,
{
    // Lanes come in the order of the other axes' indices whatever the
    // strides, so the arrays' lanes correspond one to one.
    let mut in_lanes = ins.each_ref().map(|a| a.lanes(axis).into_iter());
    for out in out.lanes_mut(axis) {
        let ins = in_lanes
            .each_mut()
            .map(|l| l.next().expect("arrays of one shape have as many lanes"));
        lane(ins, out, kernels, op);
    }
}

/// One lane: through the kernel when it is contiguous in every array,
/// else element by element.
fn lane<A, S, E, const N: usize>(
    ins: [ArrayView1<'_, A>; N],
    mut out: ArrayViewMut1<'_, A>,
    kernels: Kernels,
    op: &Op<S, E>,
) where
    A: Element,
    S: Fn(Kernels, [&[A]; N], &mut [A]),
    E: Fn([A; N], A) -> A,
{
    if let (Some(src), Some(dst)) = (
        all_some(ins.each_ref().map(|l| l.to_slice())),
        out.as_slice_mut(),
    ) {
        return (op.slices)(kernels, src, dst);
    }
    let mut ins = ins.map(|l| l.into_iter());
    for o in out.iter_mut() {
        let x = ins
            .each_mut()
            .map(|l| *l.next().expect("lanes of one shape have one length"));
        *o = (op.elem)(x, *o);
    }
}

/// `Some` of every value, if every one is `Some`.
pub(crate) fn all_some<T, const N: usize>(opts: [Option<T>; N]) -> Option<[T; N]> {
    if opts.iter().any(Option::is_none) {
        return None;
    }
    Some(opts.map(|o| o.expect("checked above")))
}
