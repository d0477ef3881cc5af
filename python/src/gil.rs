//! When a call gives up the GIL, and what a call that keeps it may skip.
//!
//! A call that writes less than [`KEEP_BELOW_BYTES`] keeps the GIL: its
//! kernel takes a few hundred nanoseconds at most, about what releasing
//! the GIL and taking the borrows cost, and another thread could hardly
//! run meanwhile (numpy keeps it for its short loops too). Larger calls release it while the kernel runs, and count
//! themselves in [`IN_FLIGHT`] meanwhile.
//!
//! The borrows rust-numpy tracks exist for the calls that run without the
//! GIL: they make a call on another thread that writes an array that a
//! running call reads or writes (or the other way round) raise. A short
//! call that keeps the GIL from its checks to its end cannot overlap
//! another call that way unless a call runs without the GIL, so when none
//! does ([`none_in_flight`]) it can skip taking borrows, which on the
//! smallest arrays cost more than the kernel (`docs/TUNING.md`).

use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::Python;

/// Calls writing less than this keep the GIL.
pub(crate) const KEEP_BELOW_BYTES: usize = 16 * 1024;

/// How many calls run their kernel without the GIL now. Changed and read
/// only with the GIL held, which orders every access (`Relaxed` suffices).
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// Whether no call runs without the GIL now. With the GIL held, none can
/// start until it is released.
pub(crate) fn none_in_flight(_py: Python<'_>) -> bool {
    IN_FLIGHT.load(Ordering::Relaxed) == 0
}

/// Runs `f`, without the GIL (counted in [`IN_FLIGHT`]) if the call writes
/// `bytes` or more.
pub(crate) fn detach_if_long<F: Send + FnOnce()>(py: Python<'_>, bytes: usize, f: F) {
    if bytes < KEEP_BELOW_BYTES {
        return f();
    }
    /// Uncounts the call, a panic's unwinding included (the GIL is held
    /// again by then).
    struct Counted;
    impl Drop for Counted {
        fn drop(&mut self) {
            IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
        }
    }
    IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
    let _counted = Counted;
    py.detach(f)
}
