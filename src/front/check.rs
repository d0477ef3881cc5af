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

/// Panics unless `lo <= hi` and neither is NaN (infinite bounds are
/// allowed).
#[inline]
#[track_caller]
pub(crate) fn check_bounds<T: Element>(lo: T, hi: T) {
    // Incomparable where either is NaN.
    if !matches!(
        lo.partial_cmp(&hi),
        Some(core::cmp::Ordering::Less | core::cmp::Ordering::Equal)
    ) {
        panic!(
            "relu-kernels: the bounds must satisfy lo <= hi and not be NaN, got lo = {lo}, hi = {hi}"
        );
    }
}

/// Panics unless every slice of a call (its name and length) has the
/// same length.
#[inline]
#[track_caller]
pub(crate) fn check_lengths(slices: &[(&str, usize)]) {
    if slices.iter().any(|&(_, n)| n != slices[0].1) {
        differ(slices)
    }
}

#[cold]
#[track_caller]
fn differ(slices: &[(&str, usize)]) -> ! {
    panic!("relu-kernels: slice lengths differ: {}", Lengths(slices))
}

/// `a.len() = 3, b.len() = 4`, without allocating (the crate may be
/// `no_std`).
struct Lengths<'a>(&'a [(&'a str, usize)]);

impl core::fmt::Display for Lengths<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (i, (name, len)) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{name}.len() = {len}")?;
        }
        Ok(())
    }
}
