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
//! buffer that fits the cores' private caches stays there. Owners claim
//! seven eighths of what is left of their region at a time, thieves one
//! unit from the back, so that a region's bulk stays with its owner while
//! its last units can still go to whoever is free, a helper whose core a
//! neighbour takes included (`docs/TUNING.md` has the alternatives
//! measured). Each region sits on its own cache line, so claims do not
//! bounce a line between cores until the stealing starts.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

pub(crate) use super::work::Work;
use super::{io::Io, serial};
use crate::Element;
use crate::arch::Level;
use crate::ops::Op;

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

    /// Claims every unit left; returns how many.
    fn claim_all(&self) -> usize {
        let mut cur = self.0.load(Ordering::Relaxed);
        loop {
            let (lo, hi) = (cur & 0xffff_ffff, cur >> 32);
            if lo >= hi {
                return 0;
            }
            let next = (hi << 32) | hi;
            match self
                .0
                .compare_exchange_weak(cur, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return (hi - lo) as usize,
                Err(now) => cur = now,
            }
        }
    }
}

/// The slices of one call of the root functions as shared work.
pub(super) struct SliceWork<T: 'static, O> {
    pub(super) io: Io<'static, T>,
    pub(super) level: Level,
    pub(super) op: O,
}

// SAFETY: `io` stands for borrowed slices of `T: Send + Sync`; shared
// between threads, it is only accessed through `Io::chunk` on ranges that
// `run_range`'s contract keeps disjoint, so no two threads touch the same
// element.
unsafe impl<T: Send + Sync + 'static, O: Sync> Sync for SliceWork<T, O> {}

impl<T: Element, O: Op<T>> Work for SliceWork<T, O> {
    fn len(&self) -> usize {
        self.io.len()
    }

    unsafe fn run_range(&self, start: usize, len: usize) {
        // SAFETY: in bounds, disjoint from other threads' ranges and still
        // borrowed (the contract of `run_range`).
        serial::run(self.level, self.op, unsafe { self.io.chunk(start, len) });
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
    /// Units finished (or abandoned by a panic), counted by each
    /// participant when it runs out.
    done: AtomicUsize,
    /// Whether a participant's part panicked.
    panicked: AtomicBool,
    regions: [Region; MAX_PARTICIPANTS],
}

/// Counts a participant's claimed units into `done` when it runs out or
/// unwinds: units that a panic abandoned count too, so that nobody waits
/// for them, and the panic is noted for the caller. (A flag, not
/// `std::thread::panicking`, tells the two apart: a call made from a
/// `Drop` while another panic unwinds is not itself unwinding.)
struct Counted<'a, W> {
    job: &'a Job<W>,
    units: usize,
    ran_out: bool,
}

impl<W> Drop for Counted<'_, W> {
    fn drop(&mut self) {
        if !self.ran_out {
            self.job.panicked.store(true, Ordering::Relaxed);
        }
        self.job.done.fetch_add(self.units, Ordering::Release);
    }
}

impl<W: Work> Job<W> {
    /// Works through region `own`, then steals from the others until every
    /// unit is claimed; then counts what it ran in `done`.
    fn work(&self, own: usize) {
        let n = self.participants;
        let mut ran = Counted {
            job: self,
            units: 0,
            ran_out: false,
        };
        let mut victim = own;
        let mut owner = true;
        loop {
            match self.regions[victim].claim(owner) {
                Some((first, units)) => {
                    let start = first * self.unit;
                    let len = (units * self.unit).min(self.task.len() - start);
                    ran.units += units;
                    // SAFETY: claimed units are below the unit count, so the
                    // range is inside the buffer, and this thread alone
                    // claimed them. The caller does not return (and release
                    // the buffer) before `done` counts every claimed unit,
                    // and `ran` counts these only when it drops, after their
                    // writes (or when a panic abandons them).
                    unsafe { self.task.run_range(start, len) };
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
        ran.ran_out = true;
    }

    /// Waits until every unit is finished or abandoned. While the caller
    /// unwinds, it first claims every unit left, so that no helper starts
    /// one after the buffer is released.
    fn wait(&self, units: usize, unwinding: bool) {
        if unwinding {
            let left: usize = self.regions[..self.participants]
                .iter()
                .map(Region::claim_all)
                .sum();
            self.done.fetch_add(left, Ordering::Relaxed);
        }
        // Every unit is claimed now; the ones a helper holds finish within
        // their run's time, so spin briefly before giving the core away.
        let mut spins = 0u32;
        while self.done.load(Ordering::Acquire) < units {
            if spins < 1 << 12 {
                spins += 1;
                core::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
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

/// Waits for the helpers when the caller's own part returns or unwinds.
struct WaitOnDrop<'a, W: Work> {
    job: &'a Job<W>,
    units: usize,
    unwinding: bool,
}

impl<W: Work> Drop for WaitOnDrop<'_, W> {
    fn drop(&mut self) {
        self.job.wait(self.units, self.unwinding);
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

/// Helpers spawned that have not started yet, by every call. While any
/// is queued the pool is busy, so calls spawn no more (each queued helper
/// would pin its call's job until a worker reached it).
static QUEUED: AtomicUsize = AtomicUsize::new(0);

/// Runs `work` on the calling thread and up to `threads - 1` pool
/// workers, in units of about `unit` parts (a multiple of `align`).
/// Returns once every part has run. With no worker waiting to be asked,
/// the caller runs it all, serially, unless it may spawn helpers: with
/// [`Wake::Spawn`], while no helper is queued.
///
/// # Panics
/// If a part panics on the caller, that panic goes on once every helper
/// has finished the units it claimed; the units left are not run. If a
/// part panics on a helper (which reports it to the pool's panic handler,
/// or aborts the process when the pool has none), the caller panics once
/// its own part is done.
pub(super) fn share<W: Work>(work: W, unit: usize, align: usize, threads: usize, wake: Wake) {
    let len = work.len();
    // While a helper is queued, the pool's workers are busy or their cores
    // run other threads: no helper is spawned then (it would queue too),
    // and with no worker waiting to be asked, the call runs serially rather
    // than as a job whose every unit the caller would claim itself
    // (`docs/TUNING.md`).
    let spawn = wake == Wake::Spawn && QUEUED.load(Ordering::Relaxed) == 0;
    if !spawn && linger::waiting_now() == 0 {
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
        panicked: AtomicBool::new(false),
        regions: [const { Region(AtomicU64::new(0)) }; MAX_PARTICIPANTS],
    });
    for (p, region) in job.regions[..participants].iter().enumerate() {
        region.set(units * p / participants, units * (p + 1) / participants);
    }
    let helpers = participants - 1;
    // SAFETY: `Job` is `repr(C)` with its `Header` first.
    let mut asked = unsafe { linger::post(&job, helpers) };
    if spawn && asked < helpers {
        QUEUED.fetch_add(helpers - asked, Ordering::Relaxed);
        while asked < helpers {
            asked += 1;
            let job = Arc::clone(&job);
            rayon::spawn(move || {
                QUEUED.fetch_sub(1, Ordering::Relaxed);
                job.work(asked);
                drop(job);
                linger::linger();
            });
        }
    }
    let mut waits = WaitOnDrop {
        job: &job,
        units,
        unwinding: true,
    };
    job.work(0);
    waits.unwinding = false;
    drop(waits);
    if job.panicked.load(Ordering::Relaxed) {
        panic!("relu-kernels: a pool worker panicked while helping with this call");
    }
}

#[cfg(test)]
mod tests {
    //! A panic on either side of a shared call: the caller's part, or a
    //! helper's. These run natively and under Miri, which reports any
    //! access to the buffer after it is freed.

    use super::{Wake, Work, share};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
    use std::sync::{Arc, Mutex, Once};
    use std::thread::{self, ThreadId};
    use std::time::{Duration, Instant};
    use std::vec::Vec;

    /// The global pool, with a panic handler: a helper's panic is reported
    /// to it instead of aborting the test binary.
    fn pool() -> std::sync::MutexGuard<'static, ()> {
        static INIT: Once = Once::new();
        static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
        INIT.call_once(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .panic_handler(|_| {})
                .build_global()
                .expect("these tests are the first to use the global pool");
        });
        let one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        // A call spawns no helper while one is queued (it may be an earlier
        // call's, which then helps nobody): wait until none is.
        let t = Instant::now();
        while super::QUEUED.load(SeqCst) > 0 {
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "a helper stays queued"
            );
            thread::yield_now();
        }
        one
    }

    struct State {
        caller: ThreadId,
        helper_started: AtomicBool,
        returned: AtomicBool,
        late_writes: AtomicUsize,
        /// Threads inside `run_range` now.
        running: AtomicUsize,
    }

    /// Adds one to each element of a buffer; panics on the caller's side
    /// (once a helper is at work) or on a helper's.
    struct Panicky {
        buf: *mut u64,
        len: usize,
        state: Arc<State>,
        caller_panics: bool,
    }

    // SAFETY: the buffer is touched only through `run_range`, on disjoint
    // ranges.
    unsafe impl Send for Panicky {}
    // SAFETY: as above.
    unsafe impl Sync for Panicky {}

    impl Work for Panicky {
        fn len(&self) -> usize {
            self.len
        }

        unsafe fn run_range(&self, start: usize, len: usize) {
            let state = &self.state;
            let on_caller = thread::current().id() == state.caller;
            if on_caller {
                // A helper claims its units at once; wait (bounded) until
                // one runs, so that the caller's panic meets it at work.
                let t = Instant::now();
                while !state.helper_started.load(SeqCst) && t.elapsed() < Duration::from_secs(20) {
                    thread::yield_now();
                }
                if self.caller_panics {
                    panic!("the caller's part panics");
                }
                state.running.fetch_add(1, SeqCst);
            } else {
                state.running.fetch_add(1, SeqCst);
                state.helper_started.store(true, SeqCst);
                if !self.caller_panics {
                    state.running.fetch_sub(1, SeqCst);
                    panic!("a helper's part panics");
                }
            }
            for i in start..start + len {
                if !on_caller && i + 1 == start + len {
                    // A helper's last element waits until the call has
                    // returned (or a while, since the call must not
                    // return first): a helper still at work then would
                    // write into the freed buffer.
                    let t = Instant::now();
                    while !state.returned.load(SeqCst) && t.elapsed() < Duration::from_millis(300) {
                        thread::sleep(Duration::from_millis(1));
                    }
                }
                if state.returned.load(SeqCst) {
                    state.late_writes.fetch_add(1, SeqCst);
                }
                // SAFETY: in bounds, this thread's range, borrowed (the
                // contract of `run_range`).
                unsafe { *self.buf.add(i) += 1 };
            }
            state.running.fetch_sub(1, SeqCst);
        }
    }

    fn shared_call(buf: &mut [u64], caller_panics: bool, state: &Arc<State>) {
        let work = Panicky {
            buf: buf.as_mut_ptr(),
            len: buf.len(),
            state: Arc::clone(state),
            caller_panics,
        };
        share(work, 4, 1, 2, Wake::Spawn);
    }

    fn state() -> Arc<State> {
        Arc::new(State {
            caller: thread::current().id(),
            helper_started: AtomicBool::new(false),
            returned: AtomicBool::new(false),
            late_writes: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
        })
    }

    /// Waits (bounded) until every worker has run the jobs queued so far.
    fn drain_the_pool() {
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..rayon::current_num_threads() {
            let tx = tx.clone();
            rayon::spawn(move || tx.send(()).unwrap());
        }
        for _ in 0..rayon::current_num_threads() {
            rx.recv_timeout(Duration::from_secs(60))
                .expect("the pool drains");
        }
    }

    #[test]
    fn a_panic_on_the_caller_waits_for_the_helpers_and_stops_them() {
        let _pool = pool();
        let state = state();
        let mut buf = vec![0u64; 64];
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            shared_call(&mut buf, true, &state)
        }));
        state.returned.store(true, SeqCst);
        assert!(unwound.is_err(), "the caller's panic goes on");
        assert!(state.helper_started.load(SeqCst), "a helper was at work");
        assert_eq!(state.running.load(SeqCst), 0, "a helper is still at work");
        // The buffer is freed now: a helper still at work would write into
        // freed memory (Miri's report), or count a late write.
        drop(buf);
        drain_the_pool();
        assert_eq!(state.late_writes.load(SeqCst), 0);
    }

    #[test]
    fn a_panic_on_a_helper_reaches_the_caller_and_frees_its_slot() {
        let _pool = pool();
        let state = state();
        let mut buf = vec![0u64; 64];
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            shared_call(&mut buf, false, &state)
        }));
        state.returned.store(true, SeqCst);
        let message = unwound.expect_err("the caller panics too");
        let message = message
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| message.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        assert!(message.contains("a pool worker panicked"), "{message}");
        drop(buf);
        drain_the_pool();
        assert_eq!(state.late_writes.load(SeqCst), 0);
        let t = Instant::now();
        while super::linger::busy_slots() > 0 {
            assert!(t.elapsed() < Duration::from_secs(60), "a slot stays busy");
            thread::yield_now();
        }
        // The driver still works, helpers included.
        three_calls(&mut vec![0; 64]);
    }

    /// A call made from a `Drop` while an unrelated panic unwinds is a
    /// call like any other: it runs every part and returns.
    #[test]
    fn a_call_from_a_drop_during_another_panic_runs_whole() {
        let _pool = pool();
        struct CallsOnDrop(Vec<u64>);
        impl Drop for CallsOnDrop {
            fn drop(&mut self) {
                three_calls(&mut self.0);
            }
        }
        let unwound = std::panic::catch_unwind(|| {
            let _calls = CallsOnDrop(vec![0; 64]);
            panic!("an unrelated panic");
        });
        let message = unwound.expect_err("the unrelated panic");
        assert_eq!(message.downcast_ref::<&str>(), Some(&"an unrelated panic"));
    }

    /// Adds one to each element, and notes the ranges it ran on the caller
    /// (`start`, `len`, whether on the calling thread).
    struct Noting {
        counting: Counting,
        caller: ThreadId,
        ranges: Arc<Mutex<Vec<(usize, usize, bool)>>>,
    }
    impl Work for Noting {
        fn len(&self) -> usize {
            self.counting.len()
        }
        unsafe fn run_range(&self, start: usize, len: usize) {
            let on_caller = thread::current().id() == self.caller;
            self.ranges.lock().unwrap().push((start, len, on_caller));
            // SAFETY: forwarded contract.
            unsafe { self.counting.run_range(start, len) }
        }
    }

    /// One shared call (`Wake::Spawn`) adding one to every element of
    /// `buf`; returns the ranges it ran.
    fn noted_call(buf: &mut [u64]) -> Vec<(usize, usize, bool)> {
        let ranges = Arc::new(Mutex::new(Vec::new()));
        let work = Noting {
            counting: Counting(buf.as_mut_ptr(), buf.len()),
            caller: thread::current().id(),
            ranges: Arc::clone(&ranges),
        };
        share(work, 4, 1, 2, Wake::Spawn);
        let ranges = ranges.lock().unwrap();
        ranges.clone()
    }

    /// Waits (bounded) until no worker lingers.
    fn none_lingering() {
        let t = Instant::now();
        while super::linger::waiting_now() + super::linger::busy_slots() > 0 {
            assert!(t.elapsed() < Duration::from_secs(60), "a worker lingers on");
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// While a spawned helper stays queued (every worker is busy, here
    /// blocked), a call spawns no other helper, and runs serially: one
    /// range, the whole buffer, on the caller, not the job's units.
    #[test]
    fn with_a_helper_queued_a_call_runs_serially() {
        let _pool = pool();
        none_lingering();
        let release = Arc::new(AtomicBool::new(false));
        let blocked = Arc::new(AtomicUsize::new(0));
        for _ in 0..rayon::current_num_threads() {
            let (release, blocked) = (Arc::clone(&release), Arc::clone(&blocked));
            rayon::spawn(move || {
                blocked.fetch_add(1, SeqCst);
                let t = Instant::now();
                while !release.load(SeqCst) && t.elapsed() < Duration::from_secs(60) {
                    thread::sleep(Duration::from_millis(1));
                }
            });
        }
        let t = Instant::now();
        while blocked.load(SeqCst) < rayon::current_num_threads() {
            assert!(t.elapsed() < Duration::from_secs(60), "the workers block");
            thread::yield_now();
        }
        let mut buf = vec![0u64; 64];
        noted_call(&mut buf);
        assert_eq!(
            super::QUEUED.load(SeqCst),
            1,
            "the first call's helper is queued"
        );
        let ranges = noted_call(&mut buf);
        assert_eq!(ranges, [(0, 64, true)], "the second call runs serially");
        assert_eq!(super::QUEUED.load(SeqCst), 1, "no other helper is spawned");
        assert!(buf.iter().all(|&v| v == 2));
        release.store(true, SeqCst);
        drain_the_pool();
    }

    /// Three shared calls that each add one to every element of `buf`
    /// (from zero), checked.
    fn three_calls(buf: &mut [u64]) {
        for _ in 0..3 {
            share(Counting(buf.as_mut_ptr(), buf.len()), 4, 1, 2, Wake::Spawn);
        }
        assert!(buf.iter().all(|&v| v == 3));
    }

    /// Adds one to each element.
    struct Counting(*mut u64, usize);
    // SAFETY: touched only through `run_range`, on disjoint ranges.
    unsafe impl Send for Counting {}
    // SAFETY: as above.
    unsafe impl Sync for Counting {}
    impl Work for Counting {
        fn len(&self) -> usize {
            self.1
        }
        unsafe fn run_range(&self, start: usize, len: usize) {
            for i in start..start + len {
                // SAFETY: the contract of `run_range`.
                unsafe { *self.0.add(i) += 1 };
            }
        }
    }
}
