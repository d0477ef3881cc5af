//! The shared harness: every implementation of every op, run against the
//! scalar reference and compared bit for bit.
#![allow(dead_code)]

use relu_kernels::__forms::{FORMS, Form, elem, slice_fn};
use relu_kernels::{ALL_LEVELS, Element, Kernels, Threading};

/// What the tests need of an element type beyond the crate's `Element`.
pub trait TestFloat: Element + Copy + PartialEq + std::fmt::Debug + 'static {
    const NAME: &'static str;
    fn bits(self) -> u64;
    fn from_f64(x: f64) -> Self;
    fn to_f64(self) -> f64;
    fn is_nan_(self) -> bool;
    fn is_finite_(self) -> bool;
    /// Values that have broken SIMD kernels before: NaNs of both signs and
    /// several payloads, signed zeros, infinities, subnormals, extremes.
    fn specials() -> Vec<Self>;
    fn from_bits_u64(b: u64) -> Self;
}

macro_rules! test_float {
    ($t:ty, $bits:ty, $name:literal) => {
        impl TestFloat for $t {
            const NAME: &'static str = $name;
            fn bits(self) -> u64 {
                self.to_bits() as u64
            }
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn is_nan_(self) -> bool {
                self.is_nan()
            }
            fn is_finite_(self) -> bool {
                self.is_finite()
            }
            fn from_bits_u64(b: u64) -> Self {
                <$t>::from_bits(b as $bits)
            }
            fn specials() -> Vec<Self> {
                let nan = <$t>::NAN.to_bits();
                let sign = (-0.0 as $t).to_bits();
                let quiet_bit = (<$t>::NAN.to_bits() >> 1) & !(<$t>::INFINITY.to_bits() >> 1);
                let signalling = <$t>::INFINITY.to_bits() | 1;
                vec![
                    <$t>::NAN,
                    <$t>::from_bits(nan | sign),
                    <$t>::from_bits(nan | 0x5a5),
                    <$t>::from_bits(nan | sign | 0x3),
                    <$t>::from_bits(signalling),
                    <$t>::from_bits(signalling | sign | quiet_bit >> 1),
                    0.0,
                    -0.0,
                    <$t>::INFINITY,
                    <$t>::NEG_INFINITY,
                    <$t>::MIN_POSITIVE,
                    -<$t>::MIN_POSITIVE,
                    <$t>::from_bits(1),
                    <$t>::from_bits(1 | sign),
                    <$t>::MIN_POSITIVE / 3.0,
                    -<$t>::MIN_POSITIVE / 3.0,
                    <$t>::MAX,
                    <$t>::MIN,
                    <$t>::EPSILON,
                    -<$t>::EPSILON,
                    1.0,
                    -1.0,
                ]
            }
        }
    };
}

test_float!(f32, u32, "f32");
test_float!(f64, u64, "f64");

/// The 16-bit formats: `$inf` is the pattern of `+inf`, `$quiet` the quiet
/// bit of its NaNs.
#[cfg(feature = "half")]
macro_rules! test_half {
    ($t:ty, $name:literal, inf: $inf:literal, quiet: $quiet:literal) => {
        impl TestFloat for $t {
            const NAME: &'static str = $name;
            fn bits(self) -> u64 {
                self.to_bits() as u64
            }
            fn from_f64(x: f64) -> Self {
                // Test values, not an oracle: the rounding does not matter.
                <$t>::from_f32(x as f32)
            }
            fn to_f64(self) -> f64 {
                self.to_f64()
            }
            fn is_nan_(self) -> bool {
                self.is_nan()
            }
            fn is_finite_(self) -> bool {
                self.is_finite()
            }
            fn from_bits_u64(b: u64) -> Self {
                <$t>::from_bits(b as u16)
            }
            fn specials() -> Vec<Self> {
                let (inf, quiet, sign) = ($inf as u16, $quiet as u16, 0x8000u16);
                let max = inf - 1; // the largest finite magnitude
                [
                    inf | quiet,
                    inf | quiet | sign,
                    inf | quiet | 0x15,
                    inf | quiet | sign | 0x3,
                    inf | 1,
                    inf | sign | (quiet >> 1),
                    0,
                    sign,
                    inf,
                    inf | sign,
                    <$t>::MIN_POSITIVE.to_bits(),
                    <$t>::MIN_POSITIVE.to_bits() | sign,
                    1,
                    1 | sign,
                    <$t>::MIN_POSITIVE.to_bits() - 1,
                    (<$t>::MIN_POSITIVE.to_bits() - 1) | sign,
                    max,
                    max | sign,
                    <$t>::EPSILON.to_bits(),
                    <$t>::EPSILON.to_bits() | sign,
                    <$t>::ONE.to_bits(),
                    <$t>::ONE.to_bits() | sign,
                ]
                .into_iter()
                .map(<$t>::from_bits)
                .collect()
            }
        }
    };
}

#[cfg(feature = "half")]
test_half!(half::f16, "f16", inf: 0x7c00, quiet: 0x0200);
#[cfg(feature = "half")]
test_half!(half::bf16, "bf16", inf: 0x7f80, quiet: 0x0040);

/// Equal bits, or both NaN (any NaN is acceptable for a NaN output).
pub fn same<T: TestFloat>(a: T, b: T) -> bool {
    a.bits() == b.bits() || (a.is_nan_() && b.is_nan_())
}

/// Whether the tests run under an emulator (`.ci/aarch64` runs them under
/// qemu and names it in `RELU_KERNELS_TEST_RUNNER`). There the slowest
/// tests take fewer sizes and alphas through the same code paths.
pub fn emulated() -> bool {
    std::env::var_os("RELU_KERNELS_TEST_RUNNER").is_some()
}

/// The alphas every alpha-taking op is checked with: each of the AVX2
/// Leaky ReLU bodies (zero; at most 1, negative ones included; above 1)
/// and the edges between them. Under Miri and emulation the last three are
/// left out: the levels those run have one body for every alpha.
pub fn alphas<T: TestFloat>() -> Vec<T> {
    let all = [0.01, 0.0, -0.5, 1.5, 0.2, 1e-30, -0.0, 1.0, -3.0, -1.0];
    let n = if cfg!(miri) || emulated() {
        6
    } else {
        all.len()
    };
    all[..n].iter().map(|&a| T::from_f64(a)).collect()
}

/// Clamp's bounds `(lo, hi)` every bounded op is checked with: ordinary,
/// ReLU's and ReLU6's, infinite, equal (zeros of both signs among them,
/// where `hi` wins), subnormal and beyond the largest finite value. Under
/// Miri and emulation the first five.
pub fn bounds<T: TestFloat>() -> Vec<(T, T)> {
    let inf = f64::INFINITY;
    let all = [
        (-1.0, 1.0),
        (0.0, 6.0),
        (0.0, inf),
        (-inf, inf),
        (-0.0, 0.0),
        (0.0, -0.0),
        (1.5, 1.5),
        (-inf, -inf),
        (inf, inf),
        (-2.0, -0.5),
        (-1e-300, 1e300),
    ];
    let n = if cfg!(miri) || emulated() {
        5
    } else {
        all.len()
    };
    all[..n]
        .iter()
        .map(|&(lo, hi)| (T::from_f64(lo), T::from_f64(hi)))
        .collect()
}

/// One public function of the crate, with its parameters: a form of the
/// crate's op list.
#[derive(Clone, Copy)]
pub struct OpCase<T> {
    pub form: &'static Form,
    params: [T; 2],
}

impl<T: TestFloat> std::fmt::Debug for OpCase<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.form.name)?;
        if !self.form.params.is_empty() {
            let values = self.form.params.iter().zip(self.params);
            let list: Vec<String> = values.map(|(n, v)| format!("{n} = {v:?}")).collect();
            write!(f, "({})", list.join(", "))?;
        }
        Ok(())
    }
}

impl<T: TestFloat> OpCase<T> {
    /// The function called `name`, with `alpha` if it takes one (a
    /// bounded op takes the bounds [`OpCase::all`] makes of it).
    pub fn with(name: &str, alpha: T) -> OpCase<T> {
        OpCase::of(Form::named(name), alpha)
    }

    /// The function called `name`, which takes no parameter.
    pub fn named(name: &str) -> OpCase<T> {
        let form = Form::named(name);
        assert!(form.params.is_empty(), "{name} takes parameters");
        OpCase::of(form, T::from_f64(0.0))
    }

    /// The bounded function called `name`, with the bounds `lo`, `hi`.
    pub fn bounded(name: &str, lo: T, hi: T) -> OpCase<T> {
        let form = Form::named(name);
        assert_eq!(form.params, ["lo", "hi"], "{name} takes no bounds");
        OpCase {
            form,
            params: [lo, hi],
        }
    }

    fn of(form: &'static Form, alpha: T) -> OpCase<T> {
        // Bounds from `alpha`: `lo = -|alpha|`, `hi = 2 |alpha|` (unequal,
        // so that swapping them shows; `-0.0` and `+0.0` for a zero).
        let magnitude = alpha.to_f64().abs();
        let params = match form.params.len() {
            2 => [T::from_f64(-magnitude), T::from_f64(2.0 * magnitude)],
            _ => [alpha, alpha],
        };
        OpCase { form, params }
    }

    /// Every op, the alpha-taking ones with `alpha`, the bounded ones with
    /// bounds made of it.
    pub fn all(alpha: T) -> Vec<OpCase<T>> {
        FORMS.iter().map(|f| OpCase::of(f, alpha)).collect()
    }

    /// Every op, as [`OpCase::all`]; under Miri, which is there to check
    /// the unsafe code, the ops that reach all of it: the loops and the
    /// driver are one generic code for every op of an arity, so one form of
    /// each arity and direction, and the forms whose bodies prepare a
    /// parameter (`alpha`, the bounds).
    pub fn all_miri_sized(alpha: T) -> Vec<OpCase<T>> {
        OpCase::representative(alpha, cfg!(miri))
    }

    /// The ops a test of the parallel driver runs: as
    /// [`OpCase::all_miri_sized`], and under emulation too, where the
    /// exhaustive sweep covers every op's kernels.
    pub fn all_driver_sized(alpha: T) -> Vec<OpCase<T>> {
        OpCase::representative(alpha, cfg!(miri) || emulated())
    }

    /// Every op, or where `few` the representative ones.
    fn representative(alpha: T, few: bool) -> Vec<OpCase<T>> {
        const FEW: [&str; 7] = [
            "relu_inplace",
            "leaky_relu_into",
            "clamp_inplace",
            "leaky_relu_backward_inplace",
            "clamp_backward_inplace",
            "relu_backward_into",
            "clamp_backward_into",
        ];
        let mut v = OpCase::all(alpha);
        if few {
            v.retain(|op| FEW.contains(&op.form.name));
        }
        v
    }

    /// Whether the op is a backward pass (its second input is `dy`).
    pub fn backward(self) -> bool {
        self.form.backward
    }

    /// Every bounded op with every test pair of [`bounds`].
    pub fn all_bounds() -> Vec<OpCase<T>> {
        let mut v = Vec::new();
        for (lo, hi) in bounds::<T>() {
            for form in FORMS.iter().filter(|f| f.params.len() == 2) {
                v.push(OpCase::bounded(form.name, lo, hi));
            }
        }
        v
    }

    /// Every op with every test alpha, and every bounded op with every
    /// test pair of bounds.
    pub fn all_alphas() -> Vec<OpCase<T>> {
        let mut v = Vec::new();
        for (i, a) in alphas::<T>().into_iter().enumerate() {
            for op in OpCase::all(a) {
                if (i == 0 && op.form.params.is_empty()) || op.alpha().is_some() {
                    v.push(op);
                }
            }
        }
        v.extend(OpCase::all_bounds());
        v
    }

    /// The op's `alpha`, if it takes one (and no other parameter).
    pub fn alpha(self) -> Option<T> {
        (self.form.params.len() == 1).then_some(self.params[0])
    }

    /// Whether the op reads two slices (`src`, `dst`) rather than one.
    pub fn two_slices(self) -> bool {
        !self.form.inputs.is_empty()
    }

    /// Whether the op writes a third slice (its inputs are `x` and `dy`).
    pub fn three_slices(self) -> bool {
        self.form.inputs.len() == 2
    }

    /// The parameters after the output.
    pub fn params(self) -> Vec<T> {
        self.params[..self.form.params.len()].to_vec()
    }
}

/// One way of running the ops: a module's free functions or a `Kernels`.
pub use relu_kernels::__forms::Via as Path;

/// Every path this build and CPU can run: the modules, and `Kernels` at
/// every supported level with every threading mode (under Miri, which is
/// slow, only the serial one: the modules cover the others).
pub fn paths() -> Vec<Path> {
    let mut v = vec![Path::Scalar, Path::Simd, Path::Root];
    #[cfg(feature = "rayon")]
    v.push(Path::Par);
    let threadings: &[Threading] = if cfg!(miri) {
        &[Threading::Serial]
    } else {
        &[Threading::Serial, Threading::Parallel, Threading::Auto]
    };
    for level in ALL_LEVELS {
        for &threading in threadings {
            if let Some(k) = Kernels::new(level, threading) {
                v.push(Path::Kernels(k));
            }
        }
    }
    v
}

/// Runs `op` through `path`: `src` is only read, `dst` receives the result
/// (in-place ops work on `dst` and ignore `src`). The backward passes into a
/// third slice read `dy` from a copy of `dst` and write `dst`, so every
/// backward pass computes the same thing from the same buffers.
pub fn run<T: TestFloat>(path: Path, op: OpCase<T>, src: &[T], dst: &mut [T]) {
    let f = slice_fn::<T>(path, op.form.id, &op.params());
    let dy = if op.three_slices() {
        dst.to_vec()
    } else {
        Vec::new()
    };
    f.call(&[src, &dy][..op.form.inputs.len()], dst);
}

/// The expected result of `op` for one element, from the scalar element
/// functions (independent of the slice loops under test).
pub fn expect<T: TestFloat>(op: OpCase<T>, x: T, y: T) -> T {
    elem(op.form.id, &[x, y][..op.form.inputs.len()], y, &op.params())
}

/// Runs `op` through `path` on `src`/`dst` and panics with the first
/// differing element unless every element has the reference's bits. The
/// slices are left as the path wrote them.
pub fn check<T: TestFloat>(path: Path, op: OpCase<T>, src: &[T], dst: &mut [T], what: &str) {
    let before: Vec<T> = dst.to_vec();
    run(path, op, src, dst);
    for i in 0..dst.len() {
        let want = expect(op, src[i], before[i]);
        if !same(dst[i], want) {
            panic!(
                "{what}: {path:?} {op:?} on {}: element {i} of {}: x = {:?}, y = {:?}: \
                 got {:?} ({:#x}), want {:?} ({:#x})",
                T::NAME,
                dst.len(),
                src[i],
                before[i],
                dst[i],
                dst[i].bits(),
                want,
                want.bits()
            );
        }
    }
}

/// A tiny deterministic generator for fillers, so failures reproduce.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    /// An ordinary value in [-4, 4), never zero.
    pub fn ordinary<T: TestFloat>(&mut self) -> T {
        let u = (self.next() % 8000) as f64 / 1000.0 - 4.0;
        T::from_f64(if u == 0.0 { 0.5 } else { u })
    }
}

/// A buffer whose element `base` is 64-byte aligned, so that a sub-slice at
/// offset `k` from it has a known misalignment.
pub struct Aligned<T> {
    buf: Vec<T>,
    base: usize,
}

impl<T: TestFloat> Aligned<T> {
    pub fn new(len: usize) -> Self {
        let size = std::mem::size_of::<T>();
        let buf = vec![T::from_f64(0.0); len + 64 / size + 16];
        let base = (buf.as_ptr() as usize).next_multiple_of(64) - buf.as_ptr() as usize;
        Aligned {
            buf,
            base: base / size,
        }
    }
    /// `len` elements starting `offset` elements past the aligned base.
    pub fn at(&mut self, offset: usize, len: usize) -> &mut [T] {
        &mut self.buf[self.base + offset..self.base + offset + len]
    }
}

/// One `#[test]` per element type for each generic test listed (each a
/// `fn name<T: TestFloat>()` of the file that invokes this): modules `f32`,
/// `f64` and, with the `half` feature, `f16` and `bf16`, each holding a
/// test of every name (`f32::name`, ...).
#[allow(unused_macros)]
macro_rules! test_each_type {
    ($($test:ident),+ $(,)?) => {
        mod f32 {
            $(#[test] fn $test() { super::$test::<f32>() })+
        }
        mod f64 {
            $(#[test] fn $test() { super::$test::<f64>() })+
        }
        #[cfg(feature = "half")]
        mod f16 {
            $(#[test] fn $test() { super::$test::<half::f16>() })+
        }
        #[cfg(feature = "half")]
        mod bf16 {
            $(#[test] fn $test() { super::$test::<half::bf16>() })+
        }
    };
}
#[allow(unused_imports)]
pub(crate) use test_each_type;

/// Blocks every worker of the global pool until the returned guard drops.
#[cfg(feature = "rayon")]
pub fn block_the_pool() -> std::sync::RwLockWriteGuard<'static, ()> {
    // Leaked, so that the guard can be 'static; one small lock per test.
    let gate: &'static std::sync::RwLock<()> = Box::leak(Box::new(std::sync::RwLock::new(())));
    let closed = gate.write().unwrap();
    let workers = rayon::current_num_threads();
    let started = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..workers {
        let started = std::sync::Arc::clone(&started);
        rayon::spawn(move || {
            started.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            // A poisoned gate (a test failed) opens too.
            drop(gate.read().unwrap_or_else(|e| e.into_inner()));
        });
    }
    while started.load(std::sync::atomic::Ordering::SeqCst) < workers {
        std::thread::yield_now();
    }
    closed
}

/// Waits until every worker has run every job queued so far.
#[cfg(feature = "rayon")]
pub fn drain_the_pool() {
    let workers = rayon::current_num_threads();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(workers + 1));
    for _ in 0..workers {
        let barrier = std::sync::Arc::clone(&barrier);
        rayon::spawn(move || {
            barrier.wait();
        });
    }
    barrier.wait();
}
