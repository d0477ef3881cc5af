//! A call from a thread outside the pool: the caller works through the
//! buffer itself while pool workers join in.
//!
//! `rayon::join` from outside the pool injects the whole job, blocks the
//! caller and waits for a sleeping worker to wake and start; on two cores
//! that made a 128 Ki `f32` call 2-4x slower than the serial kernel. Here
//! the caller starts at once, so a helper that comes late only takes less
//! of the work, and one that comes after the last piece was claimed takes
//! none: the caller never waits for a helper to start, only for pieces
//! already claimed to finish.
//!
//! The buffer is cut into one region per participant, each a run of units.
//! A participant claims units from the front of its own region, then steals
//! from the back of the others'. Owning a region keeps each part of a buffer
//! on the same core from call to call, as OpenMP's static schedule does: a
//! buffer that fits the cores' private caches stays there (handing out
//! pieces from one shared counter instead mixed the parts up, and made
//! `relu_into` at 128 Ki `f32` slower than the serial kernel). Owners claim
//! seven eighths of what is left of their region at a time, thieves one
//! unit from the back, so that a region's bulk stays with its owner while
//! its last units can still go to whoever is free. (Claiming a quarter at a
//! time moved more units between cores and measured 0-10% slower at 64-256
//! Ki `f32`; claiming the whole region at once measured alike, but leaves
//! nothing to steal from a helper whose core a neighbour takes.) Each
//! region sits on its own cache line, so claims do not bounce a line
//! between cores until the stealing starts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::Element;
use crate::level::Level;
use crate::ops::Op;
use crate::slices::Io;

use super::linger::{self, Header};

/// At most this many threads share a call from outside the pool.
pub(super) const MAX_PARTICIPANTS: usize = 16;

/// The units `lo..hi` not yet claimed, packed in one word so that the
/// owner (at the front) and thieves (at the back) claim with one CAS.
#[repr(align(128))]
struct Region(AtomicU64);

impl Region {
    fn set(&self, lo: usize, hi: usize) {
        self.0
            .store(((hi as u64) << 32) | lo as u64, Ordering::Relaxed);
    }

    /// Claims units: seven eighths of what is left (at least one) from the
    /// front (`owner`), or one from the back. Returns the first unit and how many.
    fn claim(&self, owner: bool) -> Option<(usize, usize)> {
        let mut cur = self.0.load(Ordering::Relaxed);
        loop {
            let (lo, hi) = (cur & 0xffff_ffff, cur >> 32);
            if lo >= hi {
                return None;
            }
            let (next, first, n) = if owner {
                let n = (hi - lo) - (hi - lo) / 8;
                (cur + n, lo, n)
            } else {
                (cur - (1 << 32), hi - 1, 1)
            };
            // Relaxed: a unit's elements are only ever touched by the
            // thread that claimed it; `Job::done` orders their writes.
            match self
                .0
                .compare_exchange_weak(cur, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return Some((first as usize, n as usize)),
                Err(now) => cur = now,
            }
        }
    }
}

/// What a shared call runs: `len` elements (or other parts), any range of
/// which one participant can run on its own.
pub(crate) trait Work: Send + Sync + 'static {
    /// The number of parts.
    fn len(&self) -> usize;

    /// Runs the parts `start..start + len`.
    ///
    /// # Safety
    /// `start + len <= self.len()`; no two calls whose ranges overlap run at
    /// once; the data the work stands for is still borrowed by the caller
    /// of [`run`] (which returns only after every claimed range has run).
    unsafe fn run_range(&self, start: usize, len: usize);
}

/// The slices of one call of the root functions as shared work.
pub(super) struct Slices<T: 'static, O> {
    pub(super) io: Io<'static, T>,
    pub(super) level: Level,
    pub(super) op: O,
}

// SAFETY: `io` stands for borrowed slices of `T: Send + Sync`; shared
// between threads, it is only accessed through `Io::chunk` on ranges that
// `run_range`'s contract keeps disjoint, so no two threads touch the same
// element.
unsafe impl<T: Send + Sync + 'static, O: Sync> Sync for Slices<T, O> {}

impl<T: Element, O: Op<T>> Work for Slices<T, O> {
    fn len(&self) -> usize {
        self.io.len()
    }

    unsafe fn run_range(&self, start: usize, len: usize) {
        // SAFETY: in bounds, disjoint from other threads' ranges and still
        // borrowed (the contract of `run_range`).
        unsafe { self.io.chunk(start, len) }.run(self.level, self.op);
    }
}

/// One shared call. `header` comes first, so that a pointer to the job is
/// a pointer to its header for a lingering helper (`repr(C)`).
#[repr(C)]
struct Job<W> {
    header: Header,
    task: W,
    /// Parts per unit (the last unit may be shorter).
    unit: usize,
    participants: usize,
    /// Units finished, counted by each participant when it runs out.
    done: AtomicUsize,
    regions: [Region; MAX_PARTICIPANTS],
}

impl<W: Work> Job<W> {
    /// Works through region `own`, then steals from the others until every
    /// unit is claimed; then counts what it ran in `done`.
    fn work(&self, own: usize) {
        let n = self.participants;
        let mut ran = 0;
        let mut victim = own;
        let mut owner = true;
        loop {
            match self.regions[victim].claim(owner) {
                Some((first, units)) => {
                    let start = first * self.unit;
                    let len = (units * self.unit).min(self.task.len() - start);
                    // SAFETY: claimed units are below the unit count, so the
                    // range is inside the buffer, and this thread alone
                    // claimed them. The caller does not return (and release
                    // the buffer) before `done` counts every claimed unit,
                    // and these are counted only below, after their writes.
                    unsafe { self.task.run_range(start, len) };
                    ran += units;
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

    /// A lingering helper's entry point (`Header::help`).
    ///
    /// # Safety
    /// `header` comes from `Arc::into_raw` of an `Arc<Job<W>>`, whose
    /// count this call takes over.
    unsafe fn help(header: *const Header, region: usize) {
        // SAFETY: forwarded contract; `header` is the job's first field.
        let job = unsafe { Arc::from_raw(header.cast::<Job<W>>()) };
        job.work(region);
    }
}

/// Whether helpers may be woken for a call, or only lingering ones asked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wake {
    /// Spawn the helpers that no lingering worker provides.
    Spawn,
    /// Only hand work to workers that linger.
    LingeringOnly,
}

/// Runs `work` on the calling thread and up to `threads - 1` pool
/// workers, in units of about `unit` parts (a multiple of `align`).
/// Returns once every part has run. With [`Wake::LingeringOnly`] and no
/// worker lingering, the caller runs it all.
pub(super) fn run<W: Work>(work: W, unit: usize, align: usize, threads: usize, wake: Wake) {
    let len = work.len();
    if wake == Wake::LingeringOnly && linger::waiting() == 0 {
        // SAFETY: the whole range, on this thread alone, while the caller
        // holds the borrow.
        return unsafe { work.run_range(0, len) };
    }
    // Unit indices are 32-bit in `Region`.
    let unit = unit
        .max(len.div_ceil(u32::MAX as usize))
        .next_multiple_of(align);
    let units = len.div_ceil(unit);
    let participants = threads.min(units).min(MAX_PARTICIPANTS);
    let job = Arc::new(Job {
        header: Header {
            help: Job::<W>::help,
        },
        task: work,
        unit,
        participants,
        done: AtomicUsize::new(0),
        regions: [const { Region(AtomicU64::new(0)) }; MAX_PARTICIPANTS],
    });
    for (p, region) in job.regions[..participants].iter().enumerate() {
        region.set(units * p / participants, units * (p + 1) / participants);
    }
    let helpers = participants - 1;
    // SAFETY: `Job` is `repr(C)` with its `Header` first.
    let mut asked = unsafe { linger::post(&job, helpers) };
    if wake == Wake::Spawn {
        while asked < helpers {
            asked += 1;
            let job = Arc::clone(&job);
            rayon::spawn(move || {
                job.work(asked);
                drop(job);
                linger::linger();
            });
        }
    }
    job.work(0);
    // Every unit is claimed now; the ones a helper holds finish within a
    // unit's time, so spin briefly before giving the core away.
    let mut spins = 0u32;
    while job.done.load(Ordering::Acquire) < units {
        if spins < 1 << 12 {
            spins += 1;
            core::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}
