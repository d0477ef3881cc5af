//! A call from a worker of the pool: recursive halving with `rayon::join`,
//! which lets idle workers steal halves and keeps a nested call (a kernel
//! inside the user's own parallel loop) from blocking its worker.

use crate::Element;
use crate::kernel::Io;
use crate::level::Level;
use crate::ops::Op;

/// Splits `io` in halves, each rounded up to `align` elements, until a
/// piece has at most `chunk` elements, and runs the pieces as rayon jobs.
pub(super) fn run<T: Element, O: Op<T>>(
    level: Level,
    op: O,
    io: Io<'_, T>,
    chunk: usize,
    align: usize,
) {
    if io.len() <= chunk {
        return io.run(level, op);
    }
    let mid = (io.len() / 2).next_multiple_of(align).min(io.len());
    let (lo, hi) = io.split_at(mid);
    rayon::join(
        || run(level, op, lo, chunk, align),
        || run(level, op, hi, chunk, align),
    );
}
