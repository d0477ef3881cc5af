//! Backward passes with a parameter gradient: every element's result, and
//! per channel the sum of its terms (see `ops::sum` for the order). A
//! channel's sum is built on one thread, in index order, so a call is
//! shared by whole channels: each participant takes groups of channels
//! and walks every outer row's stripe of them, with the group's sums on
//! its stack.

use super::work::Work;
use crate::Element;
use crate::arch::{Body, Level, Vector, dispatch};
use crate::ops::param_grad::WithGrad;
use crate::ops::sum::{LANES, Sums, step};
use wide::f64x4;

/// The sums one group keeps on the stack (16 KiB): 1024 channels of
/// channels-last data (one sum each), or 128 channels of longer runs
/// ([`LANES`] each).
const GROUP_SUMS: usize = 1024;

/// One call: `grad[i] = op(x[i], grad[i], param[c])` for every element,
/// and `sums[c]` the channel's gradient.
pub(crate) struct Reduce<T: 'static, F> {
    pub(crate) level: Level,
    pub(crate) op: F,
    pub(crate) x: *const T,
    pub(crate) grad: *mut T,
    /// The parameter per channel (`channels` elements), or dangling where
    /// the op reads none.
    pub(crate) params: *const T,
    /// The parameter's gradient (`channels` elements).
    pub(crate) sums: *mut T,
    pub(crate) channels: usize,
    pub(crate) inner: usize,
    pub(crate) outer: usize,
}

// SAFETY: the pointers stand for slices of `T: Send + Sync` borrowed for
// the call; they are only touched through `run_range`, whose contract keeps
// concurrent channel ranges disjoint, and a channel range owns its
// elements in every row and its sums.
unsafe impl<T: Send + Sync, F: Sync> Sync for Reduce<T, F> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync, F: Send> Send for Reduce<T, F> {}

impl<T: Element, F: WithGrad<T>> Work for Reduce<T, F> {
    /// Parts are channels.
    fn len(&self) -> usize {
        self.channels
    }

    unsafe fn run_range(&self, start: usize, len: usize) {
        let per_channel = if self.inner == 1 { 1 } else { LANES };
        let group = GROUP_SUMS / per_channel;
        let mut first = start;
        while first < start + len {
            let end = (first + group).min(start + len);
            // SAFETY: the level is supported (`Kernels` holds only such
            // levels); the channels are this call's own (caller contract).
            unsafe {
                dispatch(
                    self.level,
                    Group {
                        call: self,
                        first,
                        end,
                    },
                )
            };
            first = end;
        }
    }
}

/// The channels `first..end` of a call, run at one level.
struct Group<'a, T: 'static, F> {
    call: &'a Reduce<T, F>,
    first: usize,
    end: usize,
}

impl<T: Element, F: WithGrad<T>> Body<T> for Group<'_, T, F> {
    #[inline(always)]
    fn scalar(self) {
        self.run()
    }
    #[inline(always)]
    unsafe fn vector<V: Vector<Elem = T>>(self) {
        // Scalar code, compiled inside the level's kernel: the compiler
        // vectorizes it with the level's instructions.
        self.run()
    }
}

impl<T: Element, F: WithGrad<T>> Group<'_, T, F> {
    #[inline(always)]
    fn run(self) {
        let call = self.call;
        let op = call.op;
        let (inner, width) = (call.inner, self.end - self.first);
        let mut sums = Sums::<GROUP_SUMS>::ZERO;
        let param = |ch: usize| {
            // SAFETY: `ch < channels`, and `params` holds `channels`
            // elements where the op reads it.
            if F::PARAM {
                unsafe { *call.params.add(ch) }
            } else {
                T::ZERO
            }
        };
        for o in 0..call.outer {
            let base = (o * call.channels + self.first) * inner;
            // SAFETY: the stripe `base..base + width * inner` lies inside
            // the buffers (`outer * channels * inner` elements) and belongs
            // to these channels alone (`run_range`'s contract); `x` and
            // `grad` are different slices.
            let (x, grad) = unsafe {
                (
                    core::slice::from_raw_parts(call.x.add(base), width * inner),
                    core::slice::from_raw_parts_mut(call.grad.add(base), width * inner),
                )
            };
            if inner == 1 {
                // One sum per channel: the row against the sums, which the
                // compiler vectorizes across channels.
                let (sum, comp) = (&mut sums.sum[..width], &mut sums.comp[..width]);
                let (x, grad) = (&x[..width], &mut grad[..width]);
                for j in 0..width {
                    let (dz, t) = op.elem(x[j], grad[j], param(self.first + j));
                    grad[j] = dz;
                    (sum[j], comp[j]) = step(sum[j], comp[j], t);
                }
                continue;
            }
            for (j, (x, grad)) in x
                .chunks_exact(inner)
                .zip(grad.chunks_exact_mut(inner))
                .enumerate()
            {
                let p = param(self.first + j);
                // The channel's lanes, held in registers along the run as
                // two vectors of four (the compiler does not vectorize
                // eight scalar chains by itself).
                let lanes = j * LANES..(j + 1) * LANES;
                let load = |a: &[f64]| [f64x4::from(&a[..4]), f64x4::from(&a[4..])];
                let [mut s0, mut s1] = load(&sums.sum[lanes.clone()]);
                let [mut c0, mut c1] = load(&sums.comp[lanes.clone()]);
                let mut xs = x.chunks_exact(LANES);
                let mut gs = grad.chunks_exact_mut(LANES);
                for (x, g) in (&mut xs).zip(&mut gs) {
                    let mut t = [0.0; LANES];
                    for l in 0..LANES {
                        let (dz, term) = op.elem(x[l], g[l], p);
                        g[l] = dz;
                        t[l] = term;
                    }
                    (s0, c0) = step(s0, c0, f64x4::from(&t[..4]));
                    (s1, c1) = step(s1, c1, f64x4::from(&t[4..]));
                }
                let at = lanes.start;
                sums.sum[at..at + 4].copy_from_slice(&s0.to_array());
                sums.sum[at + 4..lanes.end].copy_from_slice(&s1.to_array());
                sums.comp[at..at + 4].copy_from_slice(&c0.to_array());
                sums.comp[at + 4..lanes.end].copy_from_slice(&c1.to_array());
                for (l, (x, g)) in xs.remainder().iter().zip(gs.into_remainder()).enumerate() {
                    let (dz, t) = op.elem(*x, *g, p);
                    *g = dz;
                    sums.add(lanes.start + l, t);
                }
            }
        }
        for j in 0..width {
            let total = if inner == 1 {
                sums.single(j)
            } else {
                sums.total(j * LANES)
            };
            // SAFETY: `first + j < channels`, this group's own.
            unsafe { *call.sums.add(self.first + j) = T::from_f64(total) };
        }
    }
}
