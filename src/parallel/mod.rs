//! The parallel driver: every op and level goes through it.
//!
//! How a call is split depends on who calls. A pool worker (code inside
//! `ThreadPool::install` or a `par_iter`) halves the buffer with
//! `rayon::join` ([`join`]); any other thread works through the buffer
//! itself and lets pool workers join in ([`shared`]). Without the `rayon`
//! feature both entry points run serially, so every `Threading` mode exists
//! on every build.

#[cfg(feature = "rayon")]
mod join;
#[cfg(feature = "rayon")]
mod linger;
#[cfg(feature = "rayon")]
mod shared;

#[cfg(all(feature = "rayon", feature = "ndarray"))]
pub(crate) use shared::{Wake, Work};

use crate::Element;
use crate::level::Level;
use crate::ops::Op;
use crate::slices::Io;

/// Calls from a worker of a rayon pool that read fewer bytes than this run
/// serially in the root functions
/// ([`Threading::Auto`](crate::Threading::Auto)); larger ones are split over
/// the pool's threads. An in-place call reads its one slice, a two-slice
/// call both, so for `f32` the switch is at 128 Ki elements in place and
/// 64 Ki for the out-of-place and backward forms (half that for `f64`).
/// Calls from other threads switch elsewhere (see `Threading::Auto`).
///
/// # How it was chosen
/// On the 2-core AMD EPYC machines this crate is developed on, `simd` and
/// `par` were timed side by side from a pool worker (interleaved, medians
/// of 11-15 timings, `examples/throughput.rs --in-pool --paths simd,par
/// --sizes ...`) from 32 Ki to
/// 512 Ki `f32`. In place, `par` lost at 64 Ki and below in nearly every
/// run (0.7-0.97x of `simd`): handing half the buffer to the other core
/// costs about as much as the serial pass takes (2-4 µs at 64 Ki). At
/// 96-128 Ki it won by 1.2-1.8x when the second core was free and lost or
/// tied (0.7-1.0x) when a neighbour held it; from 192 Ki on it won
/// (1.1-2.2x). The backward and out-of-place forms, which move 12 bytes per
/// element, crossed over near 64 Ki (0.9-1.3x there, 1.35-1.7x at 96 Ki).
/// Counting bytes read puts both switches at one constant. PyTorch's grain,
/// 32 Ki elements, would be too small here: at 32 Ki `par` lost in the
/// sweep that covered it (0.75x for relu, 0.90x for leaky_relu_grad).
pub const PARALLEL_THRESHOLD_BYTES: usize = 512 * 1024;

/// Inside the pool, a call is cut into pieces that each read at least
/// this much (and at most [`PIECES_PER_THREAD`] per thread), so a call
/// reading less than twice this runs in one piece, and a call at
/// [`PARALLEL_THRESHOLD_BYTES`] in two. Measured with `par` alone
/// (`examples/throughput.rs --in-pool --paths par`, two interleaved rounds,
/// G elem/s) at 256 Ki `f32`: 16 KiB pieces 19-23 (relu) and 19-20
/// (relu_grad), 64 KiB 23-28 and 21-25, 256 KiB 27-32 and 23-26; at 1 Mi
/// and above the piece count is set by `PIECES_PER_THREAD` instead. Under
/// Miri it is 1 KiB, so that splitting runs on buffers small enough to
/// interpret.
#[cfg(feature = "rayon")]
pub(crate) const MIN_PIECE_BYTES: usize = if cfg!(miri) { 1024 } else { 256 * 1024 };

/// Inside the pool, pieces per thread: more than one lets a thread that
/// finishes early (the other core was busy with something else) steal the
/// rest. One and four measured alike within the noise (16 Mi `f32`:
/// 5.9-6.8 G elem/s either way); four keeps the stealing.
#[cfg(feature = "rayon")]
pub(crate) const PIECES_PER_THREAD: usize = 4;

/// From outside the pool, the bytes read by one unit of work.
#[cfg(feature = "rayon")]
pub(crate) const SHARED_UNIT_BYTES: usize = if cfg!(miri) { 1024 } else { 16 * 1024 };

/// Cuts fall on multiples of this many bytes, so pieces start on cache
/// lines.
#[cfg(feature = "rayon")]
const SPLIT_ALIGN_BYTES: usize = 64;

/// From outside the pool, calls whose destination is smaller than this
/// run serially. Above it they are shared when a helper lingers or the
/// calls come back to back (see [`COLD_MIN_READ_BYTES`] for the rest).
///
/// Measured side by side (`examples/throughput.rs --paths simd,par`,
/// medians of 15, calls back to back from the main thread, G elem/s):
/// in place, `par` lost at 32 Ki `f32` (relu 12.4 vs `simd` 13.3), won
/// narrowly at 40 Ki (14.7 vs 13.4) and clearly at 48 Ki (15.7-18.6 vs
/// 13.0-13.4); the two-slice forms crossed at the same element count
/// (relu_backward 9.8 vs 10.3 at 32 Ki, 12.7 vs 11.1 at 40 Ki, 13.0-15.2
/// vs 10.8-10.9 at 48 Ki). Hence 192 KiB of destination: 48 Ki `f32`.
///
/// The 16-bit formats follow the same bytes (96 Ki elements), though their
/// multiplying ops convert and cost about 3x more per byte: measured the
/// same way, `relu` on `f16`/`bf16` lost at 64 Ki (0.84-0.86x, once 1.10x)
/// and won at 96 Ki (1.22-1.24x); `leaky_relu` and `leaky_relu_backward`
/// were even at 48-64 Ki (0.92-1.40x) and won at 96 Ki (1.17-1.50x), too
/// little gain below to set them apart.
#[cfg(feature = "rayon")]
const WARM_MIN_DST_BYTES: usize = 192 * 1024;

// A pool worker's calls below `WARM_MIN_DST_BYTES` of destination read
// less than `PARALLEL_THRESHOLD_BYTES` even with two slices.
#[cfg(feature = "rayon")]
const _: () = assert!(2 * WARM_MIN_DST_BYTES <= PARALLEL_THRESHOLD_BYTES);

/// From outside the pool, calls that read at least this much wake helpers
/// even when none lingers and the calls do not come back to back: then a
/// sleeping worker must be woken, which cost the caller 11 µs and started
/// 36 µs late on the development machine.
///
/// Measured call by call, each after 500 µs of busy work on the main
/// thread, the root function against `simd` interleaved (300 calls each,
/// medians of per-call times, two runs). With the switch here: in place,
/// 1 Mi `f32` (4 MiB read) relu 0.98-1.00x, leaky_relu_grad 1.20-1.33x,
/// 2 Mi 1.54-1.63x; two slices, 512 Ki (4 MiB) 1.02-1.37x and 768 Ki
/// 1.43-1.48x. So at 4 MiB the wake-up just pays for itself for the
/// fastest op. Below it, `par` (which always wakes helpers) lost in the
/// gap-timed report (`examples/throughput.rs --gap 500 --paths simd,par`):
/// in place at 512 Ki, 0.75-0.85x; two slices at 256 Ki, 0.75-0.87x.
/// Calls that come back to back need far less (see
/// [`WARM_MIN_DST_BYTES`]). The converting 16-bit ops break even at the
/// same bytes despite costing more per byte: cold `par` against `simd` on
/// `f16` `leaky_relu` gave 0.26-0.96x at 512 Ki-1 Mi (1-2 MiB read) and
/// 0.97-1.15x at 2 Mi (4 MiB); the wake-up, not the work, sets the switch.
#[cfg(feature = "rayon")]
const COLD_MIN_READ_BYTES: usize = 4 * 1024 * 1024;

/// How a call from outside the pool is split.
#[cfg(feature = "rayon")]
fn from_outside<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>, wake: shared::Wake) {
    let threads = rayon::current_num_threads();
    let per_elem = io.bytes_read_per_elem();
    let align = SPLIT_ALIGN_BYTES / core::mem::size_of::<T>();
    let unit = (SHARED_UNIT_BYTES / per_elem).next_multiple_of(align);
    if threads <= 1 || io.len() <= unit {
        return io.run(level, op);
    }
    // SAFETY: the slices outlive their borrow only inside the shared call,
    // which runs `Io::chunk`s of it alone and returns after every one of
    // them has run (see `shared::run`).
    let io = unsafe { io.chunk(0, io.len()) };
    shared::run(shared::Slices { io, level, op }, unit, align, threads, wake);
}

#[cfg(feature = "rayon")]
pub(crate) fn run<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    if rayon::current_thread_index().is_none() {
        return from_outside(level, op, io, shared::Wake::Spawn);
    }
    let threads = rayon::current_num_threads();
    let align = SPLIT_ALIGN_BYTES / core::mem::size_of::<T>();
    // A multiple of `align`, so that no piece is shorter (see `join::run`).
    let min_piece = MIN_PIECE_BYTES / io.bytes_read_per_elem();
    let pieces = (io.len() / min_piece).min(threads * PIECES_PER_THREAD);
    if threads <= 1 {
        return io.run(level, op);
    }
    join::run(level, op, io, pieces, align);
}

/// How a call from outside the pool that writes `dst_bytes` and reads
/// `read_bytes` is shared, by the root functions' rules (see
/// [`run_auto`]): `None` to run it serially.
#[cfg(all(feature = "rayon", feature = "ndarray"))]
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

/// Runs `work` from outside the pool, shared as [`outside_wake`] said, in
/// units of `unit` parts (a multiple of `align`).
#[cfg(all(feature = "rayon", feature = "ndarray"))]
pub(crate) fn share_from_outside<W: Work>(work: W, unit: usize, align: usize, wake: Wake) {
    shared::run(work, unit, align, rayon::current_num_threads(), wake);
    linger::ended();
}

#[cfg(feature = "rayon")]
pub(crate) fn run_auto<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    // Below this every caller runs serially (see the assertion below), so
    // the smallest calls pay one comparison.
    if io.len() * core::mem::size_of::<T>() < WARM_MIN_DST_BYTES {
        return io.run(level, op);
    }
    let read = io.len() * io.bytes_read_per_elem();
    if rayon::current_thread_index().is_some() {
        if read < PARALLEL_THRESHOLD_BYTES {
            return io.run(level, op);
        }
        return run(level, op, io);
    }
    let back_to_back = linger::recent();
    let wake = if read >= COLD_MIN_READ_BYTES || back_to_back {
        shared::Wake::Spawn
    } else {
        shared::Wake::LingeringOnly
    };
    from_outside(level, op, io, wake);
    linger::ended();
}

#[cfg(not(feature = "rayon"))]
pub(crate) fn run<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    io.run(level, op)
}

#[cfg(not(feature = "rayon"))]
pub(crate) fn run_auto<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    io.run(level, op)
}
