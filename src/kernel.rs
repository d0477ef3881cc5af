//! The one serial loop every op and level goes through, and the buffer
//! descriptor that the serial and parallel drivers share.

use core::marker::PhantomData;

use crate::Element;
use crate::level::Level;
use crate::ops::Op;
use crate::vector::Vector;

/// The slices of one call: `dst` is read and written, `src` only read. In
/// place, both point at the same slice. Raw pointers let one descriptor
/// serve the in-place and the two-slice forms, which borrow differently.
pub(crate) struct Io<'a, T> {
    src: *const T,
    dst: *mut T,
    len: usize,
    /// The whole call writes far more than the caches hold (see
    /// [`STREAM_THRESHOLD_BYTES`]); kept when the call is split.
    // Only the AVX2 level reads it (to choose streaming stores), and that
    // level is compiled only for x86_64 with SSE2: elsewhere (aarch64,
    // x86_64-unknown-none) the field is written but never read.
    #[cfg_attr(
        not(all(target_arch = "x86_64", target_feature = "sse2")),
        expect(dead_code, reason = "read only by the AVX2 level")
    )]
    large: bool,
    _borrow: PhantomData<(&'a [T], &'a mut [T])>,
}

/// Two-slice calls whose destination is at least this large write it with
/// non-temporal stores (on the AVX2 level), when the op does not read the
/// destination: the plain store would first read every destination line
/// into a cache that cannot hold it, a third memory stream for nothing.
/// Measured side by side on the development machine (32 MiB of L3),
/// `relu_into` on 2 threads, plain → streaming stores, G elem/s: 1 Mi
/// 16.5-19.6 → 6.6 (source and destination fit in L3, where streaming
/// evicts the output), 2 Mi 5.9-6.7 → 5.8-6.2, 4 Mi 3.6-3.9 → 4.5-4.8,
/// 8 Mi 3.2 → 4.1-4.2, 16 Mi 3.5 → 5.0-5.3, 64 Mi 3.7 → 5.1-5.8. Hence a
/// 16 MiB destination (4 Mi `f32`), where streaming starts to win.
///
/// Under Miri the threshold is 4 KiB, so that the streaming path runs on
/// buffers small enough to interpret.
pub(crate) const STREAM_THRESHOLD_BYTES: usize = if cfg!(miri) {
    4 * 1024
} else {
    16 * 1024 * 1024
};

// SAFETY: an `Io` stands for a `&[T]` and a `&mut [T]` (possibly the same
// one); both are `Send` when `T: Send + Sync`, and splitting hands disjoint
// ranges to different threads.
unsafe impl<T: Send + Sync> Send for Io<'_, T> {}

impl<'a, T: Element> Io<'a, T> {
    /// The whole of `buf`, read and written in place.
    #[inline]
    pub(crate) fn in_place(buf: &'a mut [T]) -> Self {
        let dst = buf.as_mut_ptr();
        Io {
            src: dst,
            dst,
            len: buf.len(),
            large: false,
            _borrow: PhantomData,
        }
    }

    /// Read `src`, write `dst`. The caller has checked the lengths.
    #[inline]
    pub(crate) fn pair(src: &'a [T], dst: &'a mut [T]) -> Self {
        debug_assert_eq!(src.len(), dst.len());
        Io {
            src: src.as_ptr(),
            dst: dst.as_mut_ptr(),
            len: dst.len(),
            large: core::mem::size_of_val(dst) >= STREAM_THRESHOLD_BYTES,
            _borrow: PhantomData,
        }
    }

    #[cfg(feature = "rayon")]
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes read per element: one slice in place, two otherwise.
    #[cfg(feature = "rayon")]
    #[inline]
    pub(crate) fn bytes_read_per_elem(&self) -> usize {
        let slices = if core::ptr::eq(self.src, self.dst) {
            1
        } else {
            2
        };
        core::mem::size_of::<T>() * slices
    }

    /// The ranges `..mid` and `mid..`, for two threads.
    #[cfg(feature = "rayon")]
    #[inline]
    pub(crate) fn split_at(self, mid: usize) -> (Self, Self) {
        assert!(mid <= self.len);
        // SAFETY: `mid <= len`, so both offsets stay inside (or one past)
        // the borrowed slices.
        let (src_hi, dst_hi) = unsafe { (self.src.add(mid), self.dst.add(mid)) };
        (
            Io { len: mid, ..self },
            Io {
                src: src_hi,
                dst: dst_hi,
                len: self.len - mid,
                ..self
            },
        )
    }

    /// The elements `start..start + len`, with the lifetime of `self`'s
    /// borrow erased, for the chunks of a call shared with threads that
    /// may outlive the caller's borrow (see `parallel::shared`).
    ///
    /// # Safety
    /// `start + len <= self.len()`. The returned `Io` must not be used
    /// after the slices `self` was made from are released, and no two of
    /// the `Io`s live at once may overlap (unless both only read).
    #[cfg(feature = "rayon")]
    #[inline]
    pub(crate) unsafe fn chunk(&self, start: usize, len: usize) -> Io<'static, T> {
        debug_assert!(start + len <= self.len);
        // SAFETY: `start + len <= len` (caller contract), so both offsets
        // stay inside the borrowed slices.
        let (src, dst) = unsafe { (self.src.add(start), self.dst.add(start)) };
        Io {
            src,
            dst,
            len,
            large: self.large,
            _borrow: PhantomData,
        }
    }

    /// Runs `op` over every element with the kernel of `level`.
    ///
    /// `level` must be supported by this CPU; `Kernels` guarantees it.
    #[inline]
    pub(crate) fn run<O: Op<T>>(self, level: Level, op: O) {
        match level {
            Level::Scalar => {
                // SAFETY: `Io` covers `len` readable `src` and writable
                // `dst` elements.
                unsafe { run_scalar(op, self.src, self.dst, self.len) }
            }
            #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
            Level::Avx2 => {
                debug_assert!(Level::Avx2.is_supported());
                // SAFETY: `Kernels` only holds a level the CPU supports, so
                // AVX2 and F16C are present; the pointers cover `len`
                // elements.
                unsafe {
                    if self.large && !O::READS_DST {
                        run_avx2::<T, O, true>(op, self.src, self.dst, self.len)
                    } else {
                        run_avx2::<T, O, false>(op, self.src, self.dst, self.len)
                    }
                }
            }
            // Without x86_64, `Avx2` is never supported and never reaches here.
            _ => {
                // SAFETY: the pointers cover `len` elements.
                unsafe { run_vector::<T::Portable, O, false>(op, self.src, self.dst, self.len) }
            }
        }
    }
}

/// The reference body over every element.
///
/// # Safety
/// `src` must be readable and `dst` writable for `len` elements; they are
/// either the same pointer or non-overlapping.
#[inline(always)]
unsafe fn run_scalar<T: Element, O: Op<T>>(op: O, src: *const T, dst: *mut T, len: usize) {
    for i in 0..len {
        // SAFETY: `i < len` (caller contract).
        unsafe { *dst.add(i) = op.scalar(*src.add(i), *dst.add(i)) };
    }
}

/// The AVX2 instantiation of [`run_vector`].
///
/// # Safety
/// The CPU must support AVX2 and F16C (which the 16-bit formats use to
/// convert; not under Miri, where they convert without it), plus the
/// contract of [`run_vector`].
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[cfg_attr(not(miri), target_feature(enable = "avx2,f16c"))]
#[cfg_attr(miri, target_feature(enable = "avx2"))]
unsafe fn run_avx2<T: Element, O: Op<T>, const STREAM: bool>(
    op: O,
    src: *const T,
    dst: *mut T,
    len: usize,
) {
    // SAFETY: forwarded caller contract.
    unsafe { run_vector::<T::Avx2, O, STREAM>(op, src, dst, len) }
}

/// How many vectors one iteration of the main loop handles: enough
/// independent loads and stores in flight to keep both load ports and the
/// store port busy from L1.
const UNROLL: usize = 4;

/// The vector loop: a scalar head up to a 32-byte aligned `dst` (so no
/// store splits a cache line), `UNROLL` vectors at a time, single vectors,
/// then a scalar tail. The tail cannot reuse an overlapping last vector: the
/// ops are not idempotent in place. With `STREAM`, the aligned main loop
/// uses non-temporal stores.
///
/// # Safety
/// `src` must be readable and `dst` writable for `len` elements; they are
/// either the same pointer or non-overlapping.
#[inline(always)]
unsafe fn run_vector<V: Vector, O: Op<V::Elem>, const STREAM: bool>(
    op: O,
    src: *const V::Elem,
    dst: *mut V::Elem,
    len: usize,
) where
    V::Elem: Element,
{
    let lanes = V::LANES;
    let size = core::mem::size_of::<V::Elem>();
    // SAFETY (for every access below): indices stay below `len`, as each
    // loop condition checks, so every pointer is inside the caller's range.
    let mut i = 0;
    if len >= 4 * UNROLL * lanes {
        let misalign = (dst as usize) % 32;
        if misalign.is_multiple_of(size) && misalign != 0 {
            let head = (32 - misalign) / size;
            // SAFETY: `head < lanes <= len`.
            unsafe { run_scalar(op, src, dst, head) };
            i = head;
        }
    }
    // SAFETY: `i <= len`.
    let aligned = unsafe { dst.add(i) as usize }.is_multiple_of(32);
    let alpha = V::alpha(op.alpha());
    if STREAM && aligned {
        // SAFETY: forwarded contract; `dst + i` is 32-byte aligned and the
        // loop advances by whole vectors, so every streaming store is too.
        i = unsafe { main_loop(op, alpha, src, dst, i, len, |v: V, p| v.store_stream(p)) };
        V::fence();
    } else {
        // SAFETY: forwarded contract.
        i = unsafe { main_loop(op, alpha, src, dst, i, len, |v: V, p| v.store(p)) };
    }
    while i + lanes <= len {
        // SAFETY: `i + lanes <= len`.
        unsafe {
            let (s, d) = (src.add(i), dst.add(i));
            op.vector(alpha, V::load(s), V::load(d)).store(d);
        }
        i += lanes;
    }
    // SAFETY: `i <= len`, so the rest is `len - i` elements in range.
    unsafe { run_scalar(op, src.add(i), dst.add(i), len - i) };
}

/// `UNROLL` vectors at a time from `i` while they fit; returns where it
/// stopped. `alpha` is the op's, prepared; `store` writes one vector.
///
/// # Safety
/// As [`run_vector`], and `store` must be safe to call for every vector
/// position from `dst + i` on in steps of `LANES`.
#[inline(always)]
unsafe fn main_loop<V: Vector, O: Op<V::Elem>>(
    op: O,
    alpha: V::Alpha,
    src: *const V::Elem,
    dst: *mut V::Elem,
    mut i: usize,
    len: usize,
    store: impl Fn(V, *mut V::Elem),
) -> usize
where
    V::Elem: Element,
{
    let lanes = V::LANES;
    while i + UNROLL * lanes <= len {
        // SAFETY: `i + UNROLL * lanes <= len`.
        unsafe {
            let (s, d) = (src.add(i), dst.add(i));
            let x: [V; UNROLL] = core::array::from_fn(|k| V::load(s.add(k * lanes)));
            let y: [V; UNROLL] = core::array::from_fn(|k| V::load(d.add(k * lanes)));
            for k in 0..UNROLL {
                store(op.vector(alpha, x[k], y[k]), d.add(k * lanes));
            }
        }
        i += UNROLL * lanes;
    }
    i
}
