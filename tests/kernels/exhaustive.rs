//! Every path against the reference on short buffers: every length at every
//! start offset, with special values in every lane position and the tail.

use crate::common::*;
use relu_kernels::{Kernels, Threading};

/// Fills `dst` and `src` with specials, rotated by `r` so that over all
/// rotations every special lands on every lane; every third element is an
/// ordinary value, and `src` pairs each position with a different special.
fn fill<T: TestFloat>(src: &mut [T], dst: &mut [T], r: usize, rng: &mut Lcg) {
    let sp = T::specials();
    let n = sp.len();
    for i in 0..dst.len() {
        dst[i] = if (i + r).is_multiple_of(3) {
            rng.ordinary()
        } else {
            sp[(i + r) % n]
        };
        src[i] = if (i + r) % 3 == 1 {
            rng.ordinary()
        } else {
            sp[(i * 7 + r) % n]
        };
    }
}

fn sweep<T: TestFloat>(max_len: usize, ops: &[OpCase<T>], all_rotations_up_to: usize) {
    // Under Miri, which interprets every instruction: a tail alone, one
    // vector and a tail, the unrolled loop with a single vector and a
    // tail, and the first length that reaches the aligned head (16 vectors
    // and more), for the type's lane count; and every level's serial
    // kernel (the module functions run the same kernels, and the
    // concurrency tests the parallel driver). Under emulation, every
    // length and offset, on every level's serial kernel alone: below the
    // parallel thresholds the other paths run those kernels.
    let lanes = 32 / std::mem::size_of::<T>();
    let lengths: Vec<usize> = if cfg!(miri) {
        vec![0, lanes + 1, 5 * lanes + 1, 16 * lanes + 3]
    } else {
        (0..=max_len).collect()
    };
    let offsets = if cfg!(miri) { 0..=1 } else { 0..=8 };
    let n = T::specials().len();
    let mut rng = Lcg(7);
    let longest = *lengths.iter().max().unwrap();
    let mut sbuf = Aligned::<T>::new(longest + 16);
    let mut dbuf = Aligned::<T>::new(longest + 16);
    let paths: Vec<Path> = if cfg!(miri) || emulated() {
        relu_kernels::ALL_LEVELS
            .into_iter()
            .filter_map(|level| Kernels::new(level, Threading::Serial))
            .map(Path::Kernels)
            .collect()
    } else {
        paths()
    };
    for &len in &lengths {
        for offset in offsets.clone() {
            let rotations: Vec<usize> = if cfg!(miri) {
                vec![(len + offset) % n]
            } else if len <= all_rotations_up_to {
                (0..n).collect()
            } else {
                vec![(len + offset) % n, (len * 5 + offset + 11) % n]
            };
            for r in rotations {
                for &path in &paths {
                    for &op in ops {
                        // src is misaligned differently from dst.
                        let src_off = (offset + 3) % 9;
                        let (src, dst) = (sbuf.at(src_off, len), dbuf.at(offset, len));
                        fill(src, dst, r, &mut rng);
                        check(
                            path,
                            op,
                            src,
                            dst,
                            &format!("len {len} offset {offset} rotation {r}"),
                        );
                    }
                }
            }
        }
    }
}

/// The longest buffer of the sweeps (under Miri they pick their own
/// lengths).
const MAX_LEN: usize = 300;
const ALPHA_MAX_LEN: usize = if cfg!(miri) { 20 } else { 140 };

/// Pairs of specials: every special as `x` against every special as `dy`
/// (or as the in-place element), in every lane of a vector and the tail.
fn all_pairs<T: TestFloat>() {
    let sp = T::specials();
    let len = 37; // four f32 vectors plus a 5-element tail
    let paths = paths();
    let mut src = vec![T::from_f64(0.0); len];
    let mut dst = vec![T::from_f64(0.0); len];
    for (a, &x) in sp.iter().enumerate() {
        for &y in &sp {
            for op in OpCase::all_alphas() {
                for &path in &paths {
                    for i in 0..len {
                        src[i] = if (i + a) % 2 == 0 { x } else { y };
                        dst[i] = if (i + a) % 2 == 0 { y } else { x };
                    }
                    check(path, op, &src, &mut dst, "all pairs");
                }
            }
        }
    }
}

/// The ceilings' passes XOR every element's bits with `bits`' (in place)
/// or with those of `x & bits` (two slices) and nothing else, at every
/// level, length and offset.
fn touch<T: TestFloat>() {
    let mut buf = Aligned::<T>::new(MAX_LEN + 16);
    let mut xbuf = Aligned::<T>::new(MAX_LEN + 16);
    let mut rng = Lcg(9);
    let lanes = 32 / std::mem::size_of::<T>();
    let lengths: Vec<usize> = if cfg!(miri) {
        vec![0, lanes + 1, 16 * lanes + 3]
    } else {
        (0..=MAX_LEN).collect()
    };
    for level in relu_kernels::ALL_LEVELS
        .into_iter()
        .filter(|l| l.is_supported())
    {
        for threading in [Threading::Serial, Threading::Parallel] {
            let k = Kernels::new(level, threading).unwrap();
            for &len in &lengths {
                for offset in 0..=if cfg!(miri) { 1 } else { 8 } {
                    let b = buf.at(offset, len);
                    b.iter_mut().for_each(|v| *v = rng.ordinary());
                    let before: Vec<u64> = b.iter().map(|v| v.bits()).collect();
                    k.touch_inplace(b, T::from_f64(0.0));
                    assert!(
                        b.iter().zip(&before).all(|(v, w)| v.bits() == *w),
                        "{k:?} +0"
                    );
                    k.touch_inplace(b, T::from_f64(-0.0));
                    let sign = T::from_f64(-0.0).bits();
                    let flipped = b.iter().zip(&before).all(|(v, w)| v.bits() == *w ^ sign);
                    assert!(flipped, "{k:?} -0");
                    // Two slices: the signs of `x` flip those of `grad`.
                    let x = xbuf.at((offset + 3) % 9, len);
                    x.iter_mut().for_each(|v| *v = rng.ordinary());
                    let before: Vec<u64> = b.iter().map(|v| v.bits()).collect();
                    k.touch_pair(x, b, T::from_f64(0.0));
                    assert!(
                        b.iter().zip(&before).all(|(v, w)| v.bits() == *w),
                        "{k:?} pair +0"
                    );
                    k.touch_pair(x, b, T::from_f64(-0.0));
                    let want = |(i, w): (usize, &u64)| *w ^ (x[i].bits() & sign);
                    let got: Vec<u64> = b.iter().map(|v| v.bits()).collect();
                    let want: Vec<u64> = before.iter().enumerate().map(want).collect();
                    assert_eq!(got, want, "{k:?} pair -0");
                }
            }
        }
    }
}

/// The tests above for one element type.
macro_rules! for_type {
    ($m:ident, $t:ty) => {
        mod $m {
            use super::*;

            #[test]
            fn every_length_offset_and_lane() {
                let alpha = <$t>::from_f64(0.01);
                sweep::<$t>(
                    MAX_LEN,
                    &OpCase::all_miri_sized(alpha),
                    if cfg!(miri) { 0 } else { 64 },
                );
            }

            #[test]
            #[cfg_attr(miri, ignore = "the alpha-free sweeps reach the same code under Miri")]
            fn every_alpha() {
                sweep::<$t>(ALPHA_MAX_LEN, &OpCase::all_alphas(), 0);
            }

            #[test]
            #[cfg_attr(
                miri,
                ignore = "quadratic in the specials; the sweeps cover them under Miri"
            )]
            fn all_pairs_of_specials() {
                all_pairs::<$t>();
            }

            #[test]
            fn touch_xors_the_bits() {
                touch::<$t>();
            }
        }
    };
}

for_type!(f32, f32);
for_type!(f64, f64);
#[cfg(feature = "half")]
for_type!(f16, half::f16);
#[cfg(feature = "half")]
for_type!(bf16, half::bf16);
