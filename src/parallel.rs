//! The parallel driver: one recursive split over rayon for every op.
//!
//! Without the `rayon` feature both entry points run serially, so every
//! `Threading` mode exists on every build.

use crate::Element;
use crate::kernel::Io;
use crate::level::Level;
use crate::ops::Op;

/// Calls that read fewer bytes than this run serially in the root functions
/// ([`Threading::Auto`](crate::Threading::Auto)); larger ones are split over
/// rayon's threads. An in-place call reads its one slice, a two-slice call
/// both, so for `f32` the switch is at 128 Ki elements in place and 64 Ki
/// for the out-of-place and backward forms (half that for `f64`).
///
/// # How it was chosen
/// On the 2-core AMD EPYC machines this crate is developed on, `simd` and
/// `par` were timed side by side (interleaved, medians of 11-15 timings,
/// `examples/throughput.rs --paths simd,par --sizes ...`) from 32 Ki to
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

/// No chunk reads less than this, so a call at the threshold splits in two
/// and no further. Measured with `par` alone (`examples/throughput.rs
/// --paths par`, two interleaved rounds, G elem/s) at 256 Ki `f32`:
/// 16 KiB chunks 19-23 (relu) and 19-20 (relu_grad), 64 KiB 23-28 and
/// 21-25, 256 KiB 27-32 and 23-26; at 1 Mi and above the chunk size is set
/// by `CHUNKS_PER_THREAD` instead. Under Miri it is 1 KiB, so that
/// splitting runs on buffers small enough to interpret.
#[cfg(feature = "rayon")]
const MIN_CHUNK_BYTES: usize = if cfg!(miri) { 1024 } else { 256 * 1024 };

/// Chunks per thread: more than one lets a thread that finishes early (the
/// other core was busy with something else) steal the rest. One and four
/// measured alike within the noise (16 Mi `f32`: 5.9-6.8 G elem/s either
/// way); four keeps the stealing.
#[cfg(feature = "rayon")]
const CHUNKS_PER_THREAD: usize = 4;

/// Splits are rounded to this many bytes so chunks start on cache lines.
#[cfg(feature = "rayon")]
const SPLIT_ALIGN_BYTES: usize = 64;

#[cfg(feature = "rayon")]
pub(crate) fn run<T: Element, O: Op<T>>(level: Level, op: O, io: Io<'_, T>) {
    let size = core::mem::size_of::<T>();
    let threads = rayon::current_num_threads();
    let min_chunk = MIN_CHUNK_BYTES / io.bytes_read_per_elem();
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
    if io.len() * io.bytes_read_per_elem() < PARALLEL_THRESHOLD_BYTES {
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
