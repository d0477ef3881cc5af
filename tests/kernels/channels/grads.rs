//! The backward passes with a parameter gradient: the results and the sums
//! bit for bit against the reference on every path and level, the same
//! bits on 1, 2 and 4 threads, and the sums' error against an exact sum on
//! adversarial data.

use super::{Path, paths, serial_paths, via};
use crate::common::*;

#[derive(Clone, Copy, Debug)]
enum Op<T> {
    Prelu,
    Relu,
    Leaky(T),
}

/// Runs `op` through `path`: `grad` updated, the sums returned.
fn call<T: TestFloat>(
    path: Path,
    op: Op<T>,
    x: &[T],
    p: &[T],
    inner: usize,
    grad: &mut [T],
) -> Vec<T> {
    let mut sums = vec![T::from_f64(7.0); p.len()];
    match op {
        Op::Prelu => via!(path, prelu_backward(x, p, inner, grad, &mut sums)),
        Op::Relu => via!(
            path,
            relu_backward_from_output_bias(x, grad, inner, &mut sums)
        ),
        Op::Leaky(a) => via!(
            path,
            leaky_relu_backward_from_output_bias(x, grad, inner, a, &mut sums)
        ),
    }
    sums
}

fn ops<T: TestFloat>() -> Vec<Op<T>> {
    vec![
        Op::Prelu,
        Op::Relu,
        Op::Leaky(T::from_f64(0.01)),
        Op::Leaky(T::from_f64(3.0)),
    ]
}

/// Checks `op` through `paths` against the reference, results and sums.
fn check<T: TestFloat>(paths: &[Path], op: Op<T>, x: &[T], p: &[T], inner: usize, dy: &[T]) {
    let mut want = dy.to_vec();
    let want_sums = call(Path::Scalar, op, x, p, inner, &mut want);
    for &path in paths {
        let mut grad = dy.to_vec();
        let sums = call(path, op, x, p, inner, &mut grad);
        let what = || {
            format!(
                "{} {op:?} via {path:?}, channels {}, inner {inner}, length {}",
                T::NAME,
                p.len(),
                x.len()
            )
        };
        if let Some(i) = (0..x.len()).find(|&i| !same(grad[i], want[i])) {
            panic!(
                "{}: element {i} gave {:?}, want {:?}",
                what(),
                grad[i],
                want[i]
            );
        }
        if let Some(c) = (0..p.len()).find(|&c| !same(sums[c], want_sums[c])) {
            panic!(
                "{}: the sum of channel {c} is {:?}, want {:?}",
                what(),
                sums[c],
                want_sums[c]
            );
        }
    }
}

/// Inputs with specials (NaN and infinite sums among the results) or
/// not; every other value of a wide range of magnitudes (a quarter of the
/// type's exponents either way), where the order of a sum shows in its
/// last bits.
fn data<T: TestFloat>(
    len: usize,
    channels: usize,
    specials: bool,
    rng: &mut Lcg,
) -> (Vec<T>, Vec<T>, Vec<T>) {
    let sp = T::specials();
    let range = (T::from_f64(f64::MAX).to_f64().log2() / 4.0) as i64;
    let mut value = |i: usize| {
        if specials && i % 5 == 1 {
            sp[(i * 7 + (rng.next() as usize)) % sp.len()]
        } else if i.is_multiple_of(2) {
            let e = (rng.next() % (2 * range as u64 + 1)) as i64 - range;
            T::from_f64(rng.ordinary::<f64>() * 2f64.powi(e as i32))
        } else {
            rng.ordinary()
        }
    };
    let x = (0..len).map(&mut value).collect();
    let dy = (0..len).map(&mut value).collect();
    let p = (0..channels).map(|_| rng.ordinary()).collect();
    (x, dy, p)
}

/// Every path and level on small shapes, special values included (NaN and
/// infinite sums among them); under Miri, fewer shapes on the serial
/// kernels and `par`, whose driver splits by channels there.
fn shapes<T: TestFloat>() {
    // Under Miri: rows (one sum per channel), runs with a tail (eight
    // lanes), a call `par` shares by channels, and one with three blocks of
    // rows (`par` shares it by blocks).
    let mut shapes: Vec<(usize, usize, usize)> =
        vec![(3, 1, 5), (2, 19, 2), (100, 1, 8), (2, 1, 600)];
    if !cfg!(miri) {
        for c in [1, 3, 8, 17] {
            for inner in [1, 3, 8, 17] {
                for outer in [0, 1, 2, 5] {
                    shapes.push((c, inner, outer));
                }
            }
        }
    }
    let paths: Vec<Path> = if cfg!(miri) || emulated() {
        #[cfg_attr(not(feature = "rayon"), allow(unused_mut))] // `par` joins with rayon
        let mut p = serial_paths();
        #[cfg(feature = "rayon")]
        p.push(Path::Par);
        p
    } else {
        paths()
    };
    let mut rng = Lcg(3);
    let ops = ops::<T>();
    // Under Miri: a pass with a parameter and one without; the driver
    // and the sums are the same for every op.
    for &op in &ops[..if cfg!(miri) { 2 } else { ops.len() }] {
        for &(c, inner, outer) in &shapes {
            for specials in [false, true] {
                let (x, dy, p) = data(c * inner * outer, c, specials, &mut rng);
                check(&paths, op, &x, &p, inner, &dy);
            }
        }
    }
}

/// Calls large enough to be shared: NCHW 56×56, a dense layer's output,
/// more channels than a group holds; on custom pools of 1, 2 and 4
/// threads, the same bits.
fn threads<T: TestFloat>() {
    if cfg!(miri) || emulated() {
        return;
    }
    let mut rng = Lcg(9);
    for (c, inner, outer) in [
        (64, 3136, 2),
        (1000, 1, 300),
        (300, 9, 100),
        (2, 1, 150_001),
    ] {
        let (x, dy, p) = data(c * inner * outer, c, false, &mut rng);
        for op in ops::<T>() {
            // From outside the pool (the shared driver), every path.
            check(&paths(), op, &x, &p, inner, &dy);
            // From inside pools of each size (halving with `join`).
            #[cfg(feature = "rayon")]
            for threads in [1, 2, 4] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| check(&[Path::Par, Path::Root], op, &x, &p, inner, &dy));
            }
        }
    }
}

/// The rows of a block of a sum (`channels`' docs).
const BLOCK_ROWS: usize = 256;

/// Data on which the order of a sum shows in its last bits: in every run,
/// large terms (about `2^60` for `f64`, `2^25` for the others) of both
/// signs in alternate lanes, cancelling over the channel, with ordinary
/// terms between them. The compensations hold the large terms' rounding
/// errors and round themselves, so a different grouping gives different
/// bits; every path must give the reference's. Where a channel has several
/// blocks of rows, the large terms sit in the first row of each block,
/// each cancelled by the next block's, so that the blocks' pairs carry
/// the ordinary terms in their compensations, whose order shows.
fn order<T: TestFloat>() {
    let big = if std::mem::size_of::<T>() == 8 {
        60
    } else {
        25
    };
    let mut rng = Lcg(17);
    // Four blocks of rows: (3, 1, 1000), (1000, 1, 800) and (4, 5, 800).
    let shapes: &[(usize, usize, usize)] = if cfg!(miri) {
        &[(2, 16, 3), (3, 1, 40)]
    } else {
        &[
            (2, 16, 3),
            (3, 1, 40),
            (5, 37, 20),
            (64, 3136, 1),
            (1000, 1, 64),
            (3, 1, 1000),
            (1000, 1, 800),
            (4, 5, 800),
        ]
    };
    for &(c, inner, outer) in shapes {
        let len = c * inner * outer;
        let y = vec![T::from_f64(1.0); len];
        let mut dy = vec![T::from_f64(0.0); len];
        // The large terms waiting for their negation; per channel where
        // they cancel across blocks.
        let mut large = vec![Vec::new(); c];
        for (i, d) in dy.iter_mut().enumerate() {
            let (row, k) = (i / (c * inner), i % inner + (i / (c * inner)) * inner);
            let (case, waiting) = if outer > BLOCK_ROWS {
                let case = match (row % BLOCK_ROWS, (row / BLOCK_ROWS) % 2) {
                    (0, b) => 2 * b,
                    _ => 1,
                };
                (case, &mut large[(i / inner) % c])
            } else {
                (k % 4, &mut large[0])
            };
            *d = match case {
                0 => {
                    let v = T::from_f64(rng.ordinary::<f64>() * 2f64.powi(big));
                    waiting.push(v);
                    v
                }
                2 => T::from_f64(-waiting.pop().unwrap_or(T::from_f64(0.0)).to_f64()),
                _ => rng.ordinary(),
            };
        }
        let paths: Vec<Path> = if cfg!(miri) {
            vec![Path::Simd]
        } else {
            paths()
        };
        check(&paths, Op::Relu, &y, &vec![T::from_f64(0.0); c], inner, &dy);
    }
}

/// An exact sum of `f64` values: fixed point with 32-bit limbs from
/// `2^-1100` up, each limb an `i64` that takes many additions before any
/// carry is needed.
struct Exact(Vec<i64>);

impl Exact {
    const LOW: i32 = -1100;

    fn new() -> Self {
        Exact(vec![0; 2200 / 32 + 2])
    }

    fn add(&mut self, x: f64) {
        if x == 0.0 {
            return;
        }
        assert!(x.is_finite());
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1 << 52) - 1);
        let (m, e) = if exp == 0 {
            (frac, -1074)
        } else {
            (frac | 1 << 52, exp - 1075)
        };
        let shift = (e - Self::LOW) as usize;
        let (limb, bit) = (shift / 32, shift % 32);
        let wide = (m as u128) << bit;
        let sign = if x < 0.0 { -1 } else { 1 };
        for k in 0..3 {
            self.0[limb + k] += sign * ((wide >> (32 * k)) as u32 as i64);
        }
    }

    /// The value, to about `f64`'s precision (for the error, the ulp and
    /// the bound): the limbs, each exact in `f64` or nearly, from the top.
    fn approx(&self) -> f64 {
        let mut v = 0.0f64;
        for k in (0..self.0.len()).rev().filter(|&k| self.0[k] != 0) {
            v += self.0[k] as f64 * 2f64.powi(Self::LOW + 32 * k as i32);
        }
        v
    }
}

/// The sums' error against the exact sum of the terms, on channels of a
/// million rows (channels-last, 2 channels) and of long runs, two kinds:
/// - huge and tiny terms among ordinary ones;
/// - large terms (products near `-3e6`, all of one sign) that cancel exactly, their
///   partners far later (all of one sign in the first half of the
///   channel, the negations in the second half), among ordinary ones. A
///   plain `f64` sum runs at about `10^12` there and drops the ordinary
///   terms' low bits; the compensation keeps them.
///
/// The bound: half an ulp of the exact sum (in the element type) plus
/// `2^-32` times the sum of the terms' magnitudes, the cancelling pairs
/// left out of that sum. Prints the worst error seen, in units of the
/// bound.
#[allow(clippy::needless_range_loop)] // Indices across several arrays.
fn accuracy<T: TestFloat>() {
    if cfg!(miri) || emulated() {
        return;
    }
    let mut rng = Lcg(23);
    // For the 16-bit formats, magnitudes whose sums stay inside `f16`'s
    // range.
    let (huge, tiny) = if std::mem::size_of::<T>() >= 4 {
        (1e15, 1e-15)
    } else {
        (10.0, 1e-4)
    };
    let mut worst = [0.0f64; 2];
    for (c, inner, outer) in [(2, 1, 1_000_000), (3, 4096, 40)] {
        for (kind, worst) in worst.iter_mut().enumerate() {
            let len = c * inner * outer;
            let mut x = vec![T::from_f64(-1.0); len];
            let mut dy = vec![T::from_f64(0.0); len];
            let mut cancelling = vec![false; len];
            let mut large: Vec<Vec<(T, T)>> = vec![Vec::new(); c];
            for o in 0..outer {
                for ch in 0..c {
                    for k in 0..inner {
                        let i = (o * c + ch) * inner + k;
                        let second_half = o >= outer / 2;
                        let r = rng.next() % 4;
                        (x[i], dy[i]) = match (kind, r) {
                            (0, 0) => {
                                (T::from_f64(-1.0), T::from_f64(huge * rng.ordinary::<f64>()))
                            }
                            (0, 1) => {
                                (T::from_f64(-1.0), T::from_f64(tiny * rng.ordinary::<f64>()))
                            }
                            (1, 0) if !second_half => {
                                let pair = (
                                    T::from_f64(-2000.0 - (rng.next() % 64) as f64),
                                    T::from_f64(1500.0 * rng.ordinary::<f64>().abs()),
                                );
                                large[ch].push(pair);
                                cancelling[i] = true;
                                pair
                            }
                            (1, 0 | 1) if second_half && !large[ch].is_empty() => {
                                let (a, b) = large[ch].pop().unwrap();
                                cancelling[i] = true;
                                (a, T::from_f64(-b.to_f64()))
                            }
                            _ => (T::from_f64(-rng.ordinary::<f64>().abs()), rng.ordinary()),
                        };
                    }
                }
            }
            assert!(
                large.iter().all(|l| l.is_empty()),
                "a large term was left without a partner"
            );
            let slopes = vec![T::from_f64(0.25); c];
            let mut grad = dy.clone();
            let mut got = vec![T::from_f64(0.0); c];
            relu_kernels::channels::prelu_backward(&x, &slopes, inner, &mut grad, &mut got);
            for ch in 0..c {
                let (mut diff, mut magnitude) = (Exact::new(), 0.0f64);
                for o in 0..outer {
                    for k in 0..inner {
                        let i = (o * c + ch) * inner + k;
                        let t = x[i].to_f64() * dy[i].to_f64();
                        diff.add(t);
                        if !cancelling[i] {
                            magnitude += t.abs();
                        }
                    }
                }
                let exact = diff.approx();
                diff.add(-got[ch].to_f64());
                let err = diff.approx().abs();
                let ulp = {
                    let w = T::from_f64(exact.abs());
                    T::from_bits_u64(w.bits() + 1).to_f64() - w.to_f64()
                };
                let bound = 0.5 * ulp + magnitude * 2f64.powi(-32);
                assert!(
                    err <= bound,
                    "{} kind {kind}, channel {ch} of ({c}, {inner}, {outer}): the sum {:?} is {err:e} \
                     from the exact {exact:e}, bound {bound:e}",
                    T::NAME,
                    got[ch]
                );
                *worst = worst.max(err / bound);
            }
        }
    }
    println!(
        "{}: the worst error is {:.3e} of the bound with huge and tiny terms, {:.3e} with cancelling ones",
        T::NAME,
        worst[0],
        worst[1]
    );
}

test_each_type!(shapes, threads, order, accuracy);
