//! The same ops, always split into chunks that rayon processes in parallel,
//! each chunk by the single-threaded kernel of [`simd`](crate::simd).
//! Each is [`Kernels::parallel`](crate::Kernels::parallel) with a fixed op.
//!
//! From a worker of a rayon pool (inside a user's `ThreadPool::install` or
//! a `par_iter`) they split the buffer with `rayon::join` on that pool, in
//! pieces that each read at least 256 KiB, so smaller calls run on the
//! calling thread. From any other thread they share the buffer between the
//! caller and up to all but one of the global pool's workers: the caller
//! starts on its part at once and takes over the parts of workers that
//! come late. On a one-thread pool they run serially.

crate::front::entry_points::entry_points!(crate::Kernels::parallel(), "split over rayon's threads");

/// The per-channel ops (see [`crate::channels`]), split over rayon's
/// threads as the other functions of this module are.
pub mod channels {
    crate::front::entry_points::channel_entry_points!(
        crate::Kernels::parallel(),
        ", split over rayon's threads"
    );
}
