//! A call from a thread outside the pool: the caller works through the
//! buffer itself while pool workers join in as they wake.
//!
//! `rayon::join` from outside the pool injects the whole job, blocks the
//! caller and waits for a sleeping worker to wake and start; on two cores
//! that made a 128 Ki `f32` call 2-4x slower than the serial kernel. Here
//! the caller starts at once, so a worker that wakes late only takes less
//! of the work, and one that wakes after the last chunk was claimed takes
//! none: the caller never waits for a worker to start, only for chunks
//! already claimed to finish.
//!
//! The buffer is cut into one region per participant, each a run of
//! chunks. A participant takes chunks from the front of its own region,
//! then steals from the back of the others'. Owning a region keeps each
//! part of a buffer on the same core from call to call, as OpenMP's static
//! schedule does: a buffer that fits the cores' private caches stays there
//! (handing out chunks from one shared counter instead mixed the parts up
//! and made `relu_into` at 128 Ki `f32` slower than the serial kernel).
//! Each region's counters sit on their own cache line, so claims do not
//! bounce a line between cores until the stealing starts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::Element;
use crate::kernel::Io;
use crate::level::Level;
use crate::ops::Op;

use super::linger::{self, Work};

/// The chunks `lo..hi` not yet claimed, packed in one word so that the
/// owner (at the front) and thieves (at the back) claim with one CAS.
#[repr(align(128))]
struct Region(AtomicU64);

impl Region {
    fn new(lo: usize, hi: usize) -> Region {
        Region(AtomicU64::new(((hi as u64) << 32) | lo as u64))
    }

    /// Claims one chunk from the front (`owner`) or the back.
    fn claim(&self, owner: bool) -> Option<usize> {
        let mut cur = self.0.load(Ordering::Relaxed);
        loop {
            let (lo, hi) = (cur & 0xffff_ffff, cur >> 32);
            if lo >= hi {
                return None;
            }
            let (next, chunk) = if owner {
                (cur + 1, lo)
            } else {
                (cur - (1 << 32), hi - 1)
            };
            // Relaxed: a chunk's elements are only ever touched by the
            // thread that claimed it; `done` orders their writes.
            match self
                .0
                .compare_exchange_weak(cur, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return Some(chunk as usize),
                Err(now) => cur = now,
            }
        }
    }
}

/// One shared call.
struct Job<T: 'static, O> {
    io: Io<'static, T>,
    level: Level,
    op: O,
    /// Elements per chunk (the last chunk may be shorter).
    chunk: usize,
    regions: Box<[Region]>,
    /// The next region a helper takes; the caller owns region 0.
    next_region: AtomicUsize,
    /// Chunks finished, counted by each participant when it runs out.
    done: AtomicUsize,
}

// SAFETY: the fields are shared by the caller and the helpers; `io` stands
// for borrowed slices of `T: Send + Sync`, and it is only accessed through
// `Io::chunk` on a chunk that exactly one participant claimed from the
// regions, so no two threads touch the same element.
unsafe impl<T: Send + Sync + 'static, O: Sync> Sync for Job<T, O> {}

impl<T: Element, O: Op<T>> Job<T, O> {
    /// Works through region `own`, then steals from the others until every
    /// chunk is claimed; then counts what it ran in `done`.
    fn work(&self, own: usize) {
        let n = self.regions.len();
        let mut ran = 0;
        let mut victim = own;
        let mut owner = true;
        loop {
            match self.regions[victim].claim(owner) {
                Some(c) => {
                    let start = c * self.chunk;
                    let len = self.chunk.min(self.io.len() - start);
                    // SAFETY: `c < chunks`, so the range is inside the
                    // buffer, and this thread alone claimed chunk `c`. The
                    // caller does not return (and release the buffer)
                    // before `done` counts every claimed chunk, and this
                    // one is counted only below, after its last write.
                    unsafe { self.io.chunk(start, len) }.run(self.level, self.op);
                    ran += 1;
                }
                None => {
                    victim = (victim + 1) % n;
                    owner = false;
                    if victim == own {
                        break;
                    }
                }
            }
        }
        self.done.fetch_add(ran, Ordering::Release);
    }
}

impl<T: Element, O: Op<T>> Work for Job<T, O> {
    fn help(&self) {
        let own = self.next_region.fetch_add(1, Ordering::Relaxed);
        self.work(own % self.regions.len());
    }
}

/// Whether helpers may be woken for a call, or only lingering ones asked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Wake {
    /// Spawn the helpers no lingering worker provides.
    Spawn,
    /// Only hand work to workers that linger; none may be asleep.
    LingeringOnly,
}

/// Runs `io` on the calling thread and up to `threads - 1` pool workers,
/// in chunks of about `chunk` elements (a multiple of `align`). Returns
/// once every element is written.
pub(super) fn run<T: Element, O: Op<T>>(
    level: Level,
    op: O,
    io: Io<'_, T>,
    chunk: usize,
    align: usize,
    threads: usize,
    wake: Wake,
) {
    if wake == Wake::LingeringOnly && linger::waiting() == 0 {
        return io.run(level, op);
    }
    // Chunk indices are 32-bit in `Region`.
    let chunk = chunk
        .max(io.len().div_ceil(u32::MAX as usize))
        .next_multiple_of(align);
    let chunks = io.len().div_ceil(chunk);
    let participants = threads.min(chunks);
    let regions = (0..participants)
        .map(|p| Region::new(chunks * p / participants, chunks * (p + 1) / participants))
        .collect();
    // SAFETY: the `Io` outlives the borrow only inside `Job`, which
    // dereferences it for claimed chunks alone; this function returns after
    // every claimed chunk is finished (see `Job::work` and the wait below).
    let io = unsafe { io.chunk(0, io.len()) };
    let job = Arc::new(Job {
        io,
        level,
        op,
        chunk,
        regions,
        next_region: AtomicUsize::new(1),
        done: AtomicUsize::new(0),
    });
    let helpers = participants - 1;
    let work: Arc<dyn Work> = job.clone();
    let posted = linger::post(&work, helpers);
    drop(work);
    if wake == Wake::Spawn {
        for _ in posted..helpers {
            let job = Arc::clone(&job);
            rayon::spawn(move || {
                job.help();
                drop(job);
                linger::linger();
            });
        }
    }
    job.work(0);
    // Every chunk is claimed now; the ones a helper holds finish within a
    // chunk's time, so spin briefly before giving the core away.
    let mut spins = 0u32;
    while job.done.load(Ordering::Acquire) < chunks {
        if spins < 1 << 12 {
            spins += 1;
            core::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}
