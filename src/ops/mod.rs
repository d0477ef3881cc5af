//! One small type per op: its per-element body (the `scalar` reference) and
//! its per-vector body, written once against [`Vector`].
//!
//! Every op maps a pair `(x, y)` to a result: `x` is the input (the
//! forward input, or the forward output for the passes "from the output")
//! and `y` the incoming gradient of the backward passes. In place, the
//! result replaces `y` (or `x`); out of place it goes to a third slice. The
//! unary ops ignore `y` (and the compiler drops its load).
//!
//! The vector bodies say what each lane gets in terms of [`Vector`]'s
//! methods; each vector type computes those the cheapest way its lanes
//! allow. No body stores a `select` of a value loaded from the destination:
//! LLVM turns that into `vmaskmovps`, which runs at a tenth of the speed on
//! AMD Zen. Scaling is a multiply by 1 or `alpha`, and clearing is bitwise,
//! chosen so that every lane gets the exact bits of the reference.
//!
//! # Why this form
//!
//! In a loop over data in L1, one load and one store per vector leave a
//! few vector ALU micro-ops per vector before the ALU ports, rather than
//! the load and store ports, set the pace. On the development machine's
//! Intel core, compares, `max`/`min` and multiplies run on two vector
//! ports and bitwise logic on three, and a variable blend is three
//! micro-ops (one on AMD Zen 3). The AVX2 bodies (`f32`, `f64`) therefore
//! spend as few micro-ops as exact bits allow, compares and multiplies
//! first of all, and no variable blend where another form exists:
//!
//! | op | AVX2 body | µops | of them compare/max/mul |
//! |---|---|---|---|
//! | `relu` | `andnot(x <= 0, x)` | 2 | 1 |
//! | `leaky_relu`, `0 < \|alpha\|`, `alpha <= 1` | `max(x, alpha * x)` | 2 | 2 |
//! | `leaky_relu`, `alpha > 1` | `min(x, alpha * x)` | 2 | 2 |
//! | `leaky_relu`, `alpha = ±0` | `x * blend(x <= 0, alpha, 1)` | 3 (5 on Intel) | 3 |
//! | `relu_grad` | `andnot(x < 0, max(1, x \| -0.0))` | 4 | 2 |
//! | `leaky_relu_grad` | `max(1, x \| -0.0) ^ ((x < 0) & (1 ^ alpha))` | 5 | 2 |
//! | `relu_backward` | `andnot(x < 0, dy) \| isnan(x)` | 4 | 2 |
//! | `leaky_relu_backward` | `dy * leaky_relu_grad(x)` | 6 | 3 |
//! | `relu_backward_from_output` | `andnot(out <= 0, dy) \| isnan(out)` | 4 | 2 |
//! | `clamp`, neither bound a zero | `min(hi, max(lo, x))` | 2 | 2 |
//! | `clamp`, `lo = +0.0` (`relu6`) | `min(hi, andnot(x <= 0, x))` | 3 | 2 |
//! | `clamp`, other bounds | `min(max(x, lo), hi) \| isnan(x)` | 4 | 3 |
//! | `clamp_backward` | `andnot(!(x >= lo) \| !(x <= hi), dy) \| isnan(x)` | 6 | 3 |
//!
//! - `relu`: clearing leaves a NaN as it was and turns `-0.0` into `+0.0`
//!   in one bitwise op; `max(0, x)` returns `-0.0` for `-0.0` and would
//!   need a fix-up.
//! - `leaky_relu`: `maxps` returns its second operand unless the first is
//!   greater, so `max(x, alpha * x)` is the product on ties and wherever
//!   either is NaN; for `alpha <= 1` that is Leaky ReLU's result in every
//!   lane (the order turns for `alpha > 1`). It replaced a compare, a blend
//!   and a multiply, which a zero `alpha` still takes: there `0 * inf`
//!   is a NaN where the reference gives `inf`. `tests/f32_patterns.rs` checks the
//!   max and min forms on every `f32`.
//! - `relu_grad`, `leaky_relu_grad`: `maxps` passes a NaN `x` through
//!   where its second operand is NaN, so one `max` gives 1 or the NaN
//!   without an unordered compare. `alpha` is 1 with the bits of
//!   `1 ^ alpha` flipped: an and and an xor instead of a blend.
//! - `relu_backward`: a select, not `dy * relu_grad(x)`: an infinite or NaN
//!   `dy` at a negative `x` gives 0. Then `isnan(x)` is OR-ed in: the
//!   unordered compare's mask, all ones where `x` is NaN, which is itself a
//!   NaN, so the lane comes out NaN (which NaN is unspecified) with no
//!   `and` to pick `x`'s own bits (`f32` and `f64`; the 16-bit bodies OR in
//!   `x`'s bits).
//! - `clamp`: `maxps(x, lo)` is `lo` on ties and for a NaN `x`, and
//!   `minps` of that and `hi` is `hi` on ties, which is the reference's
//!   order (`hi` wins where the bounds are equal); the NaN lanes are OR-ed
//!   in after. A tie differs in its bits only between two zeros, so where
//!   neither bound is a zero the operands turn round and `x` passes
//!   through ties and NaN: two micro-ops. With `lo = +0.0` ReLU's body
//!   gives the lower bound, `+0.0` for `-0.0` included. No blend of `x`
//!   itself, which in place would become a masked store.
//! - `leaky_relu_backward`: `dy * 1` is `dy` exactly and a NaN factor makes
//!   a NaN, so multiplying by the gradient needs no NaN fix-up after it;
//!   it replaced two compares, a blend, a multiply, an and and an or.
//!
//! The AVX-512 level (`f32`, `f64`, 512-bit vectors) overrides the methods
//! whose result in a lane depends only on the class of one input (NaN,
//! zero, negative, positive, an infinity) with one `vfixupimm`, which picks
//! per class, by a table, `x`, `+0.0`, 1 or the lane of a second operand
//! (see `arch::x86_64::avx512`); its compares write mask registers:
//!
//! | op | AVX-512 body | µops |
//! |---|---|---|
//! | `relu` | `fixup(x)`: `x`, `+0.0` at or below zero | 1 |
//! | `leaky_relu`, `0 < \|alpha\|` | `max(x, alpha * x)` (`min` for `alpha > 1`) | 2 |
//! | `leaky_relu`, `alpha = ±0` | `x * blend(k: x <= 0, 1, alpha)`, which LLVM makes a multiply under the mask | 2 |
//! | `relu_grad` | `fixup(x)`: 1, `+0.0` below zero | 1 |
//! | `leaky_relu_grad`, `\|alpha\| <= 1` | `max(alpha, fixup(x))`: `fixup` gives 1, -1 below zero | 2 |
//! | `leaky_relu_grad`, other `alpha` | `fixup(alpha, x)`: 1, `alpha` below zero | 1, and a register copy |
//! | `relu_backward` | `fixup(dy, x)`: `dy`, `+0.0` below zero | 1 |
//! | `leaky_relu_backward` | `dy * fixup(alpha, x)` | 2, and a register copy |
//! | `relu_backward_from_output` | `fixup(dy, out)`: `dy`, `+0.0` at or below zero | 1 |
//! | `clamp`, neither bound a zero | `min(hi, max(lo, x))` | 2 |
//! | `clamp`, `lo = +0.0` (`relu6`) | `min(hi, fixup(x))` | 2 |
//! | `clamp`, other bounds | `fixup(min(max(x, lo), hi), x)` | 3 |
//! | `clamp_backward` | `k = x >= lo; k &= x <= hi; fixup(dy{k}, x)` | 4 |
//!
//! Each `fixup` makes a NaN `x` NaN. `vfixupimm` overwrites its first
//! operand, so where that is the loop-invariant `alpha` the compiler copies
//! it first. The 512-bit vectors ran faster than 256-bit ones with mask
//! registers for every op on the machine measured (`docs/TUNING.md`).
//!
//! The 16-bit formats compare their bit patterns as integers and widen only
//! for the multiply (see `arch::half16`); their bodies take the same methods.

pub(crate) mod channel;
pub(crate) mod param_grad;
pub(crate) mod spec;
pub(crate) mod sum;

use crate::Element;
use crate::arch::Vector;

/// An elementwise op: `y = op(x, y)`.
pub(crate) trait Op<T: Element>: Copy + Send + Sync + 'static {
    /// Whether the result depends on `y` (in place and in the in-place
    /// backward passes, the destination's old value): such calls never
    /// stream their stores.
    const READS_Y: bool = false;
    /// The reference body.
    fn scalar(self, x: T, y: T) -> T;
    /// The op's `alpha`, for the ops that multiply by one. The loop
    /// prepares it once per call ([`Vector::alpha`]) and hands it to every
    /// vector body: for the 16-bit formats that is a widening to `f32` with
    /// branches, which the compiler would not hoist out of the loop.
    fn alpha(self) -> T {
        T::ZERO
    }
    /// The vector body, given `alpha` as prepared from [`Op::alpha`]; must
    /// equal `scalar` lane by lane, bit for bit (any NaN for a NaN).
    fn vector<V: Vector<Elem = T>>(self, alpha: V::Alpha, x: V, y: V) -> V;
}

#[derive(Clone, Copy)]
pub(crate) struct Relu;

impl<T: Element> Op<T> for Relu {
    #[inline(always)]
    fn scalar(self, x: T, _: T) -> T {
        spec::relu(x)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, _: V::Alpha, x: V, _: V) -> V {
        x.relu()
    }
}

/// Which body Leaky ReLU runs, chosen once per call from `alpha`
/// ([`leaky_form`]): [`LEAKY_ANY`] for every `alpha`, [`LEAKY_MAX`] for
/// `alpha` at most 1 and not zero, [`LEAKY_MIN`] for `alpha` above 1.
#[derive(Clone, Copy)]
pub(crate) struct LeakyRelu<T, const FORM: u8>(pub T);

pub(crate) const LEAKY_ANY: u8 = 0;
pub(crate) const LEAKY_MAX: u8 = 1;
pub(crate) const LEAKY_MIN: u8 = 2;

/// The cheapest Leaky ReLU body that is exact for this `alpha`.
pub(crate) fn leaky_form<T: Element>(alpha: T) -> u8 {
    if alpha == T::ZERO {
        LEAKY_ANY
    } else if alpha <= T::ONE {
        LEAKY_MAX
    } else {
        LEAKY_MIN
    }
}

impl<T: Element, const FORM: u8> Op<T> for LeakyRelu<T, FORM> {
    #[inline(always)]
    fn scalar(self, x: T, _: T) -> T {
        spec::leaky_relu(x, self.0)
    }
    #[inline(always)]
    fn alpha(self) -> T {
        self.0
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, alpha: V::Alpha, x: V, _: V) -> V {
        match FORM {
            LEAKY_MAX => x.leaky_relu_max(alpha),
            LEAKY_MIN => x.leaky_relu_min(alpha),
            _ => x.scale_where(x.le_zero(), alpha),
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) struct ReluGrad;

impl<T: Element> Op<T> for ReluGrad {
    #[inline(always)]
    fn scalar(self, x: T, _: T) -> T {
        spec::relu_grad(x)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, _: V::Alpha, x: V, _: V) -> V {
        x.relu_grad()
    }
}

/// Leaky ReLU's derivative; `UNIT` where `-1 <= alpha <= 1`, for the
/// levels with a cheaper body there ([`Vector::leaky_relu_grad_unit`]).
#[derive(Clone, Copy)]
pub(crate) struct LeakyReluGrad<T, const UNIT: bool>(pub T);

impl<T: Element, const UNIT: bool> Op<T> for LeakyReluGrad<T, UNIT> {
    #[inline(always)]
    fn scalar(self, x: T, _: T) -> T {
        spec::leaky_relu_grad(x, self.0)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, _: V::Alpha, x: V, _: V) -> V {
        // SAFETY: `x` exists, so the CPU supports `V`'s level (see `Vector`).
        let (alpha, one) = unsafe { (V::splat(self.0), V::splat(T::ONE)) };
        if UNIT {
            x.leaky_relu_grad_unit(alpha, one.xor(alpha))
        } else {
            x.leaky_relu_grad(alpha, one.xor(alpha))
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) struct ReluBackward;

impl<T: Element> Op<T> for ReluBackward {
    const READS_Y: bool = true;
    #[inline(always)]
    fn scalar(self, x: T, dy: T) -> T {
        spec::relu_backward(x, dy)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, _: V::Alpha, x: V, dy: V) -> V {
        x.relu_backward(dy)
    }
}

#[derive(Clone, Copy)]
pub(crate) struct LeakyReluBackward<T>(pub T);

impl<T: Element> Op<T> for LeakyReluBackward<T> {
    const READS_Y: bool = true;
    #[inline(always)]
    fn scalar(self, x: T, dy: T) -> T {
        spec::leaky_relu_backward(x, dy, self.0)
    }
    #[inline(always)]
    fn alpha(self) -> T {
        self.0
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, alpha: V::Alpha, x: V, dy: V) -> V {
        dy.scale_by_leaky_grad(x, alpha)
    }
}

/// Whether `alpha` takes the `UNIT` bodies: `-1 <= alpha <= 1`.
pub(crate) fn unit_alpha<T: Element>(alpha: T) -> bool {
    alpha.to_f64().abs() <= 1.0
}

#[derive(Clone, Copy)]
pub(crate) struct ReluBackwardFromOutput;

impl<T: Element> Op<T> for ReluBackwardFromOutput {
    const READS_Y: bool = true;
    #[inline(always)]
    fn scalar(self, out: T, dy: T) -> T {
        spec::relu_backward_from_output(out, dy)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, _: V::Alpha, out: V, dy: V) -> V {
        out.relu_backward_from_output(dy)
    }
}

/// Which body clamp runs, chosen once per call from the bounds
/// ([`clamp_form`]): [`CLAMP_ANY`] for every pair, [`CLAMP_NONZERO`] where
/// neither bound is a zero, [`CLAMP_RELU`] for `lo = +0.0` and a `hi` that
/// is not a zero (ReLU6).
#[derive(Clone, Copy)]
pub(crate) struct Clamp<T, const FORM: u8> {
    pub lo: T,
    pub hi: T,
}

pub(crate) const CLAMP_ANY: u8 = 0;
pub(crate) const CLAMP_NONZERO: u8 = 1;
pub(crate) const CLAMP_RELU: u8 = 2;

/// The cheapest clamp body that is exact for these bounds.
pub(crate) fn clamp_form<T: Element>(lo: T, hi: T) -> u8 {
    match (lo == T::ZERO, hi == T::ZERO) {
        (false, false) => CLAMP_NONZERO,
        (true, false) if !lo.sign_negative() => CLAMP_RELU,
        _ => CLAMP_ANY,
    }
}

impl<T: Element, const FORM: u8> Op<T> for Clamp<T, FORM> {
    #[inline(always)]
    fn scalar(self, x: T, _: T) -> T {
        spec::clamp(x, self.lo, self.hi)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, _: V::Alpha, x: V, _: V) -> V {
        // SAFETY: `x` exists, so the CPU supports `V`'s level (see `Vector`).
        let (lo, hi) = unsafe { (V::splat(self.lo), V::splat(self.hi)) };
        match FORM {
            CLAMP_NONZERO => x.clamp_nonzero(lo, hi),
            // ReLU's body, then the upper bound.
            CLAMP_RELU => x.relu().below(hi),
            _ => x.clamp(lo, hi),
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) struct ClampBackward<T> {
    pub lo: T,
    pub hi: T,
}

impl<T: Element> Op<T> for ClampBackward<T> {
    const READS_Y: bool = true;
    #[inline(always)]
    fn scalar(self, x: T, dy: T) -> T {
        spec::clamp_backward(x, dy, self.lo, self.hi)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, _: V::Alpha, x: V, dy: V) -> V {
        // SAFETY: `x` exists, so the CPU supports `V`'s level (see `Vector`).
        let (lo, hi) = unsafe { (V::splat(self.lo), V::splat(self.hi)) };
        x.clamp_backward(dy, lo, hi)
    }
}

/// The in-place throughput ceiling's pass: `y = x ^ bits`, with `bits`
/// hidden from the compiler (zero in practice), so the loop must load and
/// store every element and does the least work an op can.
#[derive(Clone, Copy)]
pub(crate) struct Touch<T>(pub T);

impl<T: Element> Op<T> for Touch<T> {
    #[inline(always)]
    fn scalar(self, x: T, _: T) -> T {
        T::xor_bits(x, self.0)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, _: V::Alpha, x: V, _: V) -> V {
        // SAFETY: `x` exists, so the CPU supports `V`'s level (see `Vector`).
        x.xor(unsafe { V::splat(self.0) })
    }
}

/// The two-slice throughput ceiling's pass, the least a backward pass can
/// do: `y = y ^ (x & bits)`, with `bits` hidden from the compiler, so the
/// loop must load both slices and store the destination.
#[derive(Clone, Copy)]
pub(crate) struct TouchPair<T>(pub T);

impl<T: Element> Op<T> for TouchPair<T> {
    const READS_Y: bool = true;
    #[inline(always)]
    fn scalar(self, x: T, y: T) -> T {
        T::xor_bits(y, T::and_bits(x, self.0))
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, _: V::Alpha, x: V, y: V) -> V {
        // SAFETY: `x` exists, so the CPU supports `V`'s level (see `Vector`).
        y.xor(x.and(unsafe { V::splat(self.0) }))
    }
}
