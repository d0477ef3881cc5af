//! Argument checks shared by every entry point. They run before anything is
//! written, so a rejected call leaves its buffers untouched.

use crate::arch::{Compiled, dispatch};
use crate::{Element, Level};

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

/// Panics unless `alpha` is finite and positive: where the output keeps
/// the input's sign, which the backward passes from the output need.
#[inline]
#[track_caller]
pub(crate) fn check_positive_alpha<T: Element>(alpha: T) {
    if !(alpha.is_finite() && alpha > T::ZERO) {
        panic!("relu-kernels: alpha must be finite and positive here, got {alpha}");
    }
}

/// Panics unless every element of `params` (named `name`) is finite.
#[inline]
#[track_caller]
pub(crate) fn check_finite<T: Element>(name: &str, params: &[T]) {
    if all_finite(params) {
        return;
    }
    if let Some(i) = params.iter().position(|p| !p.is_finite()) {
        panic!(
            "relu-kernels: every element of {name} must be finite, got {name}[{i}] = {}",
            params[i]
        );
    }
}

/// Whether every element of `params` is finite. The check runs on every
/// call, over every channel, so it is a fold without an early exit (which
/// the compiler vectorizes), run at the CPU's best level so that it
/// vectorizes with that level's instructions rather than the build's
/// baseline ones (`docs/TUNING.md`, per-channel ops).
fn all_finite<T: Element>(params: &[T]) -> bool {
    let mut ok = false;
    let fold = Compiled(
        #[inline(always)]
        || ok = params.iter().fold(true, |ok, p| ok & p.is_finite()),
    );
    // SAFETY: the CPU supports the level it detects.
    unsafe { dispatch::<T, _>(Level::detected(), fold) };
    ok
}

/// Panics unless a buffer of `len` elements reads as `[outer, channels,
/// inner]`: `channels` and `inner` at least 1, `len` a multiple of their
/// product.
#[inline]
#[track_caller]
pub(crate) fn check_layout(len: usize, channels: usize, inner: usize) {
    let fits = channels
        .checked_mul(inner)
        .is_some_and(|period| period > 0 && len.is_multiple_of(period));
    if !fits {
        panic!(
            "relu-kernels: a per-channel buffer's length must be a multiple of channels * inner, \
             both at least 1; got length {len}, channels {channels}, inner {inner}"
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
