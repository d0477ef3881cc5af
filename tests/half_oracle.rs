//! The scalar reference's one multiply for the 16-bit formats, checked
//! against an oracle written independently of it: the exact product of two
//! patterns computed in integers and rounded to nearest, ties to even, in
//! integer code. (The reference multiplies in `f32` and rounds once with
//! `half`'s `from_f32`; this oracle uses neither `half`'s arithmetic nor its
//! conversions, only `from_bits`/`to_bits`.)
#![cfg(feature = "half")]

use half::{bf16, f16};
use relu_kernels::scalar;

/// A binary floating-point format: `mant` stored mantissa bits, `exp`
/// exponent bits, one sign bit on top.
#[derive(Clone, Copy)]
struct Format {
    mant: u32,
    exp: u32,
}

const F16: Format = Format { mant: 10, exp: 5 };
const BF16: Format = Format { mant: 7, exp: 8 };

/// A decoded pattern.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Value {
    Nan,
    Inf {
        neg: bool,
    },
    /// `(-1)^neg * m * 2^e`, exactly (`m == 0` for the zeros).
    Finite {
        neg: bool,
        m: u64,
        e: i32,
    },
}

impl Format {
    fn bias(self) -> i32 {
        (1 << (self.exp - 1)) - 1
    }

    /// The exponent of the last mantissa place of the smallest normals
    /// (and of every subnormal).
    fn min_quantum(self) -> i32 {
        1 - self.bias() - self.mant as i32
    }

    fn decode(self, bits: u16) -> Value {
        let neg = bits & 0x8000 != 0;
        let field = ((bits >> self.mant) & ((1 << self.exp) - 1)) as i32;
        let frac = (bits & ((1 << self.mant) - 1)) as u64;
        if field == (1 << self.exp) - 1 {
            return if frac == 0 {
                Value::Inf { neg }
            } else {
                Value::Nan
            };
        }
        if field == 0 {
            Value::Finite {
                neg,
                m: frac,
                e: self.min_quantum(),
            }
        } else {
            Value::Finite {
                neg,
                m: frac | (1 << self.mant),
                e: field - self.bias() - self.mant as i32,
            }
        }
    }

    /// The pattern of `(-1)^neg * m * 2^e` rounded to nearest, ties to even.
    fn round(self, neg: bool, m: u64, e: i32) -> u16 {
        let sign = if neg { 0x8000u16 } else { 0 };
        if m == 0 {
            return sign;
        }
        let lead = e + (63 - m.leading_zeros() as i32); // exponent of m's top bit
        // The place of the last kept bit: `mant` below the top bit, but no
        // lower than the subnormals' quantum.
        let mut qe = (lead - self.mant as i32).max(self.min_quantum());
        let shift = qe - e;
        let mut q = if shift <= 0 {
            m << (-shift)
        } else if shift >= 64 {
            0 // m < 2^23 is below half of the quantum: rounds to zero
        } else {
            let q = m >> shift;
            let rem = m & ((1u64 << shift) - 1);
            let half = 1u64 << (shift - 1);
            if rem > half || (rem == half && q & 1 == 1) {
                q + 1
            } else {
                q
            }
        };
        if q == 1 << (self.mant + 1) {
            // Rounding carried into a new top bit.
            q >>= 1;
            qe += 1;
        }
        if q < 1 << self.mant {
            return sign | q as u16; // subnormal (or zero)
        }
        let field = qe + self.mant as i32 + self.bias();
        if field >= (1 << self.exp) - 1 {
            return sign | (((1u32 << self.exp) - 1) << self.mant) as u16; // overflow
        }
        sign | ((field as u16) << self.mant) | (q as u16 & ((1 << self.mant) - 1))
    }

    /// The correctly rounded product of two patterns; `None` for NaN.
    fn mul(self, a: u16, b: u16) -> Option<u16> {
        let inf =
            |neg: bool| ((neg as u16) << 15) | ((((1u32 << self.exp) - 1) << self.mant) as u16);
        match (self.decode(a), self.decode(b)) {
            (Value::Nan, _) | (_, Value::Nan) => None,
            (Value::Inf { .. }, Value::Finite { m: 0, .. })
            | (Value::Finite { m: 0, .. }, Value::Inf { .. }) => None,
            (Value::Inf { neg: x }, Value::Inf { neg: y })
            | (Value::Inf { neg: x }, Value::Finite { neg: y, .. })
            | (Value::Finite { neg: x, .. }, Value::Inf { neg: y }) => Some(inf(x != y)),
            (
                Value::Finite {
                    neg: x,
                    m: mx,
                    e: ex,
                },
                Value::Finite {
                    neg: y,
                    m: my,
                    e: ey,
                },
            ) => Some(self.round(x != y, mx * my, ex + ey)),
        }
    }
}

/// The alphas of the exhaustive test, as patterns: 0.01 (rounded by the
/// oracle itself), 0, -0.5, 1.5, the smallest subnormal and the largest
/// finite value, plus 1 and -1.
fn alphas(f: Format) -> Vec<u16> {
    let one = (f.bias() as u16) << f.mant;
    let largest = (((1u32 << f.exp) - 2) << f.mant) as u16 | ((1 << f.mant) - 1);
    // 10486 * 2^-20 = 0.0100002..., rounded to the format: about 0.01.
    let hundredth = f.round(false, 10486, -20);
    vec![
        hundredth,
        0,
        0x8000 | (one - (1 << f.mant)),
        one | (1 << (f.mant - 1)),
        1,
        largest,
        one,
        0x8000 | one,
    ]
}

/// Checks `scalar::leaky_relu` and `scalar::leaky_relu_backward` on every
/// pattern and alpha against the oracle.
fn against_oracle<T: Copy>(
    f: Format,
    from_bits: fn(u16) -> T,
    to_bits: fn(T) -> u16,
    is_nan: fn(T) -> bool,
    leaky: fn(T, T) -> T,
    backward: fn(T, T, T) -> T,
) -> usize {
    let minus_one = from_bits(0x8000 | ((f.bias() as u16) << f.mant));
    let mut checked = 0;
    for a in alphas(f) {
        for x in 0..=u16::MAX {
            let want = f.mul(a, x);
            let same = |got: T| match want {
                None => is_nan(got),
                Some(bits) => to_bits(got) == bits,
            };
            // Where `x < 0`, the backward pass is `alpha * dy` with dy = x.
            let got = backward(minus_one, from_bits(x), from_bits(a));
            assert!(
                same(got),
                "backward: alpha {a:#06x} * {x:#06x}: got {:#06x}, want {want:x?}",
                to_bits(got)
            );
            // Leaky ReLU multiplies where `x <= 0` (and NaN stays NaN).
            let got = leaky(from_bits(x), from_bits(a));
            match f.decode(x) {
                Value::Nan => assert!(is_nan(got), "leaky_relu({x:#06x})"),
                Value::Finite { neg: false, m, .. } if m != 0 => assert_eq!(to_bits(got), x),
                Value::Inf { neg: false } => assert_eq!(to_bits(got), x),
                _ => assert!(
                    same(got),
                    "leaky_relu: alpha {a:#06x} * {x:#06x}: got {:#06x}, want {want:x?}",
                    to_bits(got)
                ),
            }
            checked += 2;
        }
    }
    checked
}

/// The oracle itself on values whose products `f64` holds exactly.
#[test]
fn the_oracle_rounds_as_ieee_does_where_f64_is_exact() {
    // 3 * 5 = 15 and 1.5 * 1.5 = 2.25 are exact in both formats.
    for f in [F16, BF16] {
        let one = (f.bias() as u16) << f.mant;
        let three = one + (1 << f.mant) + (1 << (f.mant - 1)); // 1.5 * 2
        let five = one + (2 << f.mant) + (1 << (f.mant - 2)); // 1.25 * 4
        let fifteen = one + (3 << f.mant) + (7 << (f.mant - 3)); // 1.875 * 8
        assert_eq!(f.mul(three, five), Some(fifteen));
        assert_eq!(f.mul(one, 0x8000), Some(0x8000)); // 1 * -0 = -0
        assert_eq!(f.mul(0x8000 | one, 0), Some(0x8000)); // -1 * +0 = -0
        // Ties to even: (1 + 2^-m) * (1 + 2^-1) = 1.5 + 2^-m + 2^-(m+1),
        // halfway between two neighbours; the even one wins.
        let a = one | 1;
        let b = one | (1 << (f.mant - 1));
        let got = f.mul(a, b).unwrap();
        assert_eq!(got & 1, 0, "{got:#06x} is odd");
    }
    // The smallest subnormal times one half rounds to zero (a tie, zero is
    // even); times 0.75 it rounds up to the smallest subnormal.
    assert_eq!(F16.mul(1, 0x3800), Some(0));
    assert_eq!(F16.mul(1, 0x3a00), Some(1));
}

#[test]
fn f16_products_match_the_oracle() {
    let n = against_oracle(
        F16,
        f16::from_bits,
        f16::to_bits,
        f16::is_nan,
        scalar::leaky_relu,
        scalar::leaky_relu_backward,
    );
    eprintln!("f16: {n} results checked against the oracle");
}

#[test]
fn bf16_products_match_the_oracle() {
    let n = against_oracle(
        BF16,
        bf16::from_bits,
        bf16::to_bits,
        bf16::is_nan,
        scalar::leaky_relu,
        scalar::leaky_relu_backward,
    );
    eprintln!("bf16: {n} results checked against the oracle");
}
