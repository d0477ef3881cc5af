//! The parallel driver: one recursive split over rayon for every op.
//!
//! Without the `rayon` feature both entry points run serially, so every
//! `Threading` mode exists on every build.

use crate::Element;
use crate::kernel::Io;
use crate::level::Level;
use crate::ops::Op;

/// Buffers smaller than this many bytes run serially in the root functions
/// ([`Threading::Auto`](crate::Threading::Auto)); larger ones are split over
/// rayon's threads.
///
/// Chosen by measurement on a 2-core AMD Zen 3 machine (see the README's
/// "Parallel threshold"): below it, handing half of the buffer to the other
/// core costs more than the half takes to process.
pub const PARALLEL_THRESHOLD_BYTES: usize = 256 * 1024;

/// No chunk is smaller than this: below it rayon's per-task cost (a few
/// microseconds to wake and steal) outweighs the work.
#[cfg(feature = "rayon")]
const MIN_CHUNK_BYTES: usize = 64 * 1024;

/// Chunks per thread: more than one lets a thread that finishes early (the
/// other core was busy with something else) steal the rest.
#[cfg(feature = "rayon")]
const CHUNKS_PER_THREAD: usize = 4;

/// Splits are rounded to this many bytes so chunks start on cache lines.
#[cfg(feature = "rayon")]
const SPLIT_ALIGN_BYTES: usize = 64;

#[cfg(feature = "rayon")]
pub(crate) fn run<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    let size = core::mem::size_of::<T>();
    let threads = rayon::current_num_threads();
    let min_chunk = MIN_CHUNK_BYTES / size;
    if threads <= 1 || io.len() <= min_chunk {
        return io.run(level, op);
    }
    let chunk = min_chunk.max(io.len().div_ceil(threads * CHUNKS_PER_THREAD));
    split(level, op, io, chunk, SPLIT_ALIGN_BYTES / size);
}

#[cfg(feature = "rayon")]
fn split<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>, chunk: usize, align: usize) {
    if io.len() <= chunk {
        return io.run(level, op);
    }
    let mid = (io.len() / 2).next_multiple_of(align).min(io.len());
    let (lo, hi) = io.split_at(mid);
    rayon::join(
        || split(level, op, lo, chunk, align),
        || split(level, op, hi, chunk, align),
    );
}

#[cfg(feature = "rayon")]
pub(crate) fn run_auto<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    if io.len() * core::mem::size_of::<T>() < PARALLEL_THRESHOLD_BYTES {
        io.run(level, op)
    } else {
        run(level, op, io)
    }
}

#[cfg(not(feature = "rayon"))]
pub(crate) fn run<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    io.run(level, op)
}

#[cfg(not(feature = "rayon"))]
pub(crate) fn run_auto<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    io.run(level, op)
}
