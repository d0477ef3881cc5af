//! Backward passes with a parameter gradient: every element's result, and
//! per channel the sum of its terms (see `ops::sum` for the order: blocks
//! of rows, each summed on its own, then added in block order). A call is
//! shared in one of two ways, with the same bits:
//! - by channels ([`Reduce`]): each participant takes groups of channels
//!   and walks every block of them, a stripe of each row, with the group's
//!   sums on its stack;
//! - by blocks of rows ([`ByBlocks`]), where rows are short: each
//!   participant sums whole blocks for every channel and leaves each
//!   block's pairs in a buffer, which the caller adds in block order.

use super::work::Work;
use crate::Element;
#[cfg(feature = "rayon")]
use crate::arch::Compiled;
use crate::arch::{Body, Level, Vector, dispatch};
use crate::ops::param_grad::WithGrad;
use crate::ops::sum::{
    ArrayLanes, BLOCK_ROWS, LANES, SumLanes, Sums, VectorLanes, add_pair, finish, step,
};

/// The sums one group keeps on the stack (16 KiB): 1024 channels of
/// channels-last data (one sum each), or 128 channels of longer runs
/// ([`LANES`] each).
const GROUP_SUMS: usize = 1024;

/// The rows of channels-last data a block takes at a time.
const DENSE_ROWS: usize = 4;

/// Calls of channels-last data of at most this many bytes take
/// [`DENSE_ROWS`] rows at a time; from further out in the caches, that
/// many streams ran slower than one row at a time (`docs/TUNING.md`).
/// Under Miri, small so that both ways run.
const DENSE_ROWS_MAX_BYTES: usize = if cfg!(miri) { 1024 } else { 2 << 20 };

/// The terms of a run computed before they go into its lanes (1 KiB).
const RUN_PIECE: usize = 128;

/// One call: `grad[i] = op(x[i], grad[i], param[c])` for every element,
/// and `sums[c]` the channel's gradient.
#[derive(Clone, Copy)]
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

impl<T, F> Reduce<T, F> {
    /// The blocks of rows.
    pub(crate) fn blocks(&self) -> usize {
        self.outer.div_ceil(BLOCK_ROWS)
    }

    /// The sums a channel keeps while a block runs.
    fn per_channel(&self) -> usize {
        if self.inner == 1 { 1 } else { LANES }
    }
}

impl<T: Element, F: WithGrad<T>> Reduce<T, F> {
    /// After a [`ByBlocks`] call: adds the blocks' pairs in block order
    /// and writes the channels' sums.
    ///
    /// # Safety
    /// Every block of the call has run and no range runs any more; the
    /// call's sums are still borrowed by the caller.
    #[cfg(feature = "rayon")]
    pub(crate) unsafe fn add_blocks(&self, sum: &[f64], comp: &[f64]) {
        let fold = Fold {
            sum,
            comp,
            channels: self.channels,
            // SAFETY: `sums` holds `channels` elements, borrowed by the
            // caller and touched by nothing else now (caller contract).
            sums: unsafe { core::slice::from_raw_parts_mut(self.sums, self.channels) },
        };
        // SAFETY: the level is supported (`Kernels` holds only such levels).
        unsafe {
            dispatch::<T, _>(
                self.level,
                Compiled(
                    #[inline(always)]
                    || fold.run(),
                ),
            )
        }
    }

    /// Runs `channels` (a range of at most a group) at the call's level.
    ///
    /// # Safety
    /// The channels' elements and sums (or the blocks' pairs `out` names)
    /// are this caller's alone, and the level is supported.
    unsafe fn group(&self, first: usize, end: usize, out: Out) {
        let group = Group {
            call: self,
            first,
            end,
            out,
        };
        // SAFETY: the caller's contract. The level's `f64` vectors are the
        // sums' (`ops::sum::SumLanes`), whatever the element type.
        unsafe { dispatch::<f64, _>(self.level, group) }
    }
}

impl<T: Element, F: WithGrad<T>> Work for Reduce<T, F> {
    /// Parts are channels.
    fn len(&self) -> usize {
        self.channels
    }

    unsafe fn run_range(&self, start: usize, len: usize) {
        let group = GROUP_SUMS / self.per_channel();
        let mut first = start;
        while first < start + len {
            let end = (first + group).min(start + len);
            // SAFETY: the level is supported (`Kernels` holds only such
            // levels); the channels are this call's own (caller contract).
            unsafe { self.group(first, end, Out::Sums) };
            first = end;
        }
    }
}

/// A call shared by blocks of rows: each block's pair per channel goes to
/// `sum` and `comp` (`blocks * channels` each, block-major), and
/// [`Reduce::add_blocks`] adds them in block order.
#[cfg(feature = "rayon")]
pub(crate) struct ByBlocks<T: 'static, F> {
    pub(crate) call: Reduce<T, F>,
    pub(crate) sum: *mut f64,
    pub(crate) comp: *mut f64,
}

// SAFETY: as for `Reduce`; the pairs are touched by `run_range` on disjoint
// blocks, whose pairs are disjoint.
#[cfg(feature = "rayon")]
unsafe impl<T: Send + Sync, F: Sync> Sync for ByBlocks<T, F> {}
// SAFETY: as above.
#[cfg(feature = "rayon")]
unsafe impl<T: Send + Sync, F: Send> Send for ByBlocks<T, F> {}

#[cfg(feature = "rayon")]
impl<T: Element, F: WithGrad<T>> Work for ByBlocks<T, F> {
    /// Parts are blocks of rows.
    fn len(&self) -> usize {
        self.call.blocks()
    }

    unsafe fn run_range(&self, start: usize, len: usize) {
        let call = &self.call;
        let group = GROUP_SUMS / call.per_channel();
        let mut first = 0;
        while first < call.channels {
            let end = (first + group).min(call.channels);
            let out = Out::Pairs {
                start,
                end: start + len,
                sum: self.sum,
                comp: self.comp,
            };
            // SAFETY: as in `Reduce::run_range`; the blocks' rows and pairs
            // are this range's own (caller contract).
            unsafe { call.group(first, end, out) };
            first = end;
        }
    }
}

/// The blocks' pairs (block-major, `channels` per block) added in block
/// order, at one level: a loop across channels, which the compiler
/// vectorizes, for each block.
#[cfg(feature = "rayon")]
struct Fold<'a, T> {
    sum: &'a [f64],
    comp: &'a [f64],
    channels: usize,
    sums: &'a mut [T],
}

/// The channels [`Fold`] adds at a time, their sums on the stack (4 KiB).
#[cfg(feature = "rayon")]
const FOLD_CHANNELS: usize = 256;

#[cfg(feature = "rayon")]
impl<T: Element> Fold<'_, T> {
    #[inline(always)]
    fn run(self) {
        let channels = self.channels;
        for (at, out) in self.sums.chunks_mut(FOLD_CHANNELS).enumerate() {
            let first = at * FOLD_CHANNELS;
            let (mut s, mut k) = ([0.0f64; FOLD_CHANNELS], [0.0f64; FOLD_CHANNELS]);
            let (s, k) = (&mut s[..out.len()], &mut k[..out.len()]);
            for b in 0..self.sum.len() / channels {
                let row = b * channels + first..b * channels + first + out.len();
                for ((s, k), (&bs, &bk)) in s
                    .iter_mut()
                    .zip(k.iter_mut())
                    .zip(self.sum[row.clone()].iter().zip(&self.comp[row]))
                {
                    (*s, *k) = add_pair(*s, *k, bs, bk);
                }
            }
            for (out, (&s, &k)) in out.iter_mut().zip(s.iter().zip(k.iter())) {
                *out = T::from_f64(finish(s, k));
            }
        }
    }
}

/// Where a group's sums go.
#[derive(Clone, Copy)]
enum Out {
    /// Every block, added in order; the channels' sums to the call's
    /// output.
    Sums,
    /// The blocks `start..end`; block `b`'s pair of channel `c` to
    /// `sum` and `comp` at `b * channels + c`.
    #[cfg(feature = "rayon")]
    Pairs {
        start: usize,
        end: usize,
        sum: *mut f64,
        comp: *mut f64,
    },
}

/// The channels `first..end` of a call, run at one level.
struct Group<'a, T: 'static, F> {
    call: &'a Reduce<T, F>,
    first: usize,
    end: usize,
    out: Out,
}

impl<T: Element, F: WithGrad<T>> Body<f64> for Group<'_, T, F> {
    #[inline(always)]
    fn scalar(self) {
        self.run::<ArrayLanes>()
    }

    #[inline(always)]
    unsafe fn vector<V: Vector<Elem = f64>>(self) {
        self.run::<VectorLanes<V>>()
    }
}

impl<T: Element, F: WithGrad<T>> Group<'_, T, F> {
    /// The group's channels, with `L` for a channel's lanes.
    #[inline(always)]
    fn run<L: SumLanes>(self) {
        let call = self.call;
        let width = self.end - self.first;
        let mut lanes = Sums::<GROUP_SUMS>::ZERO;
        match self.out {
            Out::Sums => {
                // SAFETY: the group's sums, `first..end` of `channels`, are
                // its own.
                let out =
                    unsafe { core::slice::from_raw_parts_mut(call.sums.add(self.first), width) };
                if call.blocks() <= 1 {
                    // One block (or none): its pairs are the sums (adding
                    // a pair to `+0.0` changes neither part), with no
                    // second array to clear.
                    self.block::<L>(0, &mut lanes);
                    self.pairs(&mut lanes);
                    return write(out, &lanes);
                }
                let mut total = Sums::<GROUP_SUMS>::ZERO;
                for block in 0..call.blocks() {
                    self.block::<L>(block, &mut lanes);
                    self.pairs(&mut lanes);
                    let (sum, comp) = (&mut total.sum[..width], &mut total.comp[..width]);
                    for ((sum, comp), (&s, &c)) in sum
                        .iter_mut()
                        .zip(comp)
                        .zip(lanes.sum.iter().zip(&lanes.comp))
                    {
                        (*sum, *comp) = add_pair(*sum, *comp, s, c);
                    }
                }
                write(out, &total);
            }
            #[cfg(feature = "rayon")]
            Out::Pairs {
                start,
                end,
                sum,
                comp,
            } => {
                for block in start..end {
                    self.block::<L>(block, &mut lanes);
                    self.pairs(&mut lanes);
                    let at = block * call.channels + self.first;
                    // SAFETY: `at + width <= blocks * channels`, the pairs'
                    // length; the block's pairs of these channels are this
                    // group's own (`ByBlocks::run_range`).
                    unsafe {
                        core::slice::from_raw_parts_mut(sum.add(at), width)
                            .copy_from_slice(&lanes.sum[..width]);
                        core::slice::from_raw_parts_mut(comp.add(at), width)
                            .copy_from_slice(&lanes.comp[..width]);
                    }
                }
            }
        }
    }

    /// Leaves the block's pair of channel `j` of the group at `j` of
    /// `sums`: where a channel has [`LANES`] sums, its lanes added in lane
    /// order (channel `j`'s go to `j`, at or before the first of its own
    /// lanes and past every lane already read).
    #[inline(always)]
    fn pairs(&self, sums: &mut Sums<GROUP_SUMS>) {
        if self.call.inner != 1 {
            for j in 0..self.end - self.first {
                let (s, c) = sums.lanes(j * LANES);
                (sums.sum[j], sums.comp[j]) = (s, c);
            }
        }
    }

    /// Runs the block's rows of this group's channels: the elements'
    /// results in place, their terms into `sums` (cleared first).
    #[inline(always)]
    fn block<L: SumLanes>(&self, block: usize, sums: &mut Sums<GROUP_SUMS>) {
        let call = self.call;
        let op = call.op;
        let (inner, width) = (call.inner, self.end - self.first);
        sums.clear(width * call.per_channel());
        let param = |ch: usize| {
            // SAFETY: `ch < channels`, and `params` holds `channels`
            // elements where the op reads it.
            if F::PARAM {
                unsafe { *call.params.add(ch) }
            } else {
                T::ZERO
            }
        };
        let mut rows = block * BLOCK_ROWS..((block + 1) * BLOCK_ROWS).min(call.outer);
        let grouped = call.outer * call.channels * size_of::<T>() <= DENSE_ROWS_MAX_BYTES;
        if inner == 1 && grouped {
            // One sum per channel, [`DENSE_ROWS`] rows at a time against
            // the sums, which the compiler vectorizes across channels: a
            // channel's terms still go in row order, and its sum and
            // compensation stay in registers across the rows.
            let (sum, comp) = (&mut sums.sum[..width], &mut sums.comp[..width]);
            while rows.len() >= DENSE_ROWS {
                let base = |r: usize| (rows.start + r) * call.channels + self.first;
                // SAFETY: as below, for each of the rows, which are
                // disjoint.
                let x: [&[T]; DENSE_ROWS] = core::array::from_fn(|r| unsafe {
                    core::slice::from_raw_parts(call.x.add(base(r)), width)
                });
                // SAFETY: as for `x`; the rows are disjoint, so no two of
                // these slices overlap.
                let grad: [&mut [T]; DENSE_ROWS] = core::array::from_fn(|r| unsafe {
                    core::slice::from_raw_parts_mut(call.grad.add(base(r)), width)
                });
                for j in 0..width {
                    let p = param(self.first + j);
                    let (mut s, mut c) = (sum[j], comp[j]);
                    for r in 0..DENSE_ROWS {
                        let (dz, t) = op.elem(x[r][j], grad[r][j], p);
                        grad[r][j] = dz;
                        (s, c) = step(s, c, t);
                    }
                    (sum[j], comp[j]) = (s, c);
                }
                rows.start += DENSE_ROWS;
            }
        }
        for o in rows {
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
                let lanes = j * LANES..(j + 1) * LANES;
                let mut s = L::load(sums.sum[lanes.clone()].try_into().unwrap());
                let mut c = L::load(sums.comp[lanes.clone()].try_into().unwrap());
                // A piece of the run at a time ([`piece`]), pieces of a
                // fixed length so that the loops have no scalar ends.
                let whole = inner - inner % LANES;
                let (x_pieces, x_rest) = x[..whole].as_chunks::<RUN_PIECE>();
                let (g_pieces, g_rest) = grad[..whole].as_chunks_mut::<RUN_PIECE>();
                for (x, g) in x_pieces.iter().zip(g_pieces) {
                    piece(op, p, x, g, &mut s, &mut c);
                }
                piece(op, p, x_rest, g_rest, &mut s, &mut c);
                s.store((&mut sums.sum[lanes.clone()]).try_into().unwrap());
                c.store((&mut sums.comp[lanes.clone()]).try_into().unwrap());
                let (xs, gs) = (&x[whole..], &mut grad[whole..]);
                for (l, (x, g)) in xs.iter().zip(gs).enumerate() {
                    let (dz, t) = op.elem(*x, *g, p);
                    *g = dz;
                    sums.add(lanes.start + l, t);
                }
            }
        }
    }
}

/// Elements of a run (at most [`RUN_PIECE`], a multiple of [`LANES`]):
/// their results and terms in one loop (vectorized as the rows are), the
/// terms kept on the stack, then the terms into the lanes, [`LANES`] at a
/// time. One loop doing both stays scalar, with a branch per element.
/// Called with whole pieces, the loops' length is a constant, and they have
/// no scalar ends.
#[inline(always)]
fn piece<T: Element, F: WithGrad<T>, L: SumLanes>(
    op: F,
    param: T,
    x: &[T],
    grad: &mut [T],
    s: &mut L,
    c: &mut L,
) {
    let mut terms = [0.0f64; RUN_PIECE];
    let terms = &mut terms[..x.len()];
    for ((x, g), t) in x.iter().zip(grad.iter_mut()).zip(terms.iter_mut()) {
        let (dz, term) = op.elem(*x, *g, param);
        *g = dz;
        *t = term;
    }
    for t in terms.as_chunks::<LANES>().0 {
        (*s, *c) = step(*s, *c, L::load(t));
    }
}

/// Each channel's sum from its pair (the first `out.len()` of `sums`),
/// rounded once to the element type.
#[inline(always)]
fn write<T: Element>(out: &mut [T], sums: &Sums<GROUP_SUMS>) {
    for ((out, &s), &c) in out.iter_mut().zip(&sums.sum).zip(&sums.comp) {
        *out = T::from_f64(finish(s, c));
    }
}
