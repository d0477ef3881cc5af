//! The per-channel ops on every path and level against their element
//! functions, bit for bit: every layout branch of the driver (channel
//! runs, bias rows, the stack pattern with and without refills), lengths
//! with tails at several offsets, large calls that split over threads,
//! and, for the 16-bit formats, every pattern with every special
//! parameter.

use super::{Path, paths, serial_paths, via};
use crate::common::*;
use relu_kernels::scalar;

/// One family, with its `alpha` for bias + Leaky ReLU.
#[derive(Clone, Copy, Debug)]
enum Family<T> {
    BiasRelu,
    BiasLeakyRelu(T),
    Prelu,
}

impl<T: TestFloat> Family<T> {
    fn all() -> Vec<Family<T>> {
        let mut all = vec![Family::BiasRelu, Family::Prelu];
        all.extend(alphas::<T>().into_iter().map(Family::BiasLeakyRelu));
        all
    }

    /// The element function: the spec.
    fn elem(self, x: T, p: T) -> T {
        match self {
            Family::BiasRelu => scalar::bias_relu(x, p),
            Family::BiasLeakyRelu(alpha) => scalar::bias_leaky_relu(x, p, alpha),
            Family::Prelu => scalar::leaky_relu(x, p),
        }
    }

    /// The parameters the family is checked with: biases, or slopes
    /// (among them each Leaky ReLU body's range: zeros, at most 1, above
    /// 1, negative).
    fn params(self) -> Vec<T> {
        let mut p: Vec<T> = T::specials()
            .into_iter()
            .filter(|v| v.is_finite_())
            .collect();
        if let Family::Prelu = self {
            p.extend([0.25, 2.0, -0.5, 0.01].map(T::from_f64));
        }
        p
    }
}

/// Runs `family` on `x` into `out` through `path`, in place (on a copy
/// of `x` in `out`) or not.
fn call<T: TestFloat>(
    path: Path,
    f: Family<T>,
    x: &[T],
    p: &[T],
    inner: usize,
    out: &mut [T],
    in_place: bool,
) {
    if in_place {
        out.copy_from_slice(x);
        match f {
            Family::BiasRelu => via!(path, bias_relu_inplace(out, p, inner)),
            Family::BiasLeakyRelu(a) => via!(path, bias_leaky_relu_inplace(out, p, inner, a)),
            Family::Prelu => via!(path, prelu_inplace(out, p, inner)),
        }
    } else {
        match f {
            Family::BiasRelu => via!(path, bias_relu_into(x, p, inner, out)),
            Family::BiasLeakyRelu(a) => via!(path, bias_leaky_relu_into(x, p, inner, out, a)),
            Family::Prelu => via!(path, prelu_into(x, p, inner, out)),
        }
    }
}

/// Checks every form of `f` through `paths` on `x` with parameters `p`.
fn check<T: TestFloat>(
    paths: &[Path],
    f: Family<T>,
    x: &[T],
    p: &[T],
    inner: usize,
    out: &mut [T],
) {
    let want: Vec<T> = (0..x.len())
        .map(|i| f.elem(x[i], p[(i / inner) % p.len()]))
        .collect();
    for &path in paths {
        for in_place in [true, false] {
            out.fill(T::from_f64(7.0));
            call(path, f, x, p, inner, out, in_place);
            if let Some(i) = (0..x.len()).find(|&i| !same(out[i], want[i])) {
                panic!(
                    "{} {f:?} via {path:?} (in place: {in_place}), channels {}, inner {inner}, \
                     length {}: element {i} (x = {:?}, param = {:?}) gave {:?}, want {:?}",
                    T::NAME,
                    p.len(),
                    x.len(),
                    x[i],
                    p[(i / inner) % p.len()],
                    out[i],
                    want[i]
                );
            }
        }
    }
}

/// Data with specials in every lane position, and parameters drawn from
/// `pool` (so each channel has its own).
fn data<T: TestFloat>(len: usize, channels: usize, pool: &[T], rng: &mut Lcg) -> (Vec<T>, Vec<T>) {
    let sp = T::specials();
    let x = (0..len)
        .map(|i| {
            if i % 3 == 0 {
                rng.ordinary()
            } else {
                sp[(i * 7) % sp.len()]
            }
        })
        .collect();
    let p = (0..channels)
        .map(|c| {
            if c % 2 == 0 {
                pool[(rng.next() as usize) % pool.len()]
            } else {
                rng.ordinary()
            }
        })
        .collect();
    (x, p)
}

/// Small shapes: `channels` and `inner` in {1, 3, 8, 17}, a few rows, at
/// several offsets from a 64-byte boundary; then one shape per driver
/// branch (runs of at least 32, short and long, rows of at least 128 one
/// at a time, four at a time and as one stream against the laid-out
/// period, with a stride of whole vectors or not, short periods laid out,
/// a pattern, one that is refilled).
/// Under Miri, where the driver's limits are smaller (rows of 32, grouped
/// up to 1 KiB, a laid-out period of up to 48, a pattern of 64), one
/// shape per branch at those limits, and one large enough for `par` to
/// share.
fn shapes<T: TestFloat>() {
    let few = cfg!(miri) || emulated();
    let mut shapes: Vec<(usize, usize, usize)> = Vec::new();
    #[cfg_attr(not(feature = "rayon"), allow(unused_mut))] // `par` joins with rayon
    let mut paths = if few { serial_paths() } else { paths() };
    if cfg!(miri) {
        shapes.extend([
            (3, 35, 1),
            (40, 1, 2),
            (40, 1, 5),
            (32, 1, 5),
            (40, 1, 8),
            (48, 1, 7),
            (56, 1, 6),
            (2, 4, 20),
            (3, 1, 30),
            (3, 3, 2),
            (17, 5, 1),
            (5, 7, 24),
        ]);
        #[cfg(feature = "rayon")]
        paths.push(Path::Par);
    } else {
        for c in [1, 3, 8, 17] {
            for inner in [1, 3, 8, 17] {
                for outer in [0, 1, 2, 5] {
                    shapes.push((c, inner, outer));
                }
            }
        }
        shapes.extend([
            (3, 130, 2),
            (200, 1, 3),
            (200, 1, 9),
            (256, 1, 9),
            (40, 17, 2),
            (1, 600, 1),
            // Runs as one stream at levels with partial vectors: a vector
            // of every element type straddles boundaries at many lanes.
            (3, 300, 2),
            (5, 33, 2),
            (2, 32, 3),
            (3, 48, 3),
            (3, 64, 3),
            (2, 512, 2),
            // Rows as one stream against the rotated parameter row (past
            // the grouped rows' limit in every type; 200 channels a
            // period of two rows where a vector has 16 lanes or more),
            // and a row too long to rotate.
            (512, 1, 70),
            (200, 1, 90),
            (2064, 1, 9),
        ]);
    }
    // Under Miri one offset, off a vector boundary: every walk then has
    // a head (and the laid-out period a head's parameters before it).
    let offsets = if cfg!(miri) {
        1..=1
    } else if few {
        0..=1
    } else {
        0..=3
    };
    // Under Miri: bias + ReLU (the lanes and the constant op) and PReLU
    // (the per-slope bodies); the driver is the same for every family.
    let families = if cfg!(miri) { 2 } else { usize::MAX };
    let mut rng = Lcg(11);
    for f in Family::<T>::all().into_iter().take(families) {
        let pool = f.params();
        for &(c, inner, outer) in &shapes {
            let len = c * inner * outer;
            let (x, p) = data(len, c, &pool, &mut rng);
            let mut buf = Aligned::<T>::new(len + 8);
            for offset in offsets.clone() {
                check(&paths, f, &x, &p, inner, buf.at(offset, len));
            }
        }
    }
}

/// Calls large enough to be shared among threads, one per driver branch:
/// NCHW 56×56 (runs), a dense layer's output (rows), few channels (a
/// pattern made once) and many short runs (a pattern refilled).
fn large<T: TestFloat>() {
    if cfg!(miri) || emulated() {
        return;
    }
    let mut rng = Lcg(5);
    for f in Family::<T>::all().into_iter().take(3) {
        let pool = f.params();
        for (c, inner, outer) in [
            (64, 3136, 2),
            (1000, 1, 300),
            (3, 1, 100_003),
            (100, 17, 200),
        ] {
            let (x, p) = data(c * inner * outer, c, &pool, &mut rng);
            let mut out = vec![T::from_f64(0.0); x.len()];
            check(&paths(), f, &x, &p, inner, &mut out);
        }
    }
}

/// Every 16-bit pattern with every special parameter, as a channel's run
/// (the constant op) and as the pattern's lanes (the per-lane op), on each
/// level's serial kernel, for every alpha of bias + Leaky ReLU.
fn patterns<T: TestFloat>() {
    if std::mem::size_of::<T>() != 2 || cfg!(miri) {
        return;
    }
    let x: Vec<T> = (0..=u16::MAX).map(|b| T::from_bits_u64(b.into())).collect();
    let mut out = vec![T::from_f64(0.0); x.len()];
    // Under emulation, the three bodies (bias + ReLU, PReLU, and
    // bias + Leaky ReLU with the default alpha).
    let families = if emulated() { 3 } else { usize::MAX };
    for f in Family::<T>::all().into_iter().take(families) {
        for p in f.params() {
            for inner in [1, x.len()] {
                check(&serial_paths(), f, &x, &[p], inner, &mut out);
            }
        }
    }
}

/// Bad input panics with a message naming it, before anything is
/// written, on every path and form. (Not under Miri: the checks come
/// before any unsafe code.)
fn rejects<T: TestFloat>() {
    if cfg!(miri) {
        return;
    }
    let nan = T::specials()[0];
    let inf = T::specials()
        .into_iter()
        .find(|v| !v.is_finite_() && !v.is_nan_())
        .unwrap();
    let one = T::from_f64(1.0);
    let x: Vec<T> = (0..12).map(|i| T::from_f64(i as f64 - 6.0)).collect();
    // (family, params, inner, output length, what the message says)
    let mut cases = vec![
        (Family::BiasRelu, vec![one, nan], 1, 12, "bias[1] = NaN"),
        (Family::Prelu, vec![inf, one], 1, 12, "slopes[0] = inf"),
        (
            Family::BiasLeakyRelu(one),
            vec![one, inf],
            1,
            12,
            "bias[1] = inf",
        ),
        (
            Family::BiasLeakyRelu(nan),
            vec![one],
            1,
            12,
            "alpha must be finite",
        ),
        (
            Family::BiasRelu,
            vec![one; 5],
            1,
            12,
            "length 12, channels 5, inner 1",
        ),
        (
            Family::Prelu,
            vec![one; 2],
            5,
            12,
            "length 12, channels 2, inner 5",
        ),
        (Family::BiasRelu, vec![one; 2], 0, 12, "inner 0"),
        (Family::Prelu, vec![], 1, 12, "channels 0"),
        // Two faults: every path names the same one, the scalar
        // parameters first, then the layout, then the slice.
        (
            Family::BiasLeakyRelu(nan),
            vec![one, nan],
            1,
            12,
            "alpha must be finite",
        ),
        (
            Family::Prelu,
            vec![nan; 5],
            1,
            12,
            "length 12, channels 5, inner 1",
        ),
    ];
    cases.push((
        Family::BiasRelu,
        vec![one; 3],
        2,
        6,
        "x.len() = 12, y.len() = 6",
    ));
    for path in paths() {
        for (f, p, inner, n, says) in &cases {
            for in_place in [true, false] {
                if *n != x.len() && in_place {
                    continue;
                }
                let mut out = vec![T::from_f64(7.0); *n];
                let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    if in_place {
                        // `call` copies `x` first; the in-place forms are
                        // called on `x` itself here, so nothing is copied.
                        let mut buf = x.clone();
                        let r =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match *f {
                                Family::BiasRelu => {
                                    via!(path, bias_relu_inplace(&mut buf, p, *inner))
                                }
                                Family::BiasLeakyRelu(a) => {
                                    via!(path, bias_leaky_relu_inplace(&mut buf, p, *inner, a))
                                }
                                Family::Prelu => via!(path, prelu_inplace(&mut buf, p, *inner)),
                            }));
                        assert!(
                            buf.iter().zip(&x).all(|(a, b)| same(*a, *b)),
                            "{path:?} {f:?} wrote before panicking"
                        );
                        if let Err(e) = r {
                            std::panic::resume_unwind(e);
                        }
                    } else {
                        call(path, *f, &x, p, *inner, &mut out, false);
                    }
                }));
                let Err(e) = got else {
                    panic!("{path:?} {f:?} (in place: {in_place}) accepted {says:?}")
                };
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| e.downcast_ref::<&str>().unwrap().to_string());
                assert!(
                    msg.contains(says),
                    "{path:?} {f:?}: {msg:?} does not say {says:?}"
                );
                assert!(
                    out.iter().all(|v| v.to_f64() == 7.0),
                    "{path:?} {f:?} wrote before panicking"
                );
            }
        }
    }
}

test_each_type!(shapes, large, patterns, rejects);
