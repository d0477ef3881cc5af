//! Per-channel calls: the elements of channel `c` are those whose index
//! `i` has `(i / inner) % channels == c`. A call walks any range of its
//! elements in pieces that the one serial loop runs, with no division per
//! element:
//! - where a channel's run (`inner` elements) is long, run by run, each
//!   with its parameter as a constant ([`PerChannel::constant`]);
//! - where `inner` is 1 and the rows are long and in L1, the parameter
//!   slice read beside the rows four at a time ([`PerChannel::lanes`]);
//! - otherwise, where the parameters' period (`channels * inner`, made a
//!   whole number of vectors) fits on the stack, as one aligned stream
//!   against that period laid out from the stream's start
//!   ([`Channels::walk_rotated`]);
//! - and where it does not: long rows one at a time, other layouts
//!   through a pattern on the stack, the parameters laid out as the
//!   elements are a block at a time (once for the whole range where whole
//!   periods fit in it).

use core::marker::PhantomData;

use super::io::{Io, Ptrs};
use super::serial::{Loop, Params, RUN_MIN, ScalarLoop, VectorLoop, next_channel};
use crate::Element;
use crate::arch::{Body, Level, Vector, dispatch};
use crate::element::{all_finite, all_finite_at};
use crate::ops::Op;
use crate::ops::channel::{PerChannel, WithOp};

/// Runs of at most this many elements go many at a time through one tight
/// loop ([`Loop::run_runs`]), longer ones one at a time through the serial
/// loop, whose setup and alignment they repay, except at levels with
/// partial vectors, whose tight loop is aligned ([`Loop::ANY_RUNS`]).
/// Runs shorter than [`RUN_MIN`] go through a pattern instead: from there
/// on a run's own loop costs less than writing the pattern (runs of 64
/// `f32` went from 4.5 to 6.5-12 G elem/s in cache, `docs/TUNING.md`).
/// Under Miri the limits below are smaller, so that every branch runs on
/// buffers small enough to interpret.
const SHORT_RUN_MAX: usize = 256;

/// Rows of channels-last data (`inner = 1`) at least this long read the
/// parameter slice directly.
const ROW_MIN: usize = if cfg!(miri) { 32 } else { 128 };

/// Ranges of channels-last data of at most this many bytes (in L1 and
/// just past it) take whole rows several at a time ([`Loop::run_rows`]);
/// beyond, where a vector load more per vector costs less than the four
/// row streams, one stream against the rotated parameter row
/// ([`Channels::walk_rotated`]), `docs/TUNING.md`. Under Miri, small so
/// that both ways run.
const GROUPED_MAX_BYTES: usize = if cfg!(miri) { 1024 } else { 64 << 10 };

/// The pattern's length, in elements (4 KiB of `f64` on the stack).
const PATTERN: usize = if cfg!(miri) { 64 } else { 512 };

/// One per-channel call: `dst[i] = op(x[i], params[channel(i)])`.
pub(crate) struct Channels<T: 'static, C> {
    pub(crate) level: Level,
    pub(crate) op: C,
    /// The call's input and output (`y` unused).
    pub(crate) io: Io<'static, T>,
    pub(crate) params: *const T,
    pub(crate) channels: usize,
    pub(crate) inner: usize,
}

// SAFETY: `io` and `params` stand for slices of `T: Send + Sync` borrowed
// for the call; the elements are only touched through `run`, whose
// contract keeps concurrent ranges disjoint.
unsafe impl<T: Send + Sync, C: Sync> Sync for Channels<T, C> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync, C: Send> Send for Channels<T, C> {}

/// Runs one op on a segment: [`PerChannel::constant`]'s visitor.
struct Segment<T, L> {
    run: L,
    p: Ptrs<T>,
    len: usize,
    stream: bool,
}

impl<T: Element, L: Loop<T>> WithOp<T> for Segment<T, L> {
    #[inline(always)]
    fn with<O: Op<T>>(self, op: O) {
        // SAFETY: the walk made the segment inside the call, at a level the
        // CPU supports (see `Walk`).
        unsafe { self.run.run(op, self.p, self.len, self.stream) }
    }
}

/// A range of a call, for [`dispatch`] to run at the call's level: the
/// whole walk inside one kernel, so that rows and runs do not each pay for
/// the choice of level.
struct Walk<'a, T: 'static, C> {
    call: &'a Channels<T, C>,
    start: usize,
    len: usize,
}

impl<T: Element, C: PerChannel<T>> Body<T> for Walk<'_, T, C> {
    #[inline(always)]
    fn scalar(self) {
        // SAFETY: the range is the caller's (see `Channels::run`).
        unsafe { self.call.walk(ScalarLoop, self.start, self.len) }
    }
    #[inline(always)]
    unsafe fn vector<V: Vector<Elem = T>>(self) {
        // SAFETY: the CPU supports `V` (caller contract); the range is the
        // caller's (see `Channels::run`).
        unsafe {
            self.call
                .walk(VectorLoop::<V>(PhantomData), self.start, self.len)
        }
    }
}

/// A range of a call that [`Channels::rotates`], for [`dispatch`] to run
/// at the call's level: against the laid-out period where
/// [`Channels::rotated_period`] gives one at that level, otherwise as
/// [`Walk`] runs it.
struct RotatedWalk<'a, T: 'static, C>(Walk<'a, T, C>);

impl<T: Element, C: PerChannel<T>> Body<T> for RotatedWalk<'_, T, C> {
    #[inline(always)]
    fn scalar(self) {
        self.0.scalar()
    }
    #[inline(always)]
    unsafe fn vector<V: Vector<Elem = T>>(self) {
        let Walk { call, start, len } = self.0;
        // SAFETY: the CPU supports `V` (caller contract); the range is the
        // caller's (see `Channels::run`); the period is
        // `rotated_period`'s.
        unsafe {
            match call.rotated_period::<V>() {
                Some(period) => call.walk_rotated::<V>(start, len, period),
                None => self.0.vector::<V>(),
            }
        }
    }
}

/// A walk (`body`), and with `finite` first the check that every
/// element of `params` is finite: the walk runs only where they are, and
/// `finite` says which.
struct Checked<'a, T, B> {
    body: B,
    params: &'a [T],
    finite: Option<&'a mut bool>,
}

impl<T: Element, B> Checked<'_, T, B> {
    /// The walk, where it runs: without a check, or where `params` pass it.
    #[inline(always)]
    fn passed(self) -> Option<B> {
        match self.finite {
            None => Some(self.body),
            Some(finite) => {
                *finite = all_finite(self.params);
                finite.then_some(self.body)
            }
        }
    }
}

impl<T: Element, B: Body<T>> Body<T> for Checked<'_, T, B> {
    #[inline(always)]
    fn scalar(self) {
        if let Some(walk) = self.passed() {
            walk.scalar()
        }
    }
    #[inline(always)]
    unsafe fn vector<V: Vector<Elem = T>>(self) {
        if let Some(walk) = self.passed() {
            // SAFETY: forwarded contract.
            unsafe { walk.vector::<V>() }
        }
    }
}

impl<T: Element, C: PerChannel<T>> Channels<T, C> {
    /// The parameter of element `i`'s channel, as an index, and how far
    /// into its run `i` lies.
    #[inline]
    fn position(&self, i: usize) -> (usize, usize) {
        ((i / self.inner) % self.channels, i % self.inner)
    }

    /// The elements from `start`, `y` at `y`.
    ///
    /// # Safety
    /// `start + len` is at most the call's length.
    #[inline(always)]
    unsafe fn at(&self, start: usize, y: *const T) -> Ptrs<T> {
        // SAFETY: in range (caller contract).
        let p = unsafe { self.io.ptrs.add(start) };
        Ptrs { y, ..p }
    }

    /// Runs the elements `start..start + len`.
    ///
    /// # Safety
    /// `start + len <= self.io.len`; the slices are still borrowed; no
    /// other thread runs an overlapping range at the same time.
    pub(crate) unsafe fn run(&self, start: usize, len: usize) {
        // SAFETY: forwarded contract.
        unsafe { self.dispatch_walk(start, len, None) }
    }

    /// Runs the whole call on this thread if every parameter is finite,
    /// and says whether it was: `false`, with nothing written, where one
    /// is not. The check runs in the walk's kernel, where a check of its
    /// own ahead of it cost a fifth of a 4 Ki NCHW call (`docs/TUNING.md`).
    ///
    /// # Safety
    /// The slices are still borrowed; no other thread runs any of the call
    /// at the same time.
    pub(crate) unsafe fn run_checked(&self) -> bool {
        let mut finite = false;
        // SAFETY: forwarded contract, for the whole call.
        unsafe { self.dispatch_walk(0, self.io.len, Some(&mut finite)) };
        finite
    }

    /// Whether every parameter is finite, at the call's level: for a call
    /// shared among threads, checked before any part runs.
    pub(crate) fn params_finite(&self) -> bool {
        // SAFETY: `Kernels` holds only levels the CPU supports.
        unsafe { all_finite_at(self.level, self.params()) }
    }

    /// The parameter slice.
    fn params(&self) -> &[T] {
        // SAFETY: `params` and `channels` stand for a slice borrowed for
        // the call.
        unsafe { core::slice::from_raw_parts(self.params, self.channels) }
    }

    /// [`Channels::run`], and with `finite` the check of
    /// [`Channels::run_checked`] ahead of the walk, in its kernel.
    ///
    /// # Safety
    /// As [`Channels::run`].
    #[inline(always)]
    unsafe fn dispatch_walk(&self, start: usize, len: usize, finite: Option<&mut bool>) {
        let params = self.params();
        let walk = Walk {
            call: self,
            start,
            len,
        };
        // SAFETY: `Kernels` holds only levels the CPU supports; the range
        // is the caller's.
        unsafe {
            if self.rotates(len) {
                // Kernels of their own, so that the laid-out period's room
                // on the stack is not in every call's frame: in the one
                // kernel it slowed 16 Ki NCHW calls by a sixth.
                let body = RotatedWalk(walk);
                let checked = Checked {
                    body,
                    params,
                    finite,
                };
                dispatch(self.level, checked)
            } else {
                let checked = Checked {
                    body: walk,
                    params,
                    finite,
                };
                dispatch(self.level, checked)
            }
        }
    }

    /// Whether a range of `len` elements goes through
    /// [`Channels::walk_rotated`] (at levels where the parameters' period
    /// fits [`Channels::rotated_period`]): channels-last rows past the
    /// grouped rows' limit (or streamed), and every layout the pattern
    /// would take, where runs are short and rows are short or absent.
    fn rotates(&self, len: usize) -> bool {
        if self.inner >= RUN_MIN {
            return false;
        }
        if self.inner == 1 && self.channels >= ROW_MIN {
            return self.io.large || len * core::mem::size_of::<T>() > GROUPED_MAX_BYTES;
        }
        true
    }

    /// [`Channels::run`] with the loop of the level it runs at.
    ///
    /// # Safety
    /// As [`Channels::run`], and the CPU supports `run`'s level.
    #[inline(always)]
    unsafe fn walk<L: Loop<T>>(&self, run: L, start: usize, len: usize) {
        let end = start + len;
        let stream = self.io.large;
        let (mut c, mut k) = self.position(start);
        let mut i = start;
        if self.inner >= RUN_MIN {
            while i < end {
                let whole = (end - i) / self.inner;
                if k == 0 && whole > 1 && (self.inner <= SHORT_RUN_MAX || L::ANY_RUNS) && !stream {
                    let params = Params {
                        ptr: self.params,
                        first: c,
                        channels: self.channels,
                    };
                    // SAFETY: `whole` runs from `i` end at or before
                    // `end`; `c < channels`.
                    unsafe {
                        run.run_runs(
                            self.op.lanes(),
                            self.at(i, self.params),
                            self.inner,
                            whole,
                            params,
                        )
                    };
                    i += whole * self.inner;
                    c = (c + whole) % self.channels;
                    continue;
                }
                let n = (self.inner - k).min(end - i);
                // SAFETY: `c < channels`; `i + n <= end`; the constant op
                // does not read `y`, so `x`'s own run stands in for it.
                unsafe {
                    let p = self.at(i, self.io.ptrs.x.add(i));
                    let segment = Segment {
                        run,
                        p,
                        len: n,
                        stream,
                    };
                    self.op.constant(*self.params.add(c), segment);
                }
                (i, k, c) = (i + n, 0, next_channel(c, self.channels));
            }
        } else if self.inner == 1 && self.channels >= ROW_MIN {
            let grouped = !stream && len * core::mem::size_of::<T>() <= GROUPED_MAX_BYTES;
            while i < end {
                let whole = (end - i) / self.channels;
                if c == 0 && whole > 1 && grouped {
                    // Whole rows against the parameter row, several at a
                    // time.
                    // SAFETY: `whole` rows of `channels` elements from `i`
                    // end at or before `end`; `params` holds `channels`.
                    unsafe {
                        let p = self.at(i, self.params);
                        run.run_rows(self.op.lanes(), p, self.channels, whole, self.channels);
                    }
                    i += whole * self.channels;
                    continue;
                }
                let n = (self.channels - c).min(end - i);
                // SAFETY: `params + c` is readable for `channels - c >= n`
                // elements; `i + n <= end`.
                unsafe { run.run(self.op.lanes(), self.at(i, self.params.add(c)), n, stream) };
                (i, c) = (i + n, 0);
            }
        } else {
            let period = self.channels * self.inner;
            let (block, refill) = if period <= PATTERN {
                (PATTERN / period * period, false)
            } else {
                (PATTERN, true)
            };
            let mut pattern = [T::ZERO; PATTERN];
            let mut fresh = false;
            while i < end {
                let n = block.min(end - i);
                if refill || !fresh {
                    // Run by run from element `i`'s place.
                    (c, k) = self.position(i);
                    let mut at = 0;
                    while at < n {
                        let m = (self.inner - k).min(n - at);
                        // SAFETY: `c < channels`.
                        pattern[at..at + m].fill(unsafe { *self.params.add(c) });
                        (at, k, c) = (at + m, 0, next_channel(c, self.channels));
                    }
                    fresh = true;
                }
                // SAFETY: the pattern holds `n` elements; `i + n <= end`.
                unsafe { run.run(self.op.lanes(), self.at(i, pattern.as_ptr()), n, stream) };
                i += n;
            }
        }
    }
}

impl<T: Element, C: PerChannel<T>> Channels<T, C> {
    /// The period, in elements, that [`Channels::walk_rotated`] repeats
    /// the parameters with on `V`: the least multiple of `channels *
    /// inner` that is a whole number of vectors and at least a step of the
    /// periodic loop ([`VectorLoop::PERIOD_PAD`]), if it fits in
    /// [`ROTATED_MAX`].
    fn rotated_period<V: Vector<Elem = T>>(&self) -> Option<usize> {
        let period = self.channels.checked_mul(self.inner)?;
        if period > ROTATED_MAX {
            return None;
        }
        let vectors = period / gcd(period, V::LANES) * V::LANES;
        let pad = VectorLoop::<V>::PERIOD_PAD;
        let whole = vectors.checked_mul(pad.div_ceil(vectors))?;
        (whole <= ROTATED_MAX).then_some(whole)
    }

    /// The range as one stream of vectors aligned to the destination,
    /// against the parameters laid out as the elements from the stream's
    /// first aligned element are, for one `period` (from
    /// [`Channels::rotated_period`]) and a step past it: every period
    /// meets that row at the same lanes, so each of its vectors is one
    /// aligned load, the vectors across row and run boundaries included,
    /// and one loop runs the whole range ([`VectorLoop::run_periodic`]). Row by
    /// row, or a pattern block by block, each piece that does not start on
    /// a vector boundary would end in a partial store that the next
    /// piece's partial head loads back before it reaches the cache
    /// (`docs/TUNING.md`).
    ///
    /// # Safety
    /// As [`Channels::walk`], at `V`'s level; `period` is
    /// `rotated_period::<V>`'s.
    #[inline(always)]
    unsafe fn walk_rotated<V: Vector<Elem = T>>(&self, start: usize, len: usize, period: usize) {
        const { assert!(V::LANES <= ROTATED_LANES && VectorLoop::<V>::PERIOD_PAD <= ROTATED_PAD) };
        let run = VectorLoop::<V>(PhantomData);
        let stream = self.io.large;
        // SAFETY: `start <= io.len`.
        let head = run.head(unsafe { self.io.ptrs.dst.add(start) }).min(len);
        // Every element the loop reads: the head's, then the period and a
        // step past it where the range wraps, else the rest of the range.
        let count = if len - head <= period {
            len
        } else {
            head + period + VectorLoop::<V>::PERIOD_PAD
        };
        let mut rotated = Rotated::<T>::UNINIT;
        // The stream's first aligned element at a vector boundary of the
        // buffer, the head's parameters before it.
        // SAFETY: `head < LANES <= ROTATED_LANES` elements into the buffer.
        let origin = unsafe { rotated.0.as_mut_ptr().cast::<T>().add(ROTATED_LANES) };
        let first = origin.wrapping_sub(head);
        // SAFETY: `count <= head + ROTATED_MAX + ROTATED_PAD` elements from
        // `first` fit the buffer; the head is inside the range, and so is
        // the rest, against the period from `origin` (see `count`).
        unsafe {
            self.lay_out(run, first, start, count);
            run.run(self.op.lanes(), self.at(start, first), head, stream);
            if head < len {
                let p = self.at(start + head, origin);
                run.run_periodic(self.op.lanes(), p, len - head, period, stream);
            }
        }
    }

    /// Writes the parameters of the elements `from..from + count` to
    /// `out`: one period of them (for channels-last data the parameter
    /// slice from `from`'s channel on, round to it; otherwise run by run),
    /// then copies of what is written, each doubling it. The copies go by
    /// the level's vectors: the C library's `memcpy` of a few KiB slowed
    /// the loop that read them, and of a few elements cost a call each
    /// (`docs/TUNING.md`).
    ///
    /// # Safety
    /// The CPU supports `V`'s level; `out` is writable for `count`
    /// elements.
    #[inline(always)]
    unsafe fn lay_out<V: Vector<Elem = T>>(
        &self,
        run: VectorLoop<V>,
        out: *mut T,
        from: usize,
        count: usize,
    ) {
        let (mut c, mut k) = self.position(from);
        let first = (self.channels * self.inner).min(count);
        // SAFETY (for every access below): indices stay below `channels`
        // in `params` and below `count` in `out`, as the bounds of each
        // copy and loop keep them; the CPU supports the level (caller
        // contract).
        if self.inner == 1 {
            let n = (self.channels - c).min(first);
            unsafe {
                run.copy(self.params.add(c), out, n);
                run.copy(self.params, out.add(n), first - n);
            }
        } else {
            let mut m = 0;
            while m < first {
                let n = (self.inner - k).min(first - m);
                let param = unsafe { *self.params.add(c) };
                for e in m..m + n {
                    unsafe { out.add(e).write(param) };
                }
                (m, k, c) = (m + n, 0, next_channel(c, self.channels));
            }
        }
        let mut done = first;
        while done < count {
            let n = done.min(count - done);
            // The first `done` elements hold whole periods, so the next
            // `n` repeat them.
            unsafe { run.copy(out, out.add(done), n) };
            done += n;
        }
    }
}

/// The greatest common divisor of two positive numbers.
fn gcd(mut a: usize, mut b: usize) -> usize {
    while b > 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The longest period [`Channels::walk_rotated`] lays out, in elements;
/// under Miri, short enough that longer ones take the other walks.
const ROTATED_MAX: usize = if cfg!(miri) { 48 } else { 2048 };

/// Room after the period for [`VectorLoop::PERIOD_PAD`] at every level: four
/// vectors of 32 lanes.
const ROTATED_PAD: usize = 128;

/// Room before the period for a head: a vector of the most lanes.
const ROTATED_LANES: usize = 32;

/// A laid-out period, its pad and the head's room (17 KiB of `f64` on the
/// stack), aligned for any level's vectors.
#[repr(C, align(64))]
struct Rotated<T>([core::mem::MaybeUninit<T>; ROTATED_LANES + ROTATED_MAX + ROTATED_PAD]);

impl<T> Rotated<T> {
    const UNINIT: Self = Rotated(
        [const { core::mem::MaybeUninit::uninit() }; ROTATED_LANES + ROTATED_MAX + ROTATED_PAD],
    );
}

impl<T: Element, C: PerChannel<T>> super::work::Work for Channels<T, C> {
    fn len(&self) -> usize {
        self.io.len
    }

    unsafe fn run_range(&self, start: usize, len: usize) {
        // SAFETY: the contract of `run_range` is `run`'s.
        unsafe { self.run(start, len) }
    }
}
