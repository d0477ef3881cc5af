//! The lane-wise operations every kernel is written in.
//!
//! An op writes its vector body once against [`Vector`]; the same body is
//! compiled for `wide::f32x8`/`wide::f64x4` (the portable level), for the
//! AVX2 types in `x86_64`, and for the 16-bit types of both. The methods
//! say what the ops need (where ReLU gives zero, where Leaky ReLU scales),
//! not how to compute it, so that each vector type picks the cheapest
//! instructions for its lanes: a float compare for `f32`, one integer
//! compare on the bit patterns for `f16`.

/// A vector of floats (256 or 512 bits). Masks are vectors whose lanes are
/// all ones (true) or all zeros (false).
///
/// # Safety of the methods
/// A vector type may be made of instructions that not every CPU has (the
/// AVX2 types are). Its values come only from [`Vector::splat`],
/// [`Vector::load`] and, for the prepared `alpha`, [`Vector::alpha`]: those
/// are `unsafe`, and their callers promise that the CPU supports the type's
/// level. Every other method takes a value (or an `alpha` made by
/// `Vector::alpha`), whose existence carries that promise, so those are
/// safe to call.
pub trait Vector: Copy {
    /// The lane type.
    type Elem: Copy;
    /// Number of lanes.
    const LANES: usize;
    /// `alpha` as [`Vector::scale_where`] multiplies by it.
    type Alpha: Copy;

    /// Every lane set to `x`.
    ///
    /// # Safety
    /// The CPU must support the level of this vector type.
    unsafe fn splat(x: Self::Elem) -> Self;
    /// `alpha` prepared for [`Vector::scale_where`].
    ///
    /// # Safety
    /// The CPU must support the level of this vector type.
    unsafe fn alpha(alpha: Self::Elem) -> Self::Alpha;
    /// Loads `LANES` elements from `p`.
    ///
    /// # Safety
    /// The CPU must support the level of this vector type, and `p` must be
    /// valid for reading `LANES` elements; no alignment needed.
    unsafe fn load(p: *const Self::Elem) -> Self;
    /// Stores `LANES` elements to `p`.
    ///
    /// # Safety
    /// `p` must be valid for writing `LANES` elements; no alignment needed.
    unsafe fn store(self, p: *mut Self::Elem);
    /// Stores `LANES` elements to `p` bypassing the caches where the level
    /// has such a store (a plain store elsewhere); [`Vector::fence`] must
    /// follow the last one.
    ///
    /// # Safety
    /// `p` must be valid for writing `LANES` elements and aligned to their
    /// size (`LANES` elements).
    unsafe fn store_stream(self, p: *mut Self::Elem) {
        // SAFETY: the caller's contract covers `store`'s.
        unsafe { self.store(p) }
    }
    /// Whether the level loads and stores the first `n` lanes alone
    /// ([`Vector::load_first`], [`Vector::store_first`]), with mask
    /// registers: the loop then does its head and tail in one partial
    /// vector each instead of element by element.
    const PARTIAL: bool = false;
    /// Loads the first `n` lanes from `p` (`0 < n < LANES`), the others
    /// zero; reads nothing past `p + n`. Only where [`Vector::PARTIAL`].
    ///
    /// # Safety
    /// The CPU must support the level of this vector type, and `p` must be
    /// valid for reading `n` elements; no alignment needed.
    unsafe fn load_first(p: *const Self::Elem, n: usize) -> Self {
        let _ = (p, n);
        unreachable!("no partial loads at this level")
    }
    /// Stores the first `n` lanes to `p` (`0 < n < LANES`) and writes
    /// nothing else. Only where [`Vector::PARTIAL`].
    ///
    /// # Safety
    /// `p` must be valid for writing `n` elements; no alignment needed.
    unsafe fn store_first(self, p: *mut Self::Elem, n: usize) {
        let _ = (p, n);
        unreachable!("no partial stores at this level")
    }
    /// The first `n` lanes of `self` (`0 < n < LANES`), the others of
    /// `other`: in a mask register, not through memory. Only where
    /// [`Vector::PARTIAL`].
    fn blend_first(self, other: Self, n: usize) -> Self {
        let _ = (other, n);
        unreachable!("no partial blends at this level")
    }
    /// Orders earlier [`Vector::store_stream`] stores before later stores.
    fn fence() {}
    /// Whether [`Vector::store_stream`] bypasses the caches (else it is a
    /// plain store, and the serial loop does not ask for it).
    const STREAMS: bool = false;

    /// The lanes ReLU sets to `+0.0`: true where `x < 0` or `x` is `-0.0`,
    /// false where `x > 0` or NaN. At `+0.0` either, since ReLU gives
    /// `+0.0` there whichever way the lane goes.
    fn relu_zero(self) -> Self;
    /// True where `x <= 0` (both zeros), false where `x > 0`; for NaN
    /// either, so a caller must not depend on the NaN lanes: Leaky ReLU
    /// scales these lanes (and `alpha` times a NaN is a NaN), ReLU's
    /// backward pass from the output clears them (and puts NaN back after).
    fn le_zero(self) -> Self;
    /// True where `x < 0`; false for both zeros and NaN.
    fn lt_zero(self) -> Self;
    /// A NaN where `x` is NaN (which NaN is the level's choice), `other`
    /// elsewhere: how the backward passes let a NaN input through.
    fn nan_or(self, other: Self) -> Self;
    /// 1 where `x` is a number, a NaN where `x` is NaN.
    fn one_or_nan(self) -> Self;

    /// [`clamp`](crate::scalar::clamp) to `[lo, hi]` (`lo <= hi`, neither
    /// NaN): `x` where `lo < x < hi`, `lo` where `x <= lo < hi`, `hi`
    /// elsewhere, a NaN where `x` is NaN.
    fn clamp(self, lo: Self, hi: Self) -> Self;
    /// [`Vector::clamp`] where neither bound is a zero: there a tie between
    /// `x` and a bound is between equal bits, so the order of the compares
    /// may pass `x` through on ties.
    #[inline(always)]
    fn clamp_nonzero(self, lo: Self, hi: Self) -> Self {
        self.clamp(lo, hi)
    }
    /// [`Vector::clamp`] to `[+0.0, hi]` of an `x` that is at least `+0.0`
    /// or NaN (ReLU's output), `hi` not a zero: `x` where `x < hi`, `hi`
    /// where `x >= hi`, a NaN where `x` is NaN.
    #[inline(always)]
    fn below(self, hi: Self) -> Self {
        // `x ^ x` is `+0.0` in every lane.
        self.clamp(self.xor(self), hi)
    }
    /// True where `x < lo`, `x > hi` or `x` is NaN: where clamp's
    /// backward pass clears the gradient (or puts the NaN back).
    fn outside(self, lo: Self, hi: Self) -> Self;

    /// `x + o` lane by lane, rounded once to the element type (for the
    /// 16-bit formats, the `f32` sum rounded once, which is the correctly
    /// rounded sum: see `half16`).
    fn add(self, o: Self) -> Self;
    /// `factor * x` where `mask` is set, as the element type multiplies
    /// (one multiply, one rounding), and `x`'s own bits elsewhere:
    /// [`Vector::scale_where`] with a factor per lane.
    fn scale_lanes(self, mask: Self, factor: Self) -> Self;

    /// Bitwise and.
    fn and(self, o: Self) -> Self;
    /// Bitwise `!self & o`.
    fn and_not(self, o: Self) -> Self;
    /// Bitwise xor.
    fn xor(self, o: Self) -> Self;
    /// `alpha * x` where `mask` is set, as the element type multiplies (one
    /// multiply, one rounding), and `x`'s own bits elsewhere.
    fn scale_where(self, mask: Self, alpha: Self::Alpha) -> Self;
    /// Leaky ReLU for an `alpha` at most 1 and not zero (either zero would
    /// turn an infinite `x` into `0 * inf`, a NaN). For such an `alpha`,
    /// `alpha * x` is at most `x` where `x > 0` and at least `x` elsewhere
    /// (a NaN product where `x` is NaN), so Leaky ReLU is `x` where
    /// `x > alpha * x` and the product elsewhere; where the two are equal
    /// they have the same bits. The default is the form for any `alpha`.
    #[inline(always)]
    fn leaky_relu_max(self, alpha: Self::Alpha) -> Self {
        self.scale_where(self.le_zero(), alpha)
    }
    /// Leaky ReLU for an `alpha` above 1: as [`Vector::leaky_relu_max`]
    /// with the order turned, `x` where `x < alpha * x`, the product
    /// elsewhere.
    #[inline(always)]
    fn leaky_relu_min(self, alpha: Self::Alpha) -> Self {
        self.scale_where(self.le_zero(), alpha)
    }
    /// ReLU: `+0.0` where [`Vector::relu_zero`], `x` elsewhere (a NaN
    /// stays a NaN).
    #[inline(always)]
    fn relu(self) -> Self {
        // Clearing (not selecting) leaves NaN as it was and turns -0.0 into
        // +0.0.
        self.relu_zero().and_not(self)
    }
    /// ReLU's derivative: 1 where `x >= 0` (both zeros), `+0.0` where
    /// `x < 0`, a NaN where `x` is NaN.
    #[inline(always)]
    fn relu_grad(self) -> Self {
        // NaN is not below 0 and stays NaN.
        self.lt_zero().and_not(self.one_or_nan())
    }
    /// Leaky ReLU's derivative: 1 where `x >= 0`, `alpha` where `x < 0`, a
    /// NaN where `x` is NaN; `flip` is `1 ^ alpha` (bitwise), for levels
    /// that flip 1's bits into `alpha`'s.
    #[inline(always)]
    fn leaky_relu_grad(self, alpha: Self, flip: Self) -> Self {
        // An and and an xor rather than a variable blend, which is three
        // micro-ops on recent Intel cores; NaN is not below 0 and stays NaN.
        let _ = alpha;
        self.one_or_nan().xor(self.lt_zero().and(flip))
    }
    /// [`Vector::leaky_relu_grad`] for `-1 <= alpha <= 1`.
    #[inline(always)]
    fn leaky_relu_grad_unit(self, alpha: Self, flip: Self) -> Self {
        self.leaky_relu_grad(alpha, flip)
    }
    /// ReLU's backward pass: `dy` where `x >= 0` (both zeros), `+0.0` where
    /// `x < 0`, a NaN where `x` is NaN.
    #[inline(always)]
    fn relu_backward(self, dy: Self) -> Self {
        // Clearing dy's bits (not multiplying by 0) keeps an infinite or NaN
        // dy at a negative x from becoming NaN.
        self.nan_or(self.lt_zero().and_not(dy))
    }
    /// ReLU's backward pass from its output `self`: `dy` where the output
    /// is above zero, `+0.0` at or below it (both zeros), a NaN where it is
    /// NaN.
    #[inline(always)]
    fn relu_backward_from_output(self, dy: Self) -> Self {
        // The lanes at or below zero are cleared; a NaN output may be among
        // them, so the NaN lanes are put back after.
        self.nan_or(self.le_zero().and_not(dy))
    }
    /// Clamp's backward pass: `dy` where `lo <= x <= hi`, `+0.0` elsewhere,
    /// a NaN where `x` is NaN.
    #[inline(always)]
    fn clamp_backward(self, dy: Self, lo: Self, hi: Self) -> Self {
        // Clearing, not multiplying: an infinite or NaN `dy` outside the
        // bounds gives `+0.0`.
        self.nan_or(self.outside(lo, hi).and_not(dy))
    }
    /// `self` (an incoming gradient `dy`) times Leaky ReLU's derivative
    /// at `x`: `alpha * dy` where `x < 0`, `dy` where `x >= 0` (both
    /// zeros), a NaN where `x` is NaN.
    #[inline(always)]
    fn scale_by_leaky_grad(self, x: Self, alpha: Self::Alpha) -> Self {
        x.nan_or(self.scale_where(x.lt_zero(), alpha))
    }
}
