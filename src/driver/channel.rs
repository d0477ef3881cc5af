//! Per-channel calls: the elements of channel `c` are those whose index
//! `i` has `(i / inner) % channels == c`. A call walks any range of its
//! elements in pieces that the one serial loop runs, with no division per
//! element:
//! - where a channel's run (`inner` elements) is long, run by run, each
//!   with its parameter as a constant ([`PerChannel::constant`]);
//! - where `inner` is 1 and the rows are long, the parameter slice read
//!   beside the rows ([`PerChannel::lanes`]): four rows at a time in L1,
//!   beyond it one aligned stream against the parameter row rotated to
//!   the stream's start, or row by row where the row cannot be rotated;
//! - otherwise through a pattern on the stack: the parameters laid out as
//!   the elements are, a block at a time (once for the whole range where
//!   whole periods of `channels * inner` fit in it).

use core::marker::PhantomData;

use super::io::{Io, Ptrs};
use super::serial::{Loop, Params, RUN_MIN, ScalarLoop, VectorLoop, next_channel};
use crate::Element;
use crate::arch::{Body, Level, Vector, dispatch};
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

/// A range that [`Channels::rotates`], for [`dispatch`] to run at the
/// call's level: rotated where the level's lanes divide `channels` and
/// its step of vectors fits in a row, otherwise as [`Walk`] runs it.
struct RotatedWalk<'a, T: 'static, C>(Walk<'a, T, C>);

impl<T: Element, C: PerChannel<T>> Body<T> for RotatedWalk<'_, T, C> {
    #[inline(always)]
    fn scalar(self) {
        self.0.scalar()
    }
    #[inline(always)]
    unsafe fn vector<V: Vector<Elem = T>>(self) {
        let Walk { call, start, len } = self.0;
        let pad = <VectorLoop<V> as Loop<T>>::PERIOD_PAD;
        // SAFETY: the CPU supports `V` (caller contract); the range is the
        // caller's (see `Channels::run`); `channels <= ROTATED_MAX`
        // (`Channels::rotates`), a multiple of the lanes and at least the
        // pad.
        unsafe {
            if call.channels.is_multiple_of(V::LANES) && call.channels >= pad {
                call.walk_rotated(VectorLoop::<V>(PhantomData), start, len)
            } else {
                self.0.vector::<V>()
            }
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
        let walk = Walk {
            call: self,
            start,
            len,
        };
        // SAFETY: `Kernels` holds only levels the CPU supports; the range
        // is the caller's.
        unsafe {
            if self.rotates(len) {
                // A kernel of its own, so that the rotated row's room on
                // the stack is not in every call's frame: in the one
                // kernel it slowed 16 Ki NCHW calls by a sixth.
                dispatch(self.level, RotatedWalk(walk))
            } else {
                dispatch(self.level, walk)
            }
        }
    }

    /// Whether a range of `len` elements goes through
    /// [`Channels::walk_rotated`] at levels whose lanes divide `channels`:
    /// channels-last rows past the grouped rows' limit (or streamed), with
    /// a parameter row short enough to rotate on the stack.
    fn rotates(&self, len: usize) -> bool {
        self.inner == 1
            && (ROW_MIN..=ROTATED_MAX).contains(&self.channels)
            && (self.io.large || len * core::mem::size_of::<T>() > GROUPED_MAX_BYTES)
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
    /// Channels-last rows (`inner` 1, `channels` a multiple of the
    /// level's lanes) as one stream of vectors aligned to the destination,
    /// against the parameter row rotated to start at the channel of the
    /// stream's first aligned element. Every row then meets the rotated
    /// row at the same lanes, so each of its vectors is one aligned load,
    /// the vector across a row boundary included, and one loop runs all
    /// the rows ([`Loop::run_periodic`]). Row by row, each row that does
    /// not start on a vector boundary would end in a partial store that
    /// the next row's partial head loads back before it reaches the cache
    /// (`docs/TUNING.md`).
    ///
    /// # Safety
    /// As [`Channels::walk`]; `channels <= ROTATED_MAX`, at least
    /// `L::PERIOD_PAD`, and a multiple of `L::LANES`, which is more than 1.
    #[inline(always)]
    unsafe fn walk_rotated<L: Loop<T>>(&self, run: L, start: usize, len: usize) {
        const { assert!(L::PERIOD_PAD <= ROTATED_PAD) };
        let (channels, lanes) = (self.channels, L::LANES);
        let stream = self.io.large;
        let (mut c, _) = self.position(start);
        let mut i = start;
        let end = start + len;
        // The elements before the first vector boundary, row by row.
        // SAFETY: `start <= io.len`.
        let aligned = (i + run.head(unsafe { self.io.ptrs.dst.add(i) })).min(end);
        while i < aligned {
            let n = (channels - c).min(aligned - i);
            // SAFETY: `params + c` holds `channels - c >= n` elements;
            // `i + n <= end`.
            unsafe { run.run(self.op.lanes(), self.at(i, self.params.add(c)), n, stream) };
            (i, c) = (i + n, if c + n == channels { 0 } else { c + n });
        }
        if i == end {
            return;
        }
        let mut rotated = Rotated::<T>::UNINIT;
        let row = rotated.0.as_mut_ptr().cast::<T>();
        // `row[m] = params[(c + m) % channels]` for `m` below `channels +
        // PERIOD_PAD`: whole vectors up to the slice's end, the vector
        // across it element by element, whole vectors from its start, then
        // the pad from the row's start.
        let before = (channels - c) / lanes * lanes;
        let across = if before == channels - c { 0 } else { lanes };
        let after = before + across;
        // SAFETY: `c < channels <= ROTATED_MAX`, and the pad fits
        // `ROTATED_PAD`; indices stay below `channels` in `params` and
        // below `channels + PERIOD_PAD` in `row`. `before`, `after`,
        // `channels` and the pad are multiples of `lanes`.
        unsafe {
            run.copy(self.params.add(c), row, before);
            for m in before..after {
                row.add(m).write(*self.params.add((c + m) % channels));
            }
            run.copy(
                self.params.add((c + after) % channels),
                row.add(after),
                channels - after,
            );
            let mut m = 0;
            while m < L::PERIOD_PAD {
                let n = (L::PERIOD_PAD - m).min(channels);
                run.copy(row, row.add(channels + m), n);
                m += n;
            }
            run.run_periodic(self.op.lanes(), self.at(i, row), end - i, channels, stream);
        }
    }
}

/// The longest parameter row [`Channels::walk_rotated`] rotates, in
/// elements; under Miri, short enough that longer rows take the other
/// walk.
const ROTATED_MAX: usize = if cfg!(miri) { 48 } else { 2048 };

/// Room after the rotated row for [`Loop::PERIOD_PAD`] at every level:
/// four vectors of 32 lanes.
const ROTATED_PAD: usize = 128;

/// A rotated parameter row and its pad (16 KiB of `f64` on the stack),
/// aligned for any level's vectors.
#[repr(C, align(64))]
struct Rotated<T>([core::mem::MaybeUninit<T>; ROTATED_MAX + ROTATED_PAD]);

impl<T> Rotated<T> {
    const UNINIT: Self =
        Rotated([const { core::mem::MaybeUninit::uninit() }; ROTATED_MAX + ROTATED_PAD]);
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
