//! The policy: whether a call runs serially or is shared among threads,
//! and how, with every threshold that decides it. The root functions,
//! `Kernels` and `nd` all ask it.
//!
//! How a call is split depends on who calls. A pool worker (code inside
//! `ThreadPool::install` or a `par_iter`) halves the buffer with
//! `rayon::join` ([`join`]); any other thread works through the buffer
//! itself and lets pool workers join in ([`shared`]). Without the `rayon`
//! feature both entry points run serially, so every `Threading` mode exists
//! on every build.

use super::channel::Channels;
#[cfg(feature = "rayon")]
use super::reduce::ByBlocks;
use super::reduce::Reduce;
#[cfg(feature = "rayon")]
use super::shared::{self, SliceWork, Wake};
use super::work::Work;
use super::{io::Io, serial};
#[cfg(feature = "rayon")]
use super::{join, linger};
use crate::Element;
use crate::arch::Level;
use crate::ops::Op;
use crate::ops::channel::PerChannel;
use crate::ops::param_grad::WithGrad;
#[cfg(feature = "rayon")]
use crate::ops::sum::BLOCK_ROWS;

/// Calls from a worker of a rayon pool that read fewer bytes than this run
/// serially in the root functions
/// ([`Threading::Auto`](crate::Threading::Auto)); larger ones are split over
/// the pool's threads. An in-place call reads its one slice, a two-slice
/// call both, so for `f32` the switch is at 128 Ki elements in place and
/// 64 Ki for the out-of-place and backward forms (half that for `f64`).
/// Calls from other threads switch elsewhere (see `Threading::Auto`).
///
/// Below it, handing part of the buffer to another core costs about as
/// much as the serial pass takes; above it the split wins whenever the
/// other core is free. (The measurements are in the repository's
/// `docs/TUNING.md`.)
pub const PARALLEL_THRESHOLD_BYTES: usize = 512 * 1024;

/// Inside the pool, a call is cut into pieces that each read at least
/// this much (and at most [`PIECES_PER_THREAD`] per thread), so a call
/// reading less than twice this runs in one piece, and a call at
/// [`PARALLEL_THRESHOLD_BYTES`] in two: smaller pieces cost more in
/// hand-offs than they gain (`docs/TUNING.md`). Under Miri it is 1 KiB, so
/// that splitting runs on buffers small enough to interpret.
#[cfg(feature = "rayon")]
const MIN_PIECE_BYTES: usize = if cfg!(miri) { 1024 } else { 256 * 1024 };

/// Inside the pool, pieces per thread: more than one lets a thread that
/// finishes early (the other core was busy with something else) steal the
/// rest.
#[cfg(feature = "rayon")]
const PIECES_PER_THREAD: usize = 4;

/// From outside the pool, the bytes read by one unit of work.
#[cfg(feature = "rayon")]
const SHARED_UNIT_BYTES: usize = if cfg!(miri) { 1024 } else { 16 * 1024 };

/// Cuts fall on multiples of this many bytes, so pieces start on cache
/// lines.
const SPLIT_ALIGN_BYTES: usize = 64;

/// From outside the pool, calls whose destination is smaller than this
/// run serially: handing part of them to a helper, even an awake one,
/// costs more than it saves. Above it they are shared when a helper
/// lingers or the calls come back to back (see [`COLD_MIN_READ_BYTES`]
/// for the rest). The 16-bit formats follow the same bytes, though their
/// multiplying ops cost more per byte: the gain below it would be too
/// small to set them apart (`docs/TUNING.md`). Under Miri it is 4 KiB, so
/// that calls small enough to interpret are shared too.
#[cfg(feature = "rayon")]
const WARM_MIN_DST_BYTES: usize = if cfg!(miri) { 4 * 1024 } else { 192 * 1024 };

// A pool worker's calls below `WARM_MIN_DST_BYTES` of destination read
// less than `PARALLEL_THRESHOLD_BYTES` even with two slices.
#[cfg(feature = "rayon")]
const _: () = assert!(2 * WARM_MIN_DST_BYTES <= PARALLEL_THRESHOLD_BYTES);

/// From outside the pool, calls that read at least this much wake helpers
/// even when none lingers and the calls do not come back to back. Waking a
/// sleeping worker costs the caller microseconds and the helper starts
/// tens of microseconds late; from about this size on, the serial pass
/// takes long enough for the helper's share to pay for that, for the
/// cheapest op as for the converting 16-bit ones (`docs/TUNING.md`).
/// Under Miri it is 8 KiB, for the reason `WARM_MIN_DST_BYTES` gives.
#[cfg(feature = "rayon")]
const COLD_MIN_READ_BYTES: usize = if cfg!(miri) {
    8 * 1024
} else {
    4 * 1024 * 1024
};

/// The policy every front follows, slices and `nd` alike.
///
/// From outside the pool: how a call that writes `dst_bytes` and reads
/// `read_bytes` is shared, by the root functions' rules (see [`auto`]):
/// `None` to run it serially.
#[cfg(feature = "rayon")]
pub(crate) fn outside_wake(dst_bytes: usize, read_bytes: usize) -> Option<Wake> {
    if dst_bytes < WARM_MIN_DST_BYTES || rayon::current_num_threads() <= 1 {
        return None;
    }
    Some(if read_bytes >= COLD_MIN_READ_BYTES || linger::recent() {
        Wake::Spawn
    } else {
        Wake::LingeringOnly
    })
}

/// Inside the pool: into how many pieces a call of `len` elements (or
/// other parts) reading `read_per_elem` bytes each is cut; 1 runs it
/// serially. With `auto`, calls below [`PARALLEL_THRESHOLD_BYTES`] run
/// serially (the root functions' rule); otherwise only the minimum piece
/// limits the split (`Threading::Parallel`).
#[cfg(feature = "rayon")]
pub(crate) fn pool_pieces(len: usize, read_per_elem: usize, auto: bool) -> usize {
    let threads = rayon::current_num_threads();
    if threads <= 1 || (auto && len.saturating_mul(read_per_elem) < PARALLEL_THRESHOLD_BYTES) {
        return 1;
    }
    let min_piece = (MIN_PIECE_BYTES / read_per_elem).max(1);
    (len / min_piece).clamp(1, threads * PIECES_PER_THREAD)
}

/// From outside the pool: the parts in one unit of shared work, for parts
/// that read `read_per_part` bytes each.
#[cfg(feature = "rayon")]
pub(crate) fn shared_unit(read_per_part: usize) -> usize {
    (SHARED_UNIT_BYTES / read_per_part.max(1)).max(1)
}

/// Runs `work` from outside the pool, shared as [`outside_wake`] said, in
/// units of `unit` parts (a multiple of `align`).
#[cfg(feature = "rayon")]
pub(crate) fn share_from_outside<W: Work>(work: W, unit: usize, align: usize, wake: Wake) {
    shared::share(work, unit, align, rayon::current_num_threads(), wake);
    linger::ended();
}

/// How a call from outside the pool is split.
#[cfg(feature = "rayon")]
fn from_outside<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>, wake: Wake) {
    let align = SPLIT_ALIGN_BYTES / core::mem::size_of::<T>();
    let unit = shared_unit(io.bytes_read_per_elem()).next_multiple_of(align);
    if rayon::current_num_threads() <= 1 || io.len() <= unit {
        return serial::run(level, op, io);
    }
    // SAFETY: the slices outlive their borrow only inside the shared call,
    // which runs `Io::chunk`s of it alone and returns after every one of
    // them has run (see `shared::share`).
    let io = unsafe { io.chunk(0, io.len()) };
    share_from_outside(SliceWork { io, level, op }, unit, align, wake);
}

/// Inside the pool: halved with `rayon::join` into the pieces
/// [`pool_pieces`] gives.
#[cfg(feature = "rayon")]
fn in_pool<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>, auto: bool) {
    let pieces = pool_pieces(io.len(), io.bytes_read_per_elem(), auto);
    if pieces <= 1 {
        return serial::run(level, op, io);
    }
    let align = SPLIT_ALIGN_BYTES / core::mem::size_of::<T>();
    let len = io.len();
    // SAFETY: `halve` returns after every piece has run, while the caller
    // still holds the borrow; the pieces are disjoint.
    unsafe {
        let io = io.chunk(0, len);
        join::halve(&SliceWork { io, level, op }, 0, len, pieces, align);
    }
}

/// `Threading::Parallel`: always shared.
#[cfg(feature = "rayon")]
pub(crate) fn split<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    if rayon::current_thread_index().is_none() {
        return from_outside(level, op, io, Wake::Spawn);
    }
    in_pool(level, op, io, false);
}

/// `Threading::Auto`: shared where the policy says it pays.
#[cfg(feature = "rayon")]
pub(crate) fn auto<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    // Below this every caller runs serially (see the assertion above), so
    // the smallest calls pay one comparison.
    let dst_bytes = io.len() * core::mem::size_of::<T>();
    if dst_bytes < WARM_MIN_DST_BYTES {
        return serial::run(level, op, io);
    }
    if rayon::current_thread_index().is_some() {
        return in_pool(level, op, io, true);
    }
    match outside_wake(dst_bytes, io.len() * io.bytes_read_per_elem()) {
        Some(wake) => from_outside(level, op, io, wake),
        None => serial::run(level, op, io),
    }
}

/// Whether [`share`] runs a call that writes `dst_bytes` on this thread
/// without looking at the pool: an `auto` call too small to wake it, and
/// every call without the `rayon` feature.
#[inline]
fn stays_here(auto: bool, dst_bytes: usize) -> bool {
    #[cfg(feature = "rayon")]
    return auto && dst_bytes < WARM_MIN_DST_BYTES;
    #[cfg(not(feature = "rayon"))]
    {
        let _ = (auto, dst_bytes);
        true
    }
}

/// `Threading::Parallel` (`auto` false) or `Threading::Auto` for work
/// other than one elementwise op over slices: `work.len()` parts (elements,
/// or whole channels), each reading `read_per_part` bytes, the call
/// writing `dst_bytes`, cut on multiples of `align` parts. The same rules
/// as the elementwise calls'.
#[cfg(feature = "rayon")]
pub(crate) fn share<W: Work>(
    work: W,
    auto: bool,
    read_per_part: usize,
    dst_bytes: usize,
    align: usize,
) {
    let len = work.len();
    // SAFETY (for every `run_range` of the whole): the call on this thread
    // alone, while the caller holds the borrow.
    if stays_here(auto, dst_bytes) {
        return unsafe { work.run_range(0, len) };
    }
    if rayon::current_thread_index().is_some() {
        let pieces = pool_pieces(len, read_per_part, auto);
        // SAFETY: `halve` runs disjoint pieces and returns after all.
        return unsafe { join::halve(&work, 0, len, pieces, align) };
    }
    let wake = if auto {
        match outside_wake(dst_bytes, len.saturating_mul(read_per_part)) {
            Some(wake) => wake,
            None => return unsafe { work.run_range(0, len) },
        }
    } else {
        Wake::Spawn
    };
    let unit = shared_unit(read_per_part).next_multiple_of(align);
    if rayon::current_num_threads() <= 1 || len <= unit {
        return unsafe { work.run_range(0, len) };
    }
    share_from_outside(work, unit, align, wake);
}

#[cfg(not(feature = "rayon"))]
pub(crate) fn share<W: Work>(work: W, _auto: bool, _read: usize, _dst: usize, _align: usize) {
    // SAFETY: the whole call on this thread alone, while the caller holds
    // the borrow.
    unsafe { work.run_range(0, work.len()) }
}

/// A per-channel call, where every parameter is finite: [`share`] over its
/// elements. Says whether they were: `false`, with nothing written, where
/// one is not. A call that runs on this thread alone checks them in its
/// kernel ([`Channels::run_checked`]); a shared one first.
pub(crate) fn channels<T: Element, C: PerChannel<T>>(work: Channels<T, C>, auto: bool) -> bool {
    let size = core::mem::size_of::<T>();
    let dst_bytes = work.io.len * size;
    if stays_here(auto, dst_bytes) {
        // SAFETY: the whole call on this thread alone, while the caller
        // holds the borrow.
        return unsafe { work.run_checked() };
    }
    if !work.params_finite() {
        return false;
    }
    let read = work.io.bytes_read_per_elem();
    share(work, auto, read, dst_bytes, SPLIT_ALIGN_BYTES / size);
    true
}

/// A backward pass with a parameter gradient takes its channels in stripes
/// at least this wide in each row, when it is shared by channels: a stripe
/// then reads whole cache lines, and the hardware prefetchers see runs
/// rather than a few bytes per row (2 KiB measured the same,
/// `docs/TUNING.md`).
const STRIPE_BYTES: usize = 1024;

/// A backward pass with a parameter gradient whose rows are at most this
/// long, and that has more than one block of rows, is shared by blocks:
/// each thread then reads whole rows in order, where stripes of short rows
/// break every row's run into pieces the prefetchers do not follow
/// (`docs/TUNING.md`). Longer rows are shared by channels, whose stripes
/// are long runs.
#[cfg(feature = "rayon")]
const BLOCK_SPLIT_ROW_BYTES: usize = 64 * 1024;

/// A backward pass with a parameter gradient: [`share`] over its blocks of
/// rows where rows are short, else over its channels (a channel's sum
/// built on one thread), in stripes of at least [`STRIPE_BYTES`] per row.
/// Both give the same bits (`ops::sum`).
pub(crate) fn reduce<T: Element, F: WithGrad<T>>(work: Reduce<T, F>, auto: bool) {
    let size = core::mem::size_of::<T>();
    let row_bytes = work.channels * work.inner * size;
    let dst_bytes = work.outer * row_bytes;
    #[cfg(feature = "rayon")]
    if work.blocks() > 1
        && row_bytes <= BLOCK_SPLIT_ROW_BYTES
        && !(auto && dst_bytes < WARM_MIN_DST_BYTES)
    {
        let n = work.blocks() * work.channels;
        let (mut sum, mut comp) = (vec![0.0f64; n], vec![0.0f64; n]);
        let blocks = ByBlocks {
            call: work,
            sum: sum.as_mut_ptr(),
            comp: comp.as_mut_ptr(),
        };
        share(blocks, auto, 2 * BLOCK_ROWS * row_bytes, dst_bytes, 1);
        // SAFETY: `share` returned after every block ran, and the caller
        // still holds the borrows.
        return unsafe { work.add_blocks(&sum, &comp) };
    }
    let read = (work.outer * work.inner).saturating_mul(2 * size);
    let align = STRIPE_BYTES.div_ceil(work.inner * size).max(1);
    share(work, auto, read, dst_bytes, align);
}

#[cfg(not(feature = "rayon"))]
pub(crate) fn split<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    serial::run(level, op, io)
}

#[cfg(not(feature = "rayon"))]
pub(crate) fn auto<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    serial::run(level, op, io)
}
