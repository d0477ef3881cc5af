//! The walk over arrays whose memory orders do not line up: their
//! contiguous lanes through the kernels, or, where no axis is contiguous in
//! every array, element by element.
//!
//! Elementwise ops only need corresponding elements to meet, so reversing
//! an axis in every array at once, merging axes that are contiguous
//! together, and cutting every array at the same index all keep the
//! answer; each is a safe view operation. Only lanes shared with the
//! crate's parallel driver (whose helpers may outlive a borrow) go as
//! addresses, in [`shared_walk`].

use ndarray::{ArrayView, ArrayView1, ArrayViewMut, ArrayViewMut1, Axis, Dimension};

use crate::{Element, Kernels};

/// An op as the walk calls it: on slices with a given [`Kernels`], and on
/// single elements (`elem(inputs, old output)`), for lanes that are not
/// contiguous.
pub(crate) struct LaneOp<S, E> {
    pub(crate) slices: S,
    pub(crate) elem: E,
}

/// Runs `op` over arrays of one shape (checked by the caller) whose memory
/// orders differ, or that are not contiguous.
pub(crate) fn walk<A, D, S, E, const N: usize>(
    mut ins: [ArrayView<'_, A, D>; N],
    mut out: ArrayViewMut<'_, A, D>,
    op: LaneOp<S, E>,
) where
    A: Element,
    D: Dimension,
    S: Fn(Kernels, [&[A]; N], &mut [A]) + Send + Sync + 'static,
    E: Fn([A; N], A) -> A + Send + Sync + 'static,
{
    let kernels = Kernels::serial();
    let axis = match unit_axis(&ins, &out) {
        Some(axis) => {
            lengthen(&mut ins, &mut out, axis);
            axis
        }
        None => fastest_axis(&out),
    };
    // The inputs and the output, which a plain store reads too.
    let read_per_elem = core::mem::size_of::<A>() * (N + 1);
    // From outside the pool the lanes are shared the way the root
    // functions share a slice: the caller starts at once and never waits
    // for a worker to start, helpers that linger from the previous call
    // join in.
    #[cfg(feature = "rayon")]
    if rayon::current_thread_index().is_none() {
        let dst_bytes = out.len().saturating_mul(core::mem::size_of::<A>());
        let read = out.len().saturating_mul(read_per_elem);
        if let Some(wake) = crate::driver::policy::outside_wake(dst_bytes, read) {
            return shared_walk::share(ins, out, axis, kernels, op, wake);
        }
        return lanes(ins, out, Axis(axis), kernels, &op);
    }
    let pieces = pieces(out.len(), read_per_elem);
    split(ins, out, axis, pieces, &|ins, out| {
        lanes(ins, out, Axis(axis), kernels, &op)
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

/// Into how many pieces a call from a pool worker is cut, with
/// `rayon::join`: the root functions' rule for a slice of `len` elements
/// reading `read_per_elem` bytes each.
#[cfg(feature = "rayon")]
fn pieces(len: usize, read_per_elem: usize) -> usize {
    crate::driver::policy::pool_pieces(len, read_per_elem, true)
}

#[cfg(not(feature = "rayon"))]
fn pieces(_len: usize, _read_per_elem: usize) -> usize {
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
    op: &LaneOp<S, E>,
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
    op: &LaneOp<S, E>,
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

/// The lanes shared among the caller and pool workers by the crate's
/// parallel driver. The work's parts are the elements in the order of the
/// lanes (numbered in the order of the other axes' indices) and of the
/// positions along them; each participant runs the ranges it claims, a
/// lane's contiguous part through the kernel, any other element by element.
#[cfg(feature = "rayon")]
mod shared_walk {
    use std::vec::Vec;

    use ndarray::{ArrayView, ArrayViewMut, Dimension};

    use super::LaneOp;
    use crate::driver::policy::shared_unit;
    use crate::driver::shared::{Wake, Work};
    use crate::{Element, Kernels};

    /// The arrays as addresses and steps, so that the work outlives the
    /// views' borrow inside the driver (which returns only after every
    /// part has run; see [`Work::run_range`]).
    struct Lanes<A, S, E, const N: usize> {
        ins: [*const A; N],
        out: *mut A,
        /// The other axes of more than one element, outermost first: the
        /// length, the inputs' steps, the output's step.
        outer: Vec<(usize, [isize; N], isize)>,
        lane_len: usize,
        /// The steps along the lane: the inputs', the output's.
        along: ([isize; N], isize),
        /// Whether every step along the lane is one element.
        contiguous: bool,
        len: usize,
        kernels: Kernels,
        op: LaneOp<S, E>,
    }

    // SAFETY: `Lanes` stands for shared borrows of the inputs and a
    // mutable borrow of the output, of `A: Send + Sync`. Threads run
    // disjoint ranges of elements (the contract of `run_range`), and
    // distinct elements of an output view made in safe code never share an
    // address, nor does the output share one with an input (a `&mut` and a
    // `&` borrow); so no element is written by two threads, or read by one
    // while another writes it.
    unsafe impl<A: Send + Sync, S: Send, E: Send, const N: usize> Send for Lanes<A, S, E, N> {}
    // SAFETY: as for `Send`: shared, it is only used through `run_range`.
    unsafe impl<A: Send + Sync, S: Sync, E: Sync, const N: usize> Sync for Lanes<A, S, E, N> {}

    impl<A, S, E, const N: usize> Lanes<A, S, E, N> {
        /// The offsets of element `pos` of lane `lane`: the inputs', the
        /// output's.
        fn offsets(&self, lane: usize, pos: usize) -> ([isize; N], isize) {
            let (mut rest, mut offs, mut off) = (lane, [0isize; N], 0isize);
            for &(n, steps, step) in self.outer.iter().rev() {
                let i = (rest % n) as isize;
                rest /= n;
                for (o, s) in offs.iter_mut().zip(steps) {
                    *o += i * s;
                }
                off += i * step;
            }
            let pos = pos as isize;
            for (o, s) in offs.iter_mut().zip(self.along.0) {
                *o += pos * s;
            }
            (offs, off + pos * self.along.1)
        }
    }

    impl<A, S, E, const N: usize> Work for Lanes<A, S, E, N>
    where
        A: Element,
        S: Fn(Kernels, [&[A]; N], &mut [A]) + Send + Sync + 'static,
        E: Fn([A; N], A) -> A + Send + Sync + 'static,
    {
        fn len(&self) -> usize {
            self.len
        }

        unsafe fn run_range(&self, start: usize, len: usize) {
            let (mut at, end) = (start, start + len);
            while at < end {
                let (lane, pos) = (at / self.lane_len, at % self.lane_len);
                let n = (self.lane_len - pos).min(end - at);
                let (offs, off) = self.offsets(lane, pos);
                // SAFETY (for every access below): `at < len`, so `lane`
                // is below the lane count and its index along each other
                // axis below that axis' length, and `pos + n <= lane_len`;
                // so every element reached is an element of its array. The
                // borrow is still held, and no other thread touches these
                // elements (the contract of `run_range`; see the `Send`
                // impl).
                if self.contiguous {
                    let ins = core::array::from_fn(|k| {
                        // SAFETY: see above; the lane steps by one element.
                        unsafe { core::slice::from_raw_parts(self.ins[k].offset(offs[k]), n) }
                    });
                    // SAFETY: see above; the lane steps by one element.
                    let out = unsafe { core::slice::from_raw_parts_mut(self.out.offset(off), n) };
                    (self.op.slices)(self.kernels, ins, out);
                } else {
                    for i in 0..n as isize {
                        let x = core::array::from_fn(|k| {
                            // SAFETY: see above.
                            unsafe { *self.ins[k].offset(offs[k] + i * self.along.0[k]) }
                        });
                        // SAFETY: see above.
                        unsafe {
                            let o = self.out.offset(off + i * self.along.1);
                            *o = (self.op.elem)(x, *o);
                        }
                    }
                }
                at += n;
            }
        }
    }

    /// Runs the lanes along `axis` shared with pool workers.
    pub(super) fn share<A, D, S, E, const N: usize>(
        ins: [ArrayView<'_, A, D>; N],
        mut out: ArrayViewMut<'_, A, D>,
        axis: usize,
        kernels: Kernels,
        op: LaneOp<S, E>,
        wake: Wake,
    ) where
        A: Element,
        D: Dimension,
        S: Fn(Kernels, [&[A]; N], &mut [A]) + Send + Sync + 'static,
        E: Fn([A; N], A) -> A + Send + Sync + 'static,
    {
        let lane_len = out.shape()[axis];
        let outer = (0..out.ndim())
            .filter(|&j| j != axis && out.shape()[j] > 1)
            .map(|j| {
                (
                    out.shape()[j],
                    ins.each_ref().map(|a| a.strides()[j]),
                    out.strides()[j],
                )
            })
            .collect();
        let along = (
            ins.each_ref().map(|a| a.strides()[axis]),
            out.strides()[axis],
        );
        let contiguous = along.1 == 1 && along.0.iter().all(|&s| s == 1);
        let size = core::mem::size_of::<A>();
        let unit = shared_unit(size * (N + 1));
        // Units start on cache lines where lanes are contiguous.
        let align = if contiguous { 64 / size } else { 1 };
        let work = Lanes {
            ins: ins.each_ref().map(|a| a.as_ptr()),
            out: out.as_mut_ptr(),
            outer,
            lane_len,
            along,
            contiguous,
            len: out.len(),
            kernels,
            op,
        };
        crate::driver::policy::share_from_outside(work, unit, align, wake);
    }
}
