//! What the module needs to know about a numpy array's memory before
//! handing it to the kernels as an `ndarray` view.

use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::Bound;

use crate::Dtype;

/// Whether rust-numpy's view of `a` is the array itself: the data aligned,
/// every step a whole number of elements (numpy allows any byte step), at
/// most 32 dimensions (rust-numpy's limit; numpy allows 64), and for an
/// array to be written, no two elements at one address (a mutable view
/// must not alias itself).
pub(crate) fn viewable<T: Dtype>(a: &Bound<'_, PyArrayDyn<T>>, written: bool) -> bool {
    let size = core::mem::size_of::<T>() as isize;
    // Contiguous arrays (the usual case) step by whole elements and never
    // alias themselves.
    if a.is_contiguous() {
        return a.is_aligned() && a.ndim() <= 32;
    }
    a.is_aligned()
        && a.ndim() <= 32
        && a.shape()
            .iter()
            .zip(a.strides())
            .all(|(&n, &s)| n <= 1 || s % size == 0)
        && (!written || !self_overlapping(a.shape(), a.strides(), size))
}

/// Whether two elements of the layout may share an address. Sufficient
/// for "no": sorted by step, each step clears the extent of the smaller
/// ones. Layouts that interleave without sharing an element (only
/// `as_strided` makes them) count as overlapping and take the slow path.
fn self_overlapping(shape: &[usize], strides: &[isize], size: isize) -> bool {
    // On the stack: this runs on every call (`viewable` has checked that
    // there are at most 32 dimensions).
    let mut axes = [(0isize, 0isize); 32];
    let mut k = 0;
    for (&n, &s) in shape.iter().zip(strides) {
        if n > 1 {
            axes[k] = (s.unsigned_abs() as isize, n as isize);
            k += 1;
        }
    }
    let axes = &mut axes[..k];
    axes.sort_unstable();
    let mut extent = size;
    for &mut (step, n) in axes {
        if step < extent {
            return true;
        }
        extent += step * (n - 1);
    }
    false
}

/// Whether `a` and `b` are the same elements at the same addresses: `out`
/// given as the input itself (or another view identical to it).
pub(crate) fn same_view<T: Dtype>(
    a: &Bound<'_, PyArrayDyn<T>>,
    b: &Bound<'_, PyArrayDyn<T>>,
) -> bool {
    a.data() == b.data()
        && a.shape() == b.shape()
        && a.shape()
            .iter()
            .zip(a.strides().iter().zip(b.strides()))
            .all(|(&n, (s, t))| n <= 1 || s == t)
}

/// Whether the address ranges of `a` and `b` meet (so they may share
/// elements; `numpy.may_share_memory`'s test).
pub(crate) fn may_overlap<T: Dtype>(
    a: &Bound<'_, PyArrayDyn<T>>,
    b: &Bound<'_, PyArrayDyn<T>>,
) -> bool {
    match (extent(a), extent(b)) {
        (Some((a0, a1)), Some((b0, b1))) => a0 < b1 && b0 < a1,
        _ => false,
    }
}

/// The bytes `a` spans, `[low, high)`, or `None` if it has no element.
fn extent<T: Dtype>(a: &Bound<'_, PyArrayDyn<T>>) -> Option<(isize, isize)> {
    if a.shape().contains(&0) {
        return None;
    }
    let base = a.data() as isize;
    let (mut lo, mut hi) = (base, base + core::mem::size_of::<T>() as isize);
    for (&n, &s) in a.shape().iter().zip(a.strides()) {
        let reach = s * (n as isize - 1);
        if reach < 0 {
            lo += reach;
        } else {
            hi += reach;
        }
    }
    Some((lo, hi))
}
