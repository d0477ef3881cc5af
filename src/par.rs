//! The same ops, always split into chunks that rayon processes in parallel,
//! each chunk by the single-threaded kernel of [`simd`](crate::simd).
//! Each is [`Kernels::parallel`](crate::Kernels::parallel) with a fixed op.
//!
//! They run on the current rayon pool: inside a user's `ThreadPool::install`
//! they use that pool, and on a one-thread pool they run serially. No chunk
//! reads less than 256 KiB, so smaller calls run on the calling thread.

crate::entry_points::entry_points!(crate::Kernels::parallel(), "split over rayon's threads");
