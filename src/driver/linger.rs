//! Pool workers that stay on after helping a call from outside the pool,
//! so that the next call finds a helper at once.
//!
//! Waking a sleeping rayon worker is slow: `rayon::spawn` from outside the
//! pool costs the caller microseconds when the workers sleep, and the job
//! starts tens of microseconds later (`docs/TUNING.md`), which a call that
//! the serial kernel finishes in 5-40 µs cannot pay. So a worker that has
//! just helped waits a short while ([`LINGER`]) in a slot, spinning, where
//! the next call can hand it work with one compare-and-swap, as OpenMP's
//! spinning workers take the next parallel region. While it waits it runs
//! any other rayon work that is pending, so the pool stays responsive.
//!
//! A worker may pick up a helper's job while it waits inside a `join`,
//! `scope` or `install` of its own (rayon runs other jobs meanwhile); it
//! lingers on top of that frame, which cannot resume until the linger
//! ends. So one stay in a slot lasts at most [`LINGER_CAP`], however many
//! calls hand it work: the frame below resumes within that bound (plus the
//! last piece of work), and a worker at the top of its stack simply takes
//! the next helper job a caller spawns.

use core::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The start of work a lingering helper can be handed: the handed pointer
/// is to this header, the first field of a `repr(C)` job in an `Arc`.
pub(super) struct Header {
    /// Takes over one count of the job's `Arc` and works on the given
    /// region. Safety: the pointer comes from `Arc::into_raw` of the job.
    pub(super) help: unsafe fn(*const Header, usize),
}

/// How long a helper waits for the next call. It spins meanwhile, so this
/// is what a burst of calls costs a core after its last call. Rayon's own
/// idle workers spin for 32 rounds of `yield_now` (tens of µs) before they
/// sleep; OpenMP's workers spin for milliseconds by default. Long enough
/// for the untimed work a program does between calls of a burst (a 4 MiB
/// copy, say; `docs/TUNING.md`).
const LINGER: Duration = Duration::from_micros(if cfg!(miri) { 20 } else { 250 });

/// The longest one stay in a slot lasts, however many calls hand the
/// worker work meanwhile (see the module documentation).
const LINGER_CAP: Duration = Duration::from_micros(if cfg!(miri) { 200 } else { 1000 });
const _: () = assert!(LINGER.as_nanos() < LINGER_CAP.as_nanos());

/// At most this many workers linger at once; more helpers are spawned.
const SLOTS: usize = 8;

/// Handed work is a job pointer (aligned to more than this) with the
/// region to work on in the bits below.
const REGION_BITS: usize = 0x7f;

/// A worker's place to wait: [`idle`], [`waiting`], [`busy`], or work
/// handed to the waiting worker (a job pointer with its region in the low
/// bits, so that the pointer keeps its provenance).
#[repr(align(128))]
struct Slot(AtomicPtr<Header>);

/// No worker waits here.
fn idle() -> *mut Header {
    ptr::null_mut()
}

/// A worker waits here for work.
fn waiting() -> *mut Header {
    ptr::without_provenance_mut(1)
}

/// The waiting worker runs work handed to it.
fn busy() -> *mut Header {
    ptr::without_provenance_mut(2)
}

static SLOT: [Slot; SLOTS] = [const { Slot(AtomicPtr::new(ptr::null_mut())) }; SLOTS];

/// Nanoseconds since `EPOCH` when a call last ended (see [`recent`]).
static LAST_END: AtomicU64 = AtomicU64::new(0);

fn now_ns() -> u64 {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    // Never 0, which `LAST_END` uses for "no call yet".
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64 + 1
}

/// Whether the previous call ended less than [`LINGER`] ago: calls that
/// come back to back are worth waking a helper for, since it then lingers
/// for the ones that follow. (Measured from the previous call's end, not
/// its start: calls longer than `LINGER` must count as back to back too.)
pub(super) fn recent() -> bool {
    let last = LAST_END.load(Ordering::Relaxed);
    last != 0 && now_ns().saturating_sub(last) < LINGER.as_nanos() as u64
}

/// Notes that a call has ended, for [`recent`].
pub(super) fn ended() {
    LAST_END.store(now_ns(), Ordering::Relaxed);
}

/// How many workers wait for work now (racy: a hint).
pub(super) fn waiting_now() -> usize {
    SLOT.iter()
        .filter(|s| s.0.load(Ordering::Relaxed) == waiting())
        .count()
}

/// How many slots a worker is running handed work in now.
#[cfg(test)]
pub(super) fn busy_slots() -> usize {
    SLOT.iter()
        .filter(|s| s.0.load(Ordering::Relaxed) == busy())
        .count()
}

/// Hands `job` to up to `max` waiting workers, the k-th of them to work on
/// region k (from 1); returns how many took it.
///
/// # Safety
/// `J` must be `repr(C)` with a [`Header`] as its first field.
pub(super) unsafe fn post<J>(job: &Arc<J>, max: usize) -> usize {
    debug_assert!(core::mem::align_of::<J>() > REGION_BITS && max <= REGION_BITS);
    let mut posted = 0;
    for slot in &SLOT {
        if posted == max {
            break;
        }
        if slot.0.load(Ordering::Relaxed) != waiting() {
            continue;
        }
        let p = Arc::into_raw(Arc::clone(job)).cast::<Header>().cast_mut();
        let handed = p.map_addr(|a| a | (posted + 1));
        match slot
            .0
            .compare_exchange(waiting(), handed, Ordering::Release, Ordering::Relaxed)
        {
            Ok(_) => posted += 1,
            // SAFETY: `p` came from `Arc::into_raw` above and was not
            // handed over.
            Err(_) => drop(unsafe { Arc::from_raw(p.cast_const().cast::<J>()) }),
        }
    }
    posted
}

/// Called by a worker that has just helped: waits in a free slot for up to
/// [`LINGER`] after its last piece of work (and [`LINGER_CAP`] in all),
/// running what callers hand it. Returns at once if every slot is taken or
/// the thread is not a worker.
pub(super) fn linger() {
    thread_local! {
        /// Set while this worker lingers: work it runs meanwhile (through
        /// `rayon::yield_now`) may end in `linger` again, and should not
        /// take a second slot.
        static LINGERING: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
    }
    /// Clears `LINGERING` on the way out, a panic's unwinding included.
    struct Left;
    impl Drop for Left {
        fn drop(&mut self) {
            LINGERING.with(|l| l.set(false));
        }
    }
    if rayon::current_thread_index().is_none() || LINGERING.with(|l| l.replace(true)) {
        return;
    }
    let _left = Left;
    wait_in_a_slot();
}

/// Frees a slot whose handed work panicked: only the worker that set it
/// busy moves it on, so no other thread can have taken it meanwhile.
struct FreeOnUnwind<'a>(&'a Slot);

impl Drop for FreeOnUnwind<'_> {
    fn drop(&mut self) {
        self.0.0.store(idle(), Ordering::Release);
    }
}

fn wait_in_a_slot() {
    // No more workers linger than a call can use: one more would spin on
    // a core that the caller or a working helper needs.
    let usable = rayon::current_num_threads().saturating_sub(1).min(SLOTS);
    let Some(slot) = SLOT[..usable].iter().find(|s| {
        s.0.compare_exchange(idle(), waiting(), Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }) else {
        return;
    };
    let entered = Instant::now();
    let cap = entered + LINGER_CAP;
    // Never past `cap`: `LINGER` is shorter, and each new deadline is
    // clamped to it.
    let mut deadline = entered + LINGER;
    let mut spins = 0u32;
    loop {
        let handed = slot.0.load(Ordering::Acquire);
        if handed != waiting() {
            // Only this worker moves the slot away from handed work.
            slot.0.store(busy(), Ordering::Relaxed);
            let header = handed.map_addr(|a| a & !REGION_BITS).cast_const();
            let free = FreeOnUnwind(slot);
            // SAFETY: a caller handed over a count of the job's `Arc` with
            // the CAS in `post` (Release, paired with the Acquire load
            // above), and only this worker takes it from the slot.
            unsafe { ((*header).help)(header, handed.addr() & REGION_BITS) };
            core::mem::forget(free);
            let now = Instant::now();
            if now >= cap {
                // Busy, so no caller hands work over meanwhile.
                slot.0.store(idle(), Ordering::Release);
                return;
            }
            slot.0.store(waiting(), Ordering::Release);
            deadline = (now + LINGER).min(cap);
            continue;
        }
        spins = spins.wrapping_add(1);
        if !spins.is_multiple_of(16) {
            core::hint::spin_loop();
            continue;
        }
        if Instant::now() >= deadline {
            match slot
                .0
                .compare_exchange(waiting(), idle(), Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return,
                // Work was handed over just now: run it first.
                Err(_) => continue,
            }
        }
        // Other rayon work goes first. The slot stays waiting: a caller
        // that hands work over meanwhile is not slowed down (it works its
        // own region and steals from this one), while one that saw the slot
        // busy would spawn a helper, and rayon would wake a sleeping worker
        // for it at the caller's expense. Now and then the core goes to
        // any other thread that wants it, as rayon's own idle workers do.
        if rayon::yield_now() != Some(rayon::Yield::Executed) && spins.is_multiple_of(256) {
            std::thread::yield_now();
        }
    }
}
