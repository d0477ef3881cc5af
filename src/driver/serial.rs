//! The one serial loop every op and level goes through: a head to an
//! aligned destination, the vector body `UNROLL` vectors at a time, single
//! vectors, and a tail; head and tail are one partial vector each where the
//! level has masked loads and stores, and element by element elsewhere.

use core::marker::PhantomData;
use core::sync::atomic::{Ordering, compiler_fence};

use crate::Element;
use crate::arch::{Body, Level, Vector, dispatch};
use crate::driver::io::{Io, Ptrs};
use crate::ops::Op;

/// Runs `op` over every element of `io` with the kernel of `level`, with
/// non-temporal stores where the call writes far more than the caches
/// hold and nothing reads the destination.
///
/// `level` must be supported by this CPU; `Kernels` guarantees it.
#[inline]
pub(crate) fn run<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    let p = io.ptrs;
    let reads_dst = O::READS_Y && core::ptr::eq(p.y, p.dst);
    let body = SerialLoop {
        op,
        p,
        len: io.len,
        stream: io.large && !reads_dst,
    };
    // SAFETY: `Kernels` only holds a level the CPU supports; `Io` covers
    // `len` readable `x`, `y` and writable `dst` elements.
    unsafe { dispatch(level, body) }
}

/// One call's serial loop, for [`dispatch`] to run at a level.
struct SerialLoop<T, O> {
    op: O,
    p: Ptrs<T>,
    len: usize,
    stream: bool,
}

impl<T: Element, O: Op<T>> Body<T> for SerialLoop<T, O> {
    #[inline(always)]
    fn scalar(self) {
        // SAFETY: the pointers cover `len` elements (see `run`).
        unsafe { ScalarLoop.run(self.op, self.p, self.len, self.stream) }
    }
    #[inline(always)]
    unsafe fn vector<V: Vector<Elem = T>>(self) {
        // SAFETY: the CPU supports `V`'s level (caller contract); the
        // pointers cover `len` elements (see `run`).
        unsafe { VectorLoop::<V>(PhantomData).run(self.op, self.p, self.len, self.stream) }
    }
}

/// The serial loop at one level, for code that is already inside that
/// level's kernel (a [`Body`]) and runs many short pieces: the per-channel
/// driver, which would otherwise pay the dispatch on every row.
pub(crate) trait Loop<T: Element>: Copy {
    /// Runs `op` over `len` elements at `p`, streaming the stores if
    /// `stream` and the level can.
    ///
    /// # Safety
    /// The CPU supports the level; `p` covers `len` elements (see [`Ptrs`]).
    unsafe fn run<O: Op<T>>(self, op: O, p: Ptrs<T>, len: usize, stream: bool);

    /// Runs `op` over `rows` rows of `len` elements, row `r` at `p.x` and
    /// `p.dst` plus `r * stride`, each row against the same `len`
    /// elements at `p.y` (a parameter row): [`ROWS`] rows at a time where
    /// the level has vectors, so that each vector of `y` is loaded once
    /// for all of them.
    ///
    /// # Safety
    /// The CPU supports the level; `p.y` covers `len` elements, `p.x` and
    /// `p.dst` cover `(rows - 1) * stride + len` (see [`Ptrs`]), and
    /// `stride >= len`.
    unsafe fn run_rows<O: Op<T>>(self, op: O, p: Ptrs<T>, len: usize, rows: usize, stride: usize);

    /// Whether [`run_runs`](Loop::run_runs) takes runs of any length at
    /// least [`RUN_MIN`], not only short ones: where the level has partial
    /// vectors, it walks the runs as one aligned stream.
    const ANY_RUNS: bool = false;

    /// Runs `op` over `runs` consecutive runs of `len` elements at `p.x`
    /// and `p.dst` (`p.y` unread), run `r` against `params[(first + r) %
    /// channels]` as every element's `y`: one tight loop, where a call of
    /// [`run`](Loop::run) per run pays its setup on every run.
    ///
    /// # Safety
    /// The CPU supports the level; `p.x` and `p.dst` cover `runs * len`
    /// elements; `params` holds `channels > first` elements; `len` is at
    /// least [`RUN_MIN`].
    unsafe fn run_runs<O: Op<T>>(
        self,
        op: O,
        p: Ptrs<T>,
        len: usize,
        runs: usize,
        params: Params<T>,
    );
}

/// The shortest runs [`Loop::run_runs`] takes: at least a vector of every
/// level, so that a vector holds at most one run boundary.
pub(crate) const RUN_MIN: usize = 32;

/// The parameters of [`Loop::run_runs`]: `channels` of them at `ptr`, the
/// first run's at `first`.
#[derive(Clone, Copy)]
pub(crate) struct Params<T> {
    pub(crate) ptr: *const T,
    pub(crate) first: usize,
    pub(crate) channels: usize,
}

/// The channel after `c` of `channels`, round to the first.
#[inline(always)]
pub(crate) fn next_channel(c: usize, channels: usize) -> usize {
    if c + 1 == channels { 0 } else { c + 1 }
}

/// The scalar level's loop.
#[derive(Clone, Copy)]
pub(crate) struct ScalarLoop;

impl<T: Element> Loop<T> for ScalarLoop {
    #[inline(always)]
    unsafe fn run<O: Op<T>>(self, op: O, p: Ptrs<T>, len: usize, _: bool) {
        // SAFETY: forwarded contract.
        unsafe { run_scalar(op, p, len) }
    }

    #[inline(always)]
    unsafe fn run_rows<O: Op<T>>(self, op: O, p: Ptrs<T>, len: usize, rows: usize, stride: usize) {
        for r in 0..rows {
            // SAFETY: row `r` lies inside `x` and `dst` (caller contract).
            unsafe { run_scalar(op, row(p, r * stride), len) }
        }
    }

    #[inline(always)]
    unsafe fn run_runs<O: Op<T>>(
        self,
        op: O,
        p: Ptrs<T>,
        len: usize,
        runs: usize,
        params: Params<T>,
    ) {
        let mut c = params.first;
        for r in 0..runs {
            // SAFETY: `c < channels` (caller contract).
            let param = unsafe { *params.ptr.add(c) };
            c = next_channel(c, params.channels);
            for i in r * len..(r + 1) * len {
                // SAFETY: `i < runs * len` (caller contract).
                unsafe { *p.dst.add(i) = op.scalar(*p.x.add(i), param) };
            }
        }
    }
}

/// `p` with `x` and `dst` `offset` elements on, `y` where it is.
///
/// # Safety
/// `offset` elements on stay inside `x` and `dst`.
#[inline(always)]
unsafe fn row<T>(p: Ptrs<T>, offset: usize) -> Ptrs<T> {
    // SAFETY: caller contract.
    unsafe {
        Ptrs {
            x: p.x.add(offset),
            dst: p.dst.add(offset),
            y: p.y,
        }
    }
}

/// The vector loop on `V`.
pub(crate) struct VectorLoop<V>(pub(crate) PhantomData<V>);

impl<V> Clone for VectorLoop<V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<V> Copy for VectorLoop<V> {}

impl<V: Vector> Loop<V::Elem> for VectorLoop<V>
where
    V::Elem: Element,
{
    #[inline(always)]
    unsafe fn run<O: Op<V::Elem>>(self, op: O, p: Ptrs<V::Elem>, len: usize, stream: bool) {
        // SAFETY: forwarded contract.
        unsafe {
            if V::STREAMS && stream {
                run_vector::<V, O, true>(op, p, len)
            } else {
                run_vector::<V, O, false>(op, p, len)
            }
        }
    }

    #[inline(always)]
    unsafe fn run_rows<O: Op<V::Elem>>(
        self,
        op: O,
        p: Ptrs<V::Elem>,
        len: usize,
        rows: usize,
        stride: usize,
    ) {
        let mut r = 0;
        while r + ROWS <= rows {
            // SAFETY: rows `r..r + ROWS` lie inside `x` and `dst` (caller
            // contract); the CPU supports `V`'s level.
            unsafe { run_row_group::<V, O>(op, row(p, r * stride), len, stride) };
            r += ROWS;
        }
        while r < rows {
            // SAFETY: as above, for row `r`.
            unsafe { run_vector::<V, O, false>(op, row(p, r * stride), len) };
            r += 1;
        }
    }

    const ANY_RUNS: bool = V::PARTIAL;

    #[inline(always)]
    unsafe fn run_runs<O: Op<V::Elem>>(
        self,
        op: O,
        p: Ptrs<V::Elem>,
        len: usize,
        runs: usize,
        params: Params<V::Elem>,
    ) {
        if V::PARTIAL {
            // SAFETY: forwarded contract.
            return unsafe { run_runs_aligned::<V, O>(op, p, len, runs, params) };
        }
        let lanes = V::LANES;
        // SAFETY (for every access below): the CPU supports `V`'s level;
        // indices stay below `runs * len`, as each loop condition checks.
        let alpha = unsafe { V::alpha(op.alpha()) };
        let mut c = params.first;
        for r in 0..runs {
            let param = unsafe { *params.ptr.add(c) };
            c = next_channel(c, params.channels);
            let q = unsafe { row(p, r * len) };
            let y = unsafe { V::splat(param) };
            let mut j = 0;
            while j + lanes <= len {
                unsafe { op.vector(alpha, V::load(q.x.add(j)), y).store(q.dst.add(j)) };
                j += lanes;
            }
            if j < len {
                let n = len - j;
                if V::PARTIAL {
                    unsafe {
                        op.vector(alpha, V::load_first(q.x.add(j), n), y)
                            .store_first(q.dst.add(j), n)
                    };
                } else {
                    for i in j..len {
                        unsafe { *q.dst.add(i) = op.scalar(*q.x.add(i), param) };
                    }
                }
            }
        }
    }
}

/// [`Loop::run_runs`] where the level has partial vectors: the runs as one
/// stream of vectors aligned to the destination, a partial vector at its
/// start and end only, and each vector that holds a run boundary given
/// both runs' parameters (blended in a mask register). Run by run, each
/// run's partial tail would be stored just before the next run's partial
/// head is loaded from the same cache line, and a load cannot take its
/// data from a masked store still in flight: it waits for the store to
/// reach the cache (about 11 ns a run on a Zen 5, `docs/TUNING.md`).
///
/// # Safety
/// As [`Loop::run_runs`]; `V::PARTIAL`.
#[inline(always)]
unsafe fn run_runs_aligned<V: Vector, O: Op<V::Elem>>(
    op: O,
    p: Ptrs<V::Elem>,
    len: usize,
    runs: usize,
    params: Params<V::Elem>,
) where
    V::Elem: Element,
{
    let lanes = V::LANES;
    debug_assert!(V::PARTIAL && len >= lanes);
    let total = runs * len;
    // SAFETY (for every access below): the CPU supports `V`'s level;
    // parameter indices stay below `channels`, element indices below
    // `total`, as each loop condition checks (caller contract).
    let alpha = unsafe { V::alpha(op.alpha()) };
    let mut c = params.first;
    // This run's parameter and the next one's.
    let mut this = unsafe { V::splat(*params.ptr.add(c)) };
    c = next_channel(c, params.channels);
    let mut next = unsafe { V::splat(*params.ptr.add(c)) };
    let mut run_end = len;
    // At most a vector's worth, all in the first run.
    let mut j = head::<V>(p.dst);
    if j > 0 {
        unsafe { some(op, alpha, p, j, this) };
    }
    if len.is_multiple_of(lanes) && (j > 0 || len <= SHORT_FIXED * lanes) {
        // Every boundary splits its vector at the same lane, and every run
        // but the last ends with such a vector (none where the stream
        // starts on a vector boundary): a fixed count of vectors per run,
        // each run straight-line code where the count is small. Where the
        // stream starts on a boundary and runs are longer, the unrolled
        // loop below runs faster than a loop of the count
        // (`docs/TUNING.md`).
        let first = (lanes - j) % lanes;
        let inside = len / lanes - usize::from(first > 0);
        if inside <= SHORT_FIXED {
            // An arm per count, the last one `SHORT_FIXED`'s.
            const { assert!(SHORT_FIXED == 8) };
            let state = (this, next, c);
            // SAFETY: forwarded contract.
            unsafe {
                match inside {
                    0 => fixed_runs(op, alpha, p, j, runs, 0, first, state, params),
                    1 => fixed_runs(op, alpha, p, j, runs, 1, first, state, params),
                    2 => fixed_runs(op, alpha, p, j, runs, 2, first, state, params),
                    3 => fixed_runs(op, alpha, p, j, runs, 3, first, state, params),
                    4 => fixed_runs(op, alpha, p, j, runs, 4, first, state, params),
                    5 => fixed_runs(op, alpha, p, j, runs, 5, first, state, params),
                    6 => fixed_runs(op, alpha, p, j, runs, 6, first, state, params),
                    7 => fixed_runs(op, alpha, p, j, runs, 7, first, state, params),
                    _ => fixed_runs(op, alpha, p, j, runs, SHORT_FIXED, first, state, params),
                }
            }
            return;
        }
        // The same loop with the count a variable. Here and not through
        // `fixed_runs`: from there, runs of 256 `f32` off a line read
        // 0.92 of this (`docs/TUNING.md`).
        for _ in 1..runs {
            for _ in 0..inside {
                unsafe { one(op, alpha, row(p, j), this) };
                j += lanes;
            }
            if first > 0 {
                unsafe { one(op, alpha, row(p, j), this.blend_first(next, first)) };
                j += lanes;
            }
            unsafe { next_run(&mut this, &mut next, &mut c, params) };
        }
        for _ in 0..inside {
            unsafe { one(op, alpha, row(p, j), this) };
            j += lanes;
        }
        if first > 0 {
            unsafe { some(op, alpha, row(p, j), first, this) };
        }
        return;
    }
    loop {
        while j + UNROLL * lanes <= run_end {
            for k in 0..UNROLL {
                unsafe { one(op, alpha, row(p, j + k * lanes), this) };
            }
            j += UNROLL * lanes;
        }
        while j + lanes <= run_end {
            unsafe { one(op, alpha, row(p, j), this) };
            j += lanes;
        }
        if run_end == total {
            if j < total {
                unsafe { some(op, alpha, row(p, j), total - j, this) };
            }
            return;
        }
        // The vector from `j` holds the boundary `run_end`, unless it starts
        // there; either way it ends inside the next run, which is at least
        // a vector long.
        let first = run_end - j;
        if first > 0 {
            unsafe { one(op, alpha, row(p, j), this.blend_first(next, first)) };
            j += lanes;
        }
        unsafe { next_run(&mut this, &mut next, &mut c, params) };
        run_end += len;
    }
}

/// [`run_runs_aligned`]'s runs of a fixed count: `inside` whole vectors
/// from `j`, then the vector split `first` lanes in (none where `first` is
/// 0), run after run. Inlined with a small literal `inside`, each run is
/// straight-line code.
///
/// # Safety
/// As [`run_runs_aligned`]; `j` is where its head left off; `state` is
/// this run's and the next run's parameters and the next run's channel.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn fixed_runs<V: Vector, O: Op<V::Elem>>(
    op: O,
    alpha: V::Alpha,
    p: Ptrs<V::Elem>,
    mut j: usize,
    runs: usize,
    inside: usize,
    first: usize,
    (mut this, mut next, mut c): (V, V, usize),
    params: Params<V::Elem>,
) where
    V::Elem: Element,
{
    let lanes = V::LANES;
    // SAFETY (for every access below): the caller's bounds.
    for _ in 1..runs {
        for _ in 0..inside {
            unsafe { one(op, alpha, row(p, j), this) };
            j += lanes;
        }
        if first > 0 {
            unsafe { one(op, alpha, row(p, j), this.blend_first(next, first)) };
            j += lanes;
        }
        unsafe { next_run(&mut this, &mut next, &mut c, params) };
    }
    for _ in 0..inside {
        unsafe { one(op, alpha, row(p, j), this) };
        j += lanes;
    }
    if first > 0 {
        unsafe { some(op, alpha, row(p, j), first, this) };
    }
}

/// Runs of at most this many vectors go through [`fixed_runs`] with the
/// count a literal, each run straight-line code, where a loop per run of
/// four vectors slowed 4 Ki NCHW calls by about a tenth, and of eight
/// vectors (`f64`) by about as much (`docs/TUNING.md`).
const SHORT_FIXED: usize = 8;

/// The next run's parameters in [`run_runs_aligned`]: `next` becomes
/// `this`, and `next` the parameter of the channel after `c`.
///
/// # Safety
/// The CPU supports `V`'s level; `c < params.channels`.
#[inline(always)]
unsafe fn next_run<V: Vector>(this: &mut V, next: &mut V, c: &mut usize, params: Params<V::Elem>) {
    *this = *next;
    *c = next_channel(*c, params.channels);
    // SAFETY: `c < channels` (caller contract, kept by `next_channel`).
    *next = unsafe { V::splat(*params.ptr.add(*c)) };
}

/// The first `n` elements (`0 < n < LANES`) of `op` in one partial vector
/// (`p.y` unread), with `y` as every lane's `y`.
///
/// # Safety
/// The CPU supports `V`'s level, which has partial vectors; `p.x` and
/// `p.dst` cover `n` elements.
#[inline(always)]
unsafe fn some<V: Vector, O: Op<V::Elem>>(op: O, alpha: V::Alpha, p: Ptrs<V::Elem>, n: usize, y: V)
where
    V::Elem: Element,
{
    // SAFETY: caller contract.
    unsafe {
        op.vector(alpha, V::load_first(p.x, n), y)
            .store_first(p.dst, n)
    }
}

/// One vector of `op` at `p.x` and `p.dst` (`p.y` unread), with `y` as
/// every lane's `y`.
///
/// # Safety
/// The CPU supports `V`'s level; `p.x` and `p.dst` cover `LANES` elements.
#[inline(always)]
unsafe fn one<V: Vector, O: Op<V::Elem>>(op: O, alpha: V::Alpha, p: Ptrs<V::Elem>, y: V)
where
    V::Elem: Element,
{
    // SAFETY: caller contract.
    unsafe { op.vector(alpha, V::load(p.x), y).store(p.dst) }
}

/// The rows [`Loop::run_rows`] runs together: each vector of `y` is loaded
/// once for them, where one row at a time loads it for every row (a dense
/// layer's `[batch, features]` with its bias row: two loads per vector
/// against one and a quarter).
pub(crate) const ROWS: usize = 4;

/// [`ROWS`] rows against one row of `y`: a head up to an aligned `dst`
/// where the rows share their alignment (a stride of whole vectors), the
/// vectors, and a tail, each row's head and tail by [`run_part`].
///
/// # Safety
/// As [`Loop::run_rows`] for `ROWS` rows; the CPU supports `V`'s level.
#[inline(always)]
unsafe fn run_row_group<V: Vector, O: Op<V::Elem>>(
    op: O,
    p: Ptrs<V::Elem>,
    len: usize,
    stride: usize,
) where
    V::Elem: Element,
{
    let lanes = V::LANES;
    // SAFETY: the CPU supports `V`'s level (caller contract).
    let alpha = unsafe { V::alpha(op.alpha()) };
    // SAFETY (for every access below): indices stay below `len` in each
    // row, as each loop condition checks.
    let rows: [Ptrs<V::Elem>; ROWS] = core::array::from_fn(|r| unsafe { row(p, r * stride) });
    let mut j = 0;
    if stride.is_multiple_of(lanes) && len >= 4 * lanes {
        j = head::<V>(p.dst);
        for q in rows {
            // SAFETY: `j < lanes <= len`.
            unsafe { run_part::<V, O>(op, alpha, q, j) };
        }
    }
    while j + lanes <= len {
        // SAFETY: `j + lanes <= len`; the CPU supports `V`'s level.
        unsafe {
            let y = V::load(p.y.add(j));
            // Every row's load before any row's store: rows a multiple of
            // 4 KiB apart (a dense layer of 1024 `f32`) otherwise put each
            // load just behind a store to the same address modulo 4 KiB,
            // which an Intel core holds until the store's address is
            // resolved (`docs/TUNING.md`).
            let xs: [V; ROWS] = core::array::from_fn(|r| V::load(rows[r].x.add(j)));
            for (q, x) in rows.iter().zip(xs) {
                op.vector(alpha, x, y).store(q.dst.add(j));
            }
        }
        j += lanes;
    }
    for q in rows {
        // SAFETY: `len - j < lanes` elements from `j`, in range.
        unsafe { run_part::<V, O>(op, alpha, q.add(j), len - j) };
    }
}

/// The reference body over every element.
///
/// # Safety
/// `x` and `y` must be readable and `dst` writable for `len` elements
/// (see [`Ptrs`]).
#[inline(always)]
unsafe fn run_scalar<T: Element, O: Op<T>>(op: O, p: Ptrs<T>, len: usize) {
    for i in 0..len {
        // SAFETY: `i < len` (caller contract).
        unsafe { *p.dst.add(i) = op.scalar(*p.x.add(i), *p.y.add(i)) };
    }
}

/// How many vectors one iteration of the main loop handles: enough
/// independent loads and stores in flight to keep both load ports and the
/// store port busy from L1.
const UNROLL: usize = 4;

/// The vector loop: a head up to a `dst` aligned to the vector's size (so
/// no store splits a cache line), `UNROLL` vectors at a time, single
/// vectors, then a tail (head and tail by [`run_part`]). The tail cannot
/// reuse an overlapping last vector: the ops are not idempotent in place.
/// With `STREAM`, the aligned main loop uses non-temporal stores.
///
/// # Safety
/// The CPU must support the level of `V`, and `x` and `y` must be readable
/// and `dst` writable for `len` elements (see [`Ptrs`]).
#[inline(always)]
unsafe fn run_vector<V: Vector, O: Op<V::Elem>, const STREAM: bool>(
    op: O,
    p: Ptrs<V::Elem>,
    len: usize,
) where
    V::Elem: Element,
{
    let lanes = V::LANES;
    // SAFETY: the CPU supports `V`'s level (caller contract).
    let alpha = unsafe { V::alpha(op.alpha()) };
    // SAFETY (for every access below): indices stay below `len`, as each
    // loop condition checks, so every pointer is inside the caller's range.
    let mut i = 0;
    if len >= 4 * UNROLL * lanes {
        let head = head::<V>(p.dst);
        // SAFETY: `head < lanes <= len`.
        unsafe { run_part::<V, O>(op, alpha, p, head) };
        i = head;
    }
    // SAFETY: `i <= len`.
    let aligned = unsafe { p.dst.add(i) as usize }.is_multiple_of(lanes * size_of::<V::Elem>());
    if STREAM && aligned {
        // SAFETY: forwarded contract; `dst + i` is aligned to the vector
        // and the loop advances by whole vectors, so every streaming store
        // is too.
        i = unsafe { main_loop(op, alpha, p, i, len, |v: V, d| v.store_stream(d)) };
        V::fence();
    } else {
        // SAFETY: forwarded contract.
        i = unsafe { main_loop(op, alpha, p, i, len, |v: V, d| v.store(d)) };
    }
    while i + lanes <= len {
        // SAFETY: `i + lanes <= len`; the CPU supports `V`'s level.
        unsafe {
            let q = p.add(i);
            op.vector(alpha, V::load(q.x), V::load(q.y)).store(q.dst);
        }
        i += lanes;
    }
    // SAFETY: `i <= len` and `len - i < lanes`, so the rest is `len - i`
    // elements in range.
    unsafe { run_part::<V, O>(op, alpha, p.add(i), len - i) };
}

/// The elements from `dst` to the next multiple of the vector's size (32
/// or 64 bytes, a power of two that divides a cache line): 0 where `dst`
/// is there or is not aligned to its element.
#[inline(always)]
fn head<V: Vector>(dst: *mut V::Elem) -> usize {
    let (size, bytes) = (size_of::<V::Elem>(), V::LANES * size_of::<V::Elem>());
    let misalign = (dst as usize) % bytes;
    if misalign.is_multiple_of(size) {
        (bytes - misalign) % bytes / size
    } else {
        0
    }
}

/// The first `n` elements (`n < LANES`): in one partial vector where the
/// level has them, element by element elsewhere.
///
/// # Safety
/// As [`run_vector`] for `n` elements.
#[inline(always)]
unsafe fn run_part<V: Vector, O: Op<V::Elem>>(op: O, alpha: V::Alpha, p: Ptrs<V::Elem>, n: usize)
where
    V::Elem: Element,
{
    if V::PARTIAL {
        if n > 0 {
            // SAFETY: `0 < n < LANES`; the pointers cover `n` elements and
            // the partial loads and stores touch no others.
            unsafe {
                op.vector(alpha, V::load_first(p.x, n), V::load_first(p.y, n))
                    .store_first(p.dst, n)
            }
        }
    } else {
        // SAFETY: forwarded contract.
        unsafe { run_scalar(op, p, n) }
    }
}

/// The loop of levels with vectors, beyond [`Loop`]: what the per-channel
/// walk against a laid-out period needs, which the scalar level never
/// takes.
impl<V: Vector> VectorLoop<V>
where
    V::Elem: Element,
{
    /// How many elements past its period [`run_periodic`](Self::run_periodic)
    /// reads its `y`.
    pub(crate) const PERIOD_PAD: usize = UNROLL * V::LANES;

    /// Runs `op` over `len` elements at `p.x` and `p.dst`, element `k`
    /// against `p.y[k % period]`: a parameter row repeated along a stream
    /// of rows, in one loop. `p.y` holds the period and, after it, its
    /// first [`PERIOD_PAD`](Self::PERIOD_PAD) elements again (read where a
    /// step of vectors runs past the period's end).
    ///
    /// # Safety
    /// The CPU supports the level; `p.x` and `p.dst` cover `len` elements
    /// and `p.y` `period + PERIOD_PAD` (see [`Ptrs`]); `period` is a
    /// positive multiple of `V::LANES`, and at least `PERIOD_PAD`.
    #[inline(always)]
    pub(crate) unsafe fn run_periodic<O: Op<V::Elem>>(
        self,
        op: O,
        p: Ptrs<V::Elem>,
        len: usize,
        period: usize,
        stream: bool,
    ) {
        // SAFETY: forwarded contract.
        unsafe {
            if V::STREAMS
                && stream
                && (p.dst as usize).is_multiple_of(V::LANES * size_of::<V::Elem>())
            {
                periodic_loop(op, p, len, period, |v: V, d| v.store_stream(d));
                V::fence();
            } else {
                periodic_loop(op, p, len, period, |v: V, d| v.store(d));
            }
        }
    }

    /// Copies `len` elements from `src` to `dst` through the level's
    /// vectors (and a partial vector or single elements at the end), so
    /// that [`Loop::run`] loads from `dst` what it would have loaded from
    /// `src` (a NaN may come back as another NaN).
    ///
    /// # Safety
    /// The CPU supports the level; `src` is readable and `dst` writable for
    /// `len` elements, and they do not overlap.
    #[inline(always)]
    pub(crate) unsafe fn copy(self, src: *const V::Elem, dst: *mut V::Elem, len: usize) {
        // A loop of vectors rather than `memcpy`: the C library's copy of
        // a few KiB (`rep movsb`) slowed the loop that reads the copy
        // (`docs/TUNING.md`).
        let mut j = 0;
        // SAFETY (for every access below): indices stay below `len`, as
        // each loop condition checks (caller contract); the CPU supports
        // the level.
        while j + V::LANES <= len {
            unsafe { V::load(src.add(j)).store(dst.add(j)) };
            // No instruction: it keeps the compiler from turning the loop
            // back into a `memcpy` call, as it otherwise does.
            compiler_fence(Ordering::SeqCst);
            j += V::LANES;
        }
        let n = len - j;
        if V::PARTIAL {
            if n > 0 {
                unsafe { V::load_first(src.add(j), n).store_first(dst.add(j), n) };
            }
        } else {
            for e in j..len {
                unsafe { dst.add(e).write(*src.add(e)) };
            }
        }
    }

    /// The elements from `dst` to the next vector boundary, where
    /// [`Loop::run`] starts its aligned body.
    #[inline(always)]
    pub(crate) fn head(self, dst: *mut V::Elem) -> usize {
        head::<V>(dst)
    }
}

/// [`VectorLoop::run_periodic`] on `V`: [`main_loop`]'s steps with `y`'s index
/// wrapped at `period` after each step, then single vectors and a tail.
///
/// # Safety
/// As [`VectorLoop::run_periodic`], and `store` must be safe to call for every
/// vector position from `dst` on in steps of `LANES`.
#[inline(always)]
unsafe fn periodic_loop<V: Vector, O: Op<V::Elem>>(
    op: O,
    p: Ptrs<V::Elem>,
    len: usize,
    period: usize,
    store: impl Fn(V, *mut V::Elem),
) where
    V::Elem: Element,
{
    let lanes = V::LANES;
    let step = UNROLL * lanes;
    // SAFETY (for every access below): the CPU supports `V`'s level;
    // element indices stay below `len` as each loop condition checks, and
    // `j < period` before each step (as `period >= step`), which reads `y`
    // below `period + step`.
    let alpha = unsafe { V::alpha(op.alpha()) };
    let (mut i, mut j) = (0, 0);
    while i + step <= len {
        unsafe {
            let (x, y, dst) = (p.x.add(i), p.y.add(j), p.dst.add(i));
            let xs: [V; UNROLL] = core::array::from_fn(|k| V::load(x.add(k * lanes)));
            let ys: [V; UNROLL] = core::array::from_fn(|k| V::load(y.add(k * lanes)));
            for k in 0..UNROLL {
                store(op.vector(alpha, xs[k], ys[k]), dst.add(k * lanes));
            }
        }
        i += step;
        // `j + step`, less `period` where that is not negative: one
        // subtraction and a select from one step to the next.
        let past = (j as isize) - (period - step) as isize;
        j = if past < 0 { j + step } else { past as usize };
    }
    let q = Ptrs {
        x: p.x.wrapping_add(i),
        y: p.y.wrapping_add(j),
        dst: p.dst.wrapping_add(i),
    };
    let mut k = 0;
    while i + k + lanes <= len {
        unsafe {
            let r = q.add(k);
            op.vector(alpha, V::load(r.x), V::load(r.y)).store(r.dst);
        }
        k += lanes;
    }
    unsafe { run_part::<V, O>(op, alpha, q.add(k), len - i - k) };
}

/// `UNROLL` vectors at a time from `i` while they fit; returns where it
/// stopped. `alpha` is the op's, prepared; `store` writes one vector.
///
/// # Safety
/// As [`run_vector`], and `store` must be safe to call for every vector
/// position from `dst + i` on in steps of `LANES`.
#[inline(always)]
unsafe fn main_loop<V: Vector, O: Op<V::Elem>>(
    op: O,
    alpha: V::Alpha,
    p: Ptrs<V::Elem>,
    mut i: usize,
    len: usize,
    store: impl Fn(V, *mut V::Elem),
) -> usize
where
    V::Elem: Element,
{
    let lanes = V::LANES;
    let step = UNROLL * lanes;
    for _ in 0..(len - i) / step {
        // SAFETY: `i + step <= len`, since the loop runs `(len - i) / step`
        // times from where it starts.
        unsafe {
            let q = p.add(i);
            let x: [V; UNROLL] = core::array::from_fn(|k| V::load(q.x.add(k * lanes)));
            let y: [V; UNROLL] = core::array::from_fn(|k| V::load(q.y.add(k * lanes)));
            for k in 0..UNROLL {
                store(op.vector(alpha, x[k], y[k]), q.dst.add(k * lanes));
            }
        }
        i += step;
    }
    i
}
