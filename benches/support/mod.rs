//! What the criterion benches and the throughput report share: inputs, the
//! timing loop and the table of paths of every op, for every element type.
#![allow(dead_code)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use relu_kernels::__forms::{FORMS, Form, SliceFn, Via, slice_fn};
use relu_kernels::half::{bf16, f16};
use relu_kernels::{Element, Kernels, Level, Threading};

/// An element type the measurements run on.
pub trait Float: Element + Copy + Send + Sync + 'static {
    /// Its name in reports and `--dtype`.
    const NAME: &'static str;
    /// `x` rounded to the type (test data, so any rounding will do).
    fn from_f32(x: f32) -> Self;
    /// The Leaky ReLU slope the measurements use: 0.01 in the type.
    fn alpha() -> Self;
}

macro_rules! float {
    ($t:ty, $name:literal, $from:expr, $alpha:expr) => {
        impl Float for $t {
            const NAME: &'static str = $name;
            fn from_f32(x: f32) -> Self {
                $from(x)
            }
            fn alpha() -> Self {
                $alpha
            }
        }
    };
}

float!(f32, "f32", |x| x, 0.01);
float!(f64, "f64", f64::from, 0.01);
float!(f16, "f16", f16::from_f32, f16::from_f32(0.01));
float!(bf16, "bf16", bf16::from_f32, bf16::from_f32(0.01));

/// Every element type, by name.
pub const DTYPES: [&str; 4] = ["f32", "f64", "f16", "bf16"];

pub mod sizes;
pub use sizes::{KI, MI};

/// L1, L2, L3, DRAM, DRAM.
pub const SIZES: [usize; 5] = [4 * KI, 64 * KI, MI, 16 * MI, 64 * MI];

/// The in-place ops, by name: every op of the crate's list that reads
/// only the buffer it updates.
pub fn ops() -> Vec<&'static str> {
    FORMS
        .iter()
        .filter(|f| f.in_place() && f.inputs.is_empty())
        .map(|f| f.family)
        .collect()
}

/// The two-slice ops, by name: each reads a source (or `x`, or the
/// forward output) and writes a destination (or `grad`); the in-place
/// backward passes by their op's name, the `_into` forms by their own.
/// The `_into` backward passes also read a `dy` of their own, which their
/// closures hold.
pub fn pair_ops() -> Vec<&'static str> {
    FORMS
        .iter()
        .filter(|f| !f.inputs.is_empty())
        .map(|f| if f.in_place() { f.family } else { f.name })
        .collect()
}

/// Calls between restores of the input for the ops that change their
/// output when applied again: repeated Leaky ReLU (forward or backward)
/// shrinks the negatives by alpha each time, and after about 19 passes they
/// would be subnormal (slow on some CPUs); 8 passes stay far from that.
pub const CALLS_PER_RESTORE: u64 = 8;

/// Whether `op` must have its input restored between calls. The others
/// reach a fixed point after one call whose cost does not depend on the
/// values (every kernel is branch-free), so they run back to back.
pub fn needs_restore(op: &str) -> bool {
    matches!(op, "leaky_relu" | "leaky_relu_backward")
}

/// Deterministic values in [-4, 4): half negative, no zeros, nothing
/// special.
fn values(n: usize) -> impl Iterator<Item = f32> {
    let mut s = 0x2545_f491_4f6c_dd1du64;
    (0..n).map(move |_| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        ((s >> 40) as f32 / (1u64 << 24) as f32) * 8.0 - 4.0 + 1e-3
    })
}

/// The input of every measurement.
pub fn input<T: Float>(n: usize) -> Vec<T> {
    values(n).map(T::from_f32).collect()
}

/// The source (or forward input `x`) of the two-slice ops: the input
/// halved and shifted up by one, so that it differs from the destination.
pub fn source<T: Float>(n: usize) -> Vec<T> {
    values(n).map(|x| T::from_f32(x * 0.5 + 1.0)).collect()
}

/// Times `iters` calls of `f` on `buf`, first restoring `buf` from `init`
/// (untimed), and again every [`CALLS_PER_RESTORE`] calls if `restore`.
pub fn timed<T: Float>(
    iters: u64,
    init: &[T],
    buf: &mut [T],
    restore: bool,
    f: &mut impl FnMut(&mut [T]),
) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        buf.copy_from_slice(init);
        let k = if restore {
            CALLS_PER_RESTORE.min(iters - done)
        } else {
            iters - done
        };
        let t = Instant::now();
        for _ in 0..k {
            f(black_box(&mut *buf));
        }
        total += t.elapsed();
        done += k;
    }
    total
}

/// Like [`timed`], but each call comes after `gap` of busy work on the
/// calling thread (untimed), as a program's calls come between other
/// computations: this measures a call that finds the pool as such a
/// program leaves it, where `timed` measures calls back to back.
pub fn timed_after_gap<T: Float>(
    iters: u64,
    init: &[T],
    buf: &mut [T],
    restore: bool,
    gap: Duration,
    f: &mut impl FnMut(&mut [T]),
) -> Duration {
    let mut total = Duration::ZERO;
    for done in 0..iters {
        if done == 0 || (restore && done.is_multiple_of(CALLS_PER_RESTORE)) {
            buf.copy_from_slice(init);
        }
        let until = Instant::now() + gap;
        while Instant::now() < until {
            std::hint::spin_loop();
        }
        let t = Instant::now();
        f(black_box(&mut *buf));
        total += t.elapsed();
    }
    total
}

/// An in-place op on a buffer.
pub type InPlaceFn<T> = Box<dyn FnMut(&mut [T])>;
/// A two-slice op on (source or `x`, destination or `grad`).
pub type PairFn<T> = Box<dyn FnMut(&[T], &mut [T])>;
/// One path of an in-place op.
pub type InPlace<T> = (&'static str, InPlaceFn<T>);
/// One path of a two-slice op.
pub type Pair<T> = (&'static str, PairFn<T>);

/// The four paths that go through `Kernels`: the portable `wide` kernel,
/// the dispatched kernel (`simd`), the parallel driver (`par`) and the size
/// switch of the root functions. The `scalar` path is the `scalar` module.
pub fn kernel_paths() -> [(&'static str, Kernels); 4] {
    let active = Level::active();
    let k = |level, threading| Kernels::new(level, threading).expect("supported level");
    [
        ("portable", k(Level::Portable, Threading::Serial)),
        ("simd", k(active, Threading::Serial)),
        ("par", k(active, Threading::Parallel)),
        ("root", k(active, Threading::Auto)),
    ]
}

/// The form a measured op name stands for: the `_into` forms by their
/// own names, the in-place forms by their op's.
fn form(op: &str) -> &'static Form {
    if op.ends_with("_into") {
        Form::named(op)
    } else {
        Form::named(&format!("{op}_inplace"))
    }
}

/// The parameters of `form` in a measurement: `alpha`, if it takes one;
/// the bounds -1 and 1, if it takes bounds.
fn params<T: Float>(form: &Form) -> Vec<T> {
    match form.params {
        ["lo", "hi"] => vec![T::from_f32(-1.0), T::from_f32(1.0)],
        _ => form.params.iter().map(|_| T::alpha()).collect(),
    }
}

/// Every crate path of the in-place op `op`: `scalar`, then
/// [`kernel_paths`].
pub fn inplace_paths<T: Float>(op: &str) -> Vec<InPlace<T>> {
    let form = form(op);
    assert!(form.inputs.is_empty(), "{op} is not an in-place op");
    let vias = [("scalar", Via::Scalar)]
        .into_iter()
        .chain(kernel_paths().map(|(name, k)| (name, Via::Kernels(k))));
    vias.map(
        |(name, via)| match slice_fn::<T>(via, form.id, &params(form)) {
            SliceFn::Unary(f) => (name, f as InPlaceFn<T>),
            _ => unreachable!("an in-place op reads one buffer"),
        },
    )
    .collect()
}

/// The ceiling: the cheapest in-place pass (load, XOR with a hidden zero,
/// store) through the same driver, on one thread and on all of them.
pub fn ceiling_paths<T: Float>() -> Vec<InPlace<T>> {
    let serial = Kernels::serial();
    let parallel = Kernels::parallel();
    let zero = T::from_f32(0.0);
    vec![
        (
            "ceiling-1t",
            Box::new(move |b| serial.touch_inplace(b, black_box(zero))),
        ),
        (
            "ceiling-par",
            Box::new(move |b| parallel.touch_inplace(b, black_box(zero))),
        ),
    ]
}

/// The two-slice ceiling: the cheapest pass that reads `x` and `grad` and
/// writes `grad` (XOR with a hidden zero), on one thread and on all.
pub fn pair_ceiling_paths<T: Float>() -> Vec<Pair<T>> {
    let serial = Kernels::serial();
    let parallel = Kernels::parallel();
    let zero = T::from_f32(0.0);
    vec![
        (
            "ceiling-1t",
            Box::new(move |x, g| serial.touch_pair(x, g, black_box(zero))),
        ),
        (
            "ceiling-par",
            Box::new(move |x, g| parallel.touch_pair(x, g, black_box(zero))),
        ),
    ]
}

/// Every crate path but `portable` of the two-slice op `op`: `scalar`,
/// then [`kernel_paths`].
pub fn pair_paths<T: Float>(op: &str) -> Vec<Pair<T>> {
    let mut v: Vec<Pair<T>> = vec![("scalar", pair_fn(op, Via::Scalar))];
    for (name, k) in kernel_paths().into_iter().filter(|p| p.0 != "portable") {
        v.push((name, pair_fn(op, Via::Kernels(k))));
    }
    v
}

/// The two-slice op `op` through `via`: on (source or `x`, destination or
/// `grad`), and for the backward passes into a third slice with a `dy` of
/// their own.
fn pair_fn<T: Float>(op: &str, via: Via) -> PairFn<T> {
    let form = form(op);
    match slice_fn::<T>(via, form.id, &params(form)) {
        SliceFn::Binary(f) => f,
        SliceFn::Ternary(f) => {
            // `dy`: the input, made on the first call of each length (the
            // report's warm-up call), outside the timed calls after it.
            let mut dy: Vec<T> = Vec::new();
            Box::new(move |x: &[T], dx: &mut [T]| {
                if dy.len() != x.len() {
                    dy = input(x.len());
                }
                f(x, &dy, dx)
            })
        }
        SliceFn::Unary(_) => panic!("{op} is not a two-slice op"),
    }
}

/// Who calls the crate in a measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The program's main thread, outside rayon's pool: how programs call
    /// the crate, and the default.
    Main,
    /// One of the global pool's workers (`--in-pool`): the case of code
    /// that already runs inside a rayon pool. The main thread joins the
    /// pool, so no third thread waits on two cores.
    InPool,
}

impl Caller {
    /// Sets the global pool up for this caller; call once, before any
    /// parallel call.
    pub fn set_up(self) {
        if self == Caller::InPool {
            rayon::ThreadPoolBuilder::new()
                .use_current_thread()
                .build_global()
                .expect("the global rayon pool is not built yet");
        }
    }

    /// How reports name the caller.
    pub fn label(self) -> &'static str {
        match self {
            Caller::Main => "the main thread, outside rayon's pool",
            Caller::InPool => "a worker of rayon's pool (--in-pool)",
        }
    }

    /// The short name CSV rows carry.
    pub fn name(self) -> &'static str {
        match self {
            Caller::Main => "main",
            Caller::InPool => "in-pool",
        }
    }
}
