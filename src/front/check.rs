//! Argument checks shared by every entry point. They run before anything is
//! written, so a rejected call leaves its buffers untouched.

use crate::element::all_finite_at;
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
    if !finite_at_best_level(params) {
        not_finite(name, params)
    }
}

/// Panics with [`check_finite`]'s message: `params` (named `name`) holds
/// an element that is not finite.
#[cold]
#[track_caller]
pub(crate) fn not_finite<T: Element>(name: &str, params: &[T]) -> ! {
    let i = params.iter().position(|p| !p.is_finite());
    let i = i.expect("relu-kernels: the finiteness check and `is_finite` disagree");
    panic!(
        "relu-kernels: every element of {name} must be finite, got {name}[{i}] = {}",
        params[i]
    )
}

/// Whether every element of `params` is finite, at the CPU's best level.
fn finite_at_best_level<T: Element>(params: &[T]) -> bool {
    // SAFETY: the CPU supports the level it detects.
    unsafe { all_finite_at(Level::detected(), params) }
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

#[cfg(test)]
mod tests {
    use super::finite_at_best_level;
    use crate::Element;

    /// Every non-finite value (both infinities, NaNs of either sign, quiet
    /// and signalling) at every place of slices long enough for the
    /// vectorized fold's main loop and tail, among the largest finite
    /// values, subnormals and zeros of either sign, which pass. `inf` is
    /// the infinity's bits, `bits` the type's width.
    fn finds_every_non_finite<T: Element>(from_bits: fn(u64) -> T, bits: u32, inf: u64) {
        let sign = 1u64 << (bits - 1);
        let largest = inf - 1;
        let finite = [largest, largest | sign, 0, sign, 1, sign | 1, inf >> 1];
        let bad = [inf, inf + 1, inf | (inf >> 1 & !(inf >> 2)), sign - 1].map(|b| [b, b | sign]);
        for &b in bad.as_flattened() {
            assert!(!from_bits(b).is_finite(), "{b:#x}");
        }
        for &b in &finite {
            assert!(from_bits(b).is_finite(), "{b:#x}");
        }
        let mut v = [from_bits(0); 80];
        for len in 0..v.len() {
            for (i, v) in v[..len].iter_mut().enumerate() {
                *v = from_bits(finite[i % finite.len()]);
            }
            assert!(finite_at_best_level(&v[..len]), "len {len}");
            for at in 0..len {
                let keep = v[at];
                for &b in bad.as_flattened() {
                    v[at] = from_bits(b);
                    assert!(
                        !finite_at_best_level(&v[..len]),
                        "len {len}, {b:#x} at {at}"
                    );
                }
                v[at] = keep;
            }
        }
    }

    #[test]
    fn f32_non_finite() {
        finds_every_non_finite(|b| f32::from_bits(b as u32), 32, 0x7f80_0000);
    }

    #[test]
    fn f64_non_finite() {
        finds_every_non_finite(f64::from_bits, 64, 0x7ff0_0000_0000_0000);
    }

    #[cfg(feature = "half")]
    #[test]
    fn half_non_finite() {
        finds_every_non_finite(|b| half::f16::from_bits(b as u16), 16, 0x7c00);
        finds_every_non_finite(|b| half::bf16::from_bits(b as u16), 16, 0x7f80);
    }
}
