//! Argument checks shared by every entry point. They run before anything is
//! written, so a rejected call leaves its buffers untouched.

use crate::Element;

/// Panics unless `alpha` is finite.
#[inline]
#[track_caller]
pub(crate) fn check_alpha<T: Element>(alpha: T) {
    if !alpha.is_finite() {
        panic!("relu-kernels: alpha must be finite, got {alpha}");
    }
}

/// Panics unless the two slices have the same length.
#[inline]
#[track_caller]
pub(crate) fn check_lengths(a: &str, a_len: usize, b: &str, b_len: usize) {
    if a_len != b_len {
        panic!("relu-kernels: slice lengths differ: {a}.len() = {a_len}, {b}.len() = {b_len}");
    }
}

/// Panics unless the three slices have the same length.
#[inline]
#[track_caller]
pub(crate) fn check_lengths3(a: (&str, usize), b: (&str, usize), c: (&str, usize)) {
    if a.1 != b.1 || a.1 != c.1 {
        panic!(
            "relu-kernels: slice lengths differ: {}.len() = {}, {}.len() = {}, {}.len() = {}",
            a.0, a.1, b.0, b.1, c.0, c.1
        );
    }
}
