//! The parameter gradients' sums: compensated (Neumaier) sums in `f64`,
//! in an order fixed by the elements' indices alone, so that every path,
//! level, vector width and thread count gives the same bits.
//!
//! # The order
//! The rows (the outer index of `[outer, channels, inner]`) are cut into
//! blocks of [`BLOCK_ROWS`]. Within a block, a channel's terms are taken in
//! index order: the term of the element at position `k` of its channel's
//! run (`k = i % inner`) goes to logical lane `k % LANES`; each lane is a
//! Neumaier sum (a running sum and a running compensation, both `f64`,
//! starting at `+0.0`). The block's lanes are added in lane order into one
//! more Neumaier sum, their compensations added to its compensation: the
//! block's pair. The blocks' pairs are added in block order the same way,
//! and the result is the sum plus the compensation (or the sum alone where
//! it is infinite or NaN, which the compensation cannot mend), rounded once
//! to the element type.
//!
//! Blocks let a call with many short rows be shared by rows (each thread
//! sums whole blocks and the caller adds their pairs), where sharing by
//! channels would give each thread a few bytes of every row. A call of one
//! block has the bits of the blocks' sum alone: adding one pair to `+0.0`
//! changes neither part.
//!
//! The lanes are plain `f64` arithmetic with no fused multiply-add, which
//! every level computes alike, so the loops are written once, as scalar
//! code over arrays, and the compiler vectorizes them at each level; a
//! channel's [`LANES`] go through [`SumLanes`], the level's own `f64`
//! vectors, with the same operations in the same order.
//!
//! # The error
//! A Neumaier sum of `n` terms `t` has an error of at most
//! `2u·|Σt| + O(n u²)·Σ|t|` with `u = 2^-53`, and the two levels (lanes
//! and blocks) stay within that form, each block's pair carrying what its
//! sum dropped; rounding to `f32` adds half an ulp of the result. For `n`
//! below `2^32` that is within `0.5 ulp(exact) + 2^-32 · Σ|t|` for `f32`
//! and `f64`, and within `2^-18 · Σ|t|` (the 16-bit formats' own rounding
//! dominates) for `f16` and `bf16`. Exactly cancelling large terms leave no
//! trace: the compensation keeps what the running sum drops.

use core::ops::{Add, Sub};

use crate::arch::Vector;

/// The logical lanes of a channel's sum.
pub(crate) const LANES: usize = 8;

/// The rows of a block.
pub(crate) const BLOCK_ROWS: usize = 256;

/// Neumaier sums, structure of arrays so that loops over them vectorize.
#[derive(Clone, Copy)]
pub(crate) struct Sums<const N: usize> {
    pub(crate) sum: [f64; N],
    pub(crate) comp: [f64; N],
}

impl<const N: usize> Sums<N> {
    pub(crate) const ZERO: Self = Sums {
        sum: [0.0; N],
        comp: [0.0; N],
    };

    /// Adds `t` to sum `j`.
    #[inline(always)]
    pub(crate) fn add(&mut self, j: usize, t: f64) {
        let (s, c) = step(self.sum[j], self.comp[j], t);
        self.sum[j] = s;
        self.comp[j] = c;
    }

    /// Clears the first `n` sums.
    #[inline(always)]
    pub(crate) fn clear(&mut self, n: usize) {
        self.sum[..n].fill(0.0);
        self.comp[..n].fill(0.0);
    }

    /// Sums `j..j + LANES` (a channel's lanes) as one pair, in lane order.
    #[inline(always)]
    pub(crate) fn lanes(&self, j: usize) -> (f64, f64) {
        let (mut s, mut c) = (0.0, 0.0);
        for l in j..j + LANES {
            (s, c) = add_pair(s, c, self.sum[l], self.comp[l]);
        }
        (s, c)
    }

    /// Adds the pair `(s, c)` (a sum and its compensation) to sum `j`.
    #[inline(always)]
    pub(crate) fn add_pair(&mut self, j: usize, s: f64, c: f64) {
        (self.sum[j], self.comp[j]) = add_pair(self.sum[j], self.comp[j], s, c);
    }

    /// Sum `j` alone, as one value.
    #[inline]
    pub(crate) fn single(&self, j: usize) -> f64 {
        finish(self.sum[j], self.comp[j])
    }
}

/// Adds the pair `(s, c)` to the sum `(sum, comp)`: the sum by one step,
/// the compensation to the compensation.
#[inline(always)]
pub(crate) fn add_pair(sum: f64, comp: f64, s: f64, c: f64) -> (f64, f64) {
    let (sum, comp) = step(sum, comp, s);
    (sum, comp + c)
}

/// One Neumaier step: `s + t`, with what the addition dropped added to `c`.
/// The dropped part is found with Knuth's TwoSum, which is exact whichever
/// operand is larger: six additions and no compare or blend, where
/// Neumaier's own form branches on the magnitudes (the same value either
/// way).
#[inline(always)]
pub(crate) fn step<F: Copy + Add<Output = F> + Sub<Output = F>>(s: F, c: F, t: F) -> (F, F) {
    let next = s + t;
    let t_kept = next - s;
    let s_kept = next - t_kept;
    let lost = (s - s_kept) + (t - t_kept);
    (next, c + lost)
}

/// A channel's [`LANES`] sums as one value, for [`step`] over all of them
/// at once. Left to the compiler, the lanes' steps (eight scalar steps, or
/// eight-wide array operations alike) came out in halves and quarters of
/// vectors put together with inserts, and the NCHW gradients ran at a
/// quarter of their speed; so each level does them on its own vectors
/// ([`VectorLanes`]), with the same operations in the same order, and the
/// scalar level on arrays ([`ArrayLanes`]).
pub(crate) trait SumLanes: Copy + Add<Output = Self> + Sub<Output = Self> {
    fn load(from: &[f64; LANES]) -> Self;
    fn store(self, to: &mut [f64; LANES]);
}

/// [`SumLanes`] as an array, for the scalar level.
#[derive(Clone, Copy)]
pub(crate) struct ArrayLanes([f64; LANES]);

impl SumLanes for ArrayLanes {
    #[inline(always)]
    fn load(from: &[f64; LANES]) -> Self {
        ArrayLanes(*from)
    }
    #[inline(always)]
    fn store(self, to: &mut [f64; LANES]) {
        *to = self.0;
    }
}

impl Add for ArrayLanes {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        ArrayLanes(core::array::from_fn(|l| self.0[l] + o.0[l]))
    }
}

impl Sub for ArrayLanes {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        ArrayLanes(core::array::from_fn(|l| self.0[l] - o.0[l]))
    }
}

/// [`SumLanes`] as `LANES / V::LANES` vectors of the level (the rest of the
/// array unused). `a - b` is `a + (b ^ -0.0)`: the same rounding and the
/// same signed zeros as a subtraction, in the two operations every vector
/// type has.
#[derive(Clone, Copy)]
pub(crate) struct VectorLanes<V>([V; LANES]);

impl<V: Vector<Elem = f64>> VectorLanes<V> {
    const USED: usize = LANES / V::LANES;
}

impl<V: Vector<Elem = f64>> SumLanes for VectorLanes<V> {
    #[inline(always)]
    fn load(from: &[f64; LANES]) -> Self {
        const { assert!(LANES.is_multiple_of(V::LANES)) };
        // SAFETY: `LANES` is a multiple of `V::LANES` on every level, so
        // each load reads inside `from`; this type is only made where the
        // CPU supports `V`'s level (`driver::reduce`).
        VectorLanes(core::array::from_fn(|i| unsafe {
            V::load(from.as_ptr().add(i % Self::USED * V::LANES))
        }))
    }
    #[inline(always)]
    fn store(self, to: &mut [f64; LANES]) {
        for i in 0..Self::USED {
            // SAFETY: as in `load`.
            unsafe { self.0[i].store(to.as_mut_ptr().add(i * V::LANES)) };
        }
    }
}

impl<V: Vector<Elem = f64>> Add for VectorLanes<V> {
    type Output = Self;
    #[inline(always)]
    fn add(mut self, o: Self) -> Self {
        for i in 0..Self::USED {
            self.0[i] = self.0[i].add(o.0[i]);
        }
        self
    }
}

impl<V: Vector<Elem = f64>> Sub for VectorLanes<V> {
    type Output = Self;
    #[inline(always)]
    fn sub(mut self, o: Self) -> Self {
        // SAFETY: a value of `V` exists, so the CPU supports its level.
        let sign = unsafe { V::splat(-0.0) };
        for i in 0..Self::USED {
            self.0[i] = self.0[i].add(o.0[i].xor(sign));
        }
        self
    }
}

/// The sum with its compensation; an infinite or NaN sum as it is (the
/// compensation is NaN there, from `inf - inf`).
#[inline]
pub(crate) fn finish(s: f64, c: f64) -> f64 {
    if s.is_finite() { s + c } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cancelling large terms among small ones: the small ones survive,
    /// where a plain `f64` sum loses them.
    #[test]
    fn cancelling_terms_leave_the_small_ones() {
        let mut sums = Sums::<1>::ZERO;
        let mut plain = 0.0f64;
        for i in 0..1000 {
            for t in [1e20, 1.0 + i as f64 * 1e-3, -1e20] {
                sums.add(0, t);
                plain += t;
            }
        }
        let exact = 1000.0 + 999.0 * 1000.0 / 2.0 * 1e-3;
        assert!(
            (sums.single(0) - exact).abs() <= exact * 1e-15,
            "{}",
            sums.single(0)
        );
        assert!(
            (plain - exact).abs() > 1.0,
            "the plain sum should lose them: {plain}"
        );
    }

    #[test]
    fn infinities_and_nan_come_through() {
        let mut sums = Sums::<LANES>::ZERO;
        sums.add(0, 1.0);
        sums.add(3, f64::INFINITY);
        let total = |sums: &Sums<LANES>| {
            let (s, c) = sums.lanes(0);
            finish(s, c)
        };
        assert_eq!(total(&sums), f64::INFINITY);
        sums.add(5, f64::NEG_INFINITY);
        assert!(total(&sums).is_nan());
        assert_eq!(total(&Sums::<LANES>::ZERO).to_bits(), 0.0f64.to_bits());
    }
}
