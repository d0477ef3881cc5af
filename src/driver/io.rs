//! [`Io`]: the slices of one call, as plain data, which the serial loop
//! runs and the parallel drivers split.

use core::marker::PhantomData;

use crate::Element;

/// The three slices of a call, at some offset: each element is
/// `dst[i] = op(x[i], y[i])`. Any two may be the same pointer; otherwise
/// they do not overlap.
pub(crate) struct Ptrs<T> {
    pub(crate) x: *const T,
    pub(crate) y: *const T,
    pub(crate) dst: *mut T,
}

impl<T> Clone for Ptrs<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Ptrs<T> {}

impl<T> Ptrs<T> {
    /// All three, `n` elements on.
    ///
    /// # Safety
    /// `n` elements on must stay inside (or one past) each slice.
    #[inline(always)]
    pub(crate) unsafe fn add(self, n: usize) -> Self {
        // SAFETY: caller contract.
        unsafe {
            Ptrs {
                x: self.x.add(n),
                y: self.y.add(n),
                dst: self.dst.add(n),
            }
        }
    }
}

/// The slices of one call: every op computes `dst[i] = op(x[i], y[i])`.
/// In place all three are the same slice; `_into` forms read `x` and write
/// `dst` (which is also `y`, unread); the in-place backward passes read `x`
/// and update `dst` (`y`); the out-of-place ones read `x` and `y` (`dy`)
/// and write `dst`. Raw pointers let one descriptor serve forms that borrow
/// differently.
pub(crate) struct Io<'a, T> {
    pub(crate) ptrs: Ptrs<T>,
    pub(crate) len: usize,
    /// The whole call writes far more than the caches hold (see
    /// [`stream_threshold_bytes`]); kept when the call is split.
    pub(crate) large: bool,
    _borrow: PhantomData<(&'a [T], &'a mut [T])>,
}

/// Whether an out-of-place call whose sources come to `read` bytes writes
/// its destination with non-temporal stores (on the levels that have
/// them), when nothing reads the destination: where the sources alone fill
/// the last-level cache ([`stream_threshold_bytes`]). From there the plain
/// store would first read every destination line into a cache that cannot
/// hold the call, a third memory stream for nothing; below it the output
/// may still be in the cache on the next call, where streaming would evict
/// it. So a two-slice call streams from a destination of the cache's size,
/// a three-slice one from half of it (`docs/TUNING.md`).
fn streams(read: usize) -> bool {
    read >= stream_threshold_bytes()
}

/// The last-level cache's size, read from the CPU once; within
/// [`STREAM_MIN_BYTES`] and [`STREAM_MAX_BYTES`] (128 MiB), and
/// [`STREAM_FALLBACK_BYTES`] where the CPU does not say. Under Miri it is
/// 4 KiB, so that the streaming path runs on buffers small enough to
/// interpret.
pub(crate) fn stream_threshold_bytes() -> usize {
    #[cfg(miri)]
    return 4 * 1024;
    #[cfg(not(miri))]
    {
        use core::sync::atomic::{AtomicUsize, Ordering};
        // 0 until the first call reads the cache size. Racing first calls
        // compute the same value.
        static THRESHOLD: AtomicUsize = AtomicUsize::new(0);
        let known = THRESHOLD.load(Ordering::Relaxed);
        if known != 0 {
            return known;
        }
        let bytes = crate::arch::last_level_cache_bytes().map_or(STREAM_FALLBACK_BYTES, |llc| {
            llc.clamp(STREAM_MIN_BYTES, STREAM_MAX_BYTES)
        });
        THRESHOLD.store(bytes, Ordering::Relaxed);
        bytes
    }
}

/// The cache size taken where the CPU does not give it: a two-slice call
/// then streams from a 16 MiB destination, the fixed switch the crate had
/// before it read the cache.
const STREAM_FALLBACK_BYTES: usize = 16 * 1024 * 1024;
/// Bounds on a threshold read from the CPU. The upper one stands for what
/// a virtual machine's few cores can hold of a cache that a hypervisor
/// reports whole: an Intel guest with 2 vCPUs told of a 480 MiB L3 wrote
/// 1.3-1.4x faster with streaming stores where a call's sources came to
/// 128 MiB or more, and 0.71-1.18x (by op) where they came to 64 MiB
/// (`docs/TUNING.md`).
const STREAM_MIN_BYTES: usize = 1024 * 1024;
const STREAM_MAX_BYTES: usize = 128 * 1024 * 1024;

// SAFETY: an `Io` stands for up to two `&[T]` and a `&mut [T]` (possibly
// the same slice); all are `Send` when `T: Send + Sync`, and splitting hands
// disjoint ranges to different threads.
unsafe impl<T: Send + Sync> Send for Io<'_, T> {}

impl<'a, T: Element> Io<'a, T> {
    /// The descriptor of a form that reads `reads` beside `out`: none (in
    /// place), one (`out` is also `y`), or two (`x` and `y`, into `out`).
    /// The caller has checked the lengths.
    #[inline(always)]
    pub(crate) fn new<const N: usize>(reads: [&'a [T]; N], out: &'a mut [T]) -> Self {
        match reads.as_slice() {
            [] => Io::in_place(out),
            [x] => Io::pair(x, out),
            [x, y] => Io::triple(x, y, out),
            _ => unreachable!("a form reads at most two slices beside its output"),
        }
    }

    /// The whole of `buf`, read and written in place.
    #[inline]
    pub(crate) fn in_place(buf: &'a mut [T]) -> Self {
        let dst = buf.as_mut_ptr();
        Io {
            ptrs: Ptrs {
                x: dst,
                y: dst,
                dst,
            },
            len: buf.len(),
            large: false,
            _borrow: PhantomData,
        }
    }

    /// Read `x`, update `dst` (which is also `y`). The caller has checked
    /// the lengths.
    #[inline]
    pub(crate) fn pair(x: &'a [T], dst: &'a mut [T]) -> Self {
        debug_assert_eq!(x.len(), dst.len());
        let large = streams(core::mem::size_of_val(dst));
        let dst = dst.as_mut_ptr();
        Io {
            ptrs: Ptrs {
                x: x.as_ptr(),
                y: dst,
                dst,
            },
            len: x.len(),
            large,
            _borrow: PhantomData,
        }
    }

    /// Read `x` and `y`, write `dst`. The caller has checked the lengths.
    #[inline]
    pub(crate) fn triple(x: &'a [T], y: &'a [T], dst: &'a mut [T]) -> Self {
        debug_assert!(x.len() == dst.len() && y.len() == dst.len());
        let large = streams(core::mem::size_of_val(dst).saturating_mul(2));
        Io {
            ptrs: Ptrs {
                x: x.as_ptr(),
                y: y.as_ptr(),
                dst: dst.as_mut_ptr(),
            },
            len: x.len(),
            large,
            _borrow: PhantomData,
        }
    }

    #[cfg(feature = "rayon")]
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes read per element: one slice in place, two or three otherwise
    /// (a destination apart from the inputs counts: a plain store reads its
    /// line first).
    #[inline]
    pub(crate) fn bytes_read_per_elem(&self) -> usize {
        let Ptrs { x, y, dst } = self.ptrs;
        let slices = if core::ptr::eq(x, dst) {
            1
        } else if core::ptr::eq(y, dst) {
            2
        } else {
            3
        };
        core::mem::size_of::<T>() * slices
    }

    /// The elements `start..start + len`, with the lifetime of `self`'s
    /// borrow erased, for the chunks of a call shared with threads that
    /// may outlive the caller's borrow (see `driver::shared`), or for a
    /// whole call kept in a `Work`.
    ///
    /// # Safety
    /// `start + len <= self.len()`. The returned `Io` must not be used
    /// after the slices `self` was made from are released, and no two of
    /// the `Io`s live at once may overlap (unless both only read).
    #[inline]
    pub(crate) unsafe fn chunk(&self, start: usize, len: usize) -> Io<'static, T> {
        debug_assert!(start + len <= self.len);
        Io {
            // SAFETY: `start + len <= len` (caller contract), so the offsets
            // stay inside the borrowed slices.
            ptrs: unsafe { self.ptrs.add(start) },
            len,
            large: self.large,
            _borrow: PhantomData,
        }
    }
}
