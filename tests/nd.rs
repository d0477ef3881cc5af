//! `relu_kernels::nd`: every function, element type and layout against the
//! scalar reference applied element by element, bit for bit (any NaN for a
//! NaN); the shape and alpha checks; the parallel lane walk.
#![cfg(feature = "ndarray")]

#[path = "nd/channels.rs"]
mod channels;
mod common;

use common::*;
use ndarray::{
    Array2, ArrayBase, ArrayD, ArrayViewD, ArrayViewMutD, Axis, IxDyn, RawData, ShapeBuilder,
    Slice, s,
};
use relu_kernels::nd;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// How an array of a given shape lies in memory: a view of a parent array.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    C,
    F,
    /// A C-order array of the reversed shape, transposed (`.t()`).
    Transposed,
    /// `s![..;k, ..]` of a C-order parent.
    StepFirst(isize),
    /// `s![.., ..;k]` of a C-order parent.
    StepLast(isize),
    /// `s![..;k, ..]` of a Fortran-order parent.
    FStepFirst(isize),
    /// Every axis reversed: contiguous, with negative strides.
    Reversed,
    /// A parent whose first axis has length 1, broadcast (stride 0; read
    /// only, so inputs only).
    Broadcast,
}

use Layout::*;

/// The layouts of the written array.
const OUT_LAYOUTS: [Layout; 9] = [
    C,
    F,
    Transposed,
    StepFirst(2),
    StepLast(3),
    StepFirst(-1),
    StepLast(-2),
    FStepFirst(2),
    Reversed,
];

/// The layouts of the read arrays: the same and broadcast.
const IN_LAYOUTS: [Layout; 10] = [
    C,
    F,
    Transposed,
    StepFirst(2),
    StepLast(3),
    StepFirst(-1),
    StepLast(-2),
    FStepFirst(2),
    Reversed,
    Broadcast,
];

/// The shapes every case runs on: 0-d, empty, 1-d, 2-d, 4-d.
const SHAPES: [&[usize]; 7] = [
    &[],
    &[0, 3],
    &[4, 0],
    &[37],
    &[5, 7],
    &[2, 3, 4, 5],
    &[1, 9],
];

/// An array of `shape` laid out as `layout` in a parent array.
struct Laid<T> {
    parent: ArrayD<T>,
    shape: Vec<usize>,
    layout: Layout,
}

impl<T: TestFloat> Laid<T> {
    fn new(layout: Layout, shape: &[usize]) -> Self {
        let zero = T::from_f64(0.0);
        let n = shape.len();
        let mut p = shape.to_vec();
        let parent = match layout {
            _ if n == 0 => ArrayD::from_elem(IxDyn(&p), zero),
            F => ArrayD::from_elem(IxDyn(&p).f(), zero),
            Transposed => {
                p.reverse();
                ArrayD::from_elem(IxDyn(&p), zero)
            }
            StepFirst(k) => {
                p[0] *= k.unsigned_abs();
                ArrayD::from_elem(IxDyn(&p), zero)
            }
            StepLast(k) => {
                p[n - 1] *= k.unsigned_abs();
                ArrayD::from_elem(IxDyn(&p), zero)
            }
            FStepFirst(k) => {
                p[0] *= k.unsigned_abs();
                ArrayD::from_elem(IxDyn(&p).f(), zero)
            }
            Broadcast => {
                p[0] = 1;
                ArrayD::from_elem(IxDyn(&p), zero)
            }
            C | Reversed => ArrayD::from_elem(IxDyn(&p), zero),
        };
        Laid {
            parent,
            shape: shape.to_vec(),
            layout,
        }
    }

    fn lay<S: RawData<Elem = T>>(
        layout: Layout,
        mut a: ArrayBase<S, IxDyn>,
    ) -> ArrayBase<S, IxDyn> {
        let n = a.ndim();
        if n == 0 {
            return a;
        }
        match layout {
            Transposed => a = a.reversed_axes(),
            StepFirst(k) | FStepFirst(k) => a.slice_axis_inplace(Axis(0), Slice::new(0, None, k)),
            StepLast(k) => a.slice_axis_inplace(Axis(n - 1), Slice::new(0, None, k)),
            Reversed => (0..n).for_each(|i| a.invert_axis(Axis(i))),
            C | F | Broadcast => {}
        }
        a
    }

    fn view(&self) -> ArrayViewD<'_, T> {
        let v = if self.layout == Broadcast && !self.shape.is_empty() {
            self.parent.broadcast(IxDyn(&self.shape)).unwrap()
        } else {
            Self::lay(self.layout, self.parent.view())
        };
        assert_eq!(v.shape(), &self.shape[..], "{:?}", self.layout);
        v
    }

    fn view_mut(&mut self) -> ArrayViewMutD<'_, T> {
        assert!(self.layout != Broadcast, "a broadcast array is read only");
        Self::lay(self.layout, self.parent.view_mut())
    }

    /// Fills the parent (so every element of the view) with specials and
    /// ordinary values.
    fn fill(&mut self, seed: u64) {
        let sp = T::specials();
        let mut rng = Lcg(seed);
        for (i, v) in self.parent.iter_mut().enumerate() {
            *v = if (i as u64 + seed).is_multiple_of(3) {
                sp[(i / 3 + seed as usize) % sp.len()]
            } else {
                rng.ordinary()
            };
        }
    }

    /// The values in logical order.
    fn values(&self) -> Vec<T> {
        self.view().iter().copied().collect()
    }
}

/// Runs `op` through `nd`: in-place ops on `dst`, the `_into` forms from
/// `x` into `dst`, the in-place backward passes from `x` on `dst` (the
/// incoming gradient), the backward passes into a third array from `x` and
/// `dy` into `dst`.
fn run_nd<T: TestFloat, D: ndarray::Dimension>(
    op: OpCase<T>,
    x: &ndarray::ArrayRef<T, D>,
    dy: &ndarray::ArrayRef<T, D>,
    dst: &mut ndarray::ArrayRef<T, D>,
) {
    let ins = [x, dy];
    relu_kernels::__forms::call_nd(op.form.id, &ins[..op.form.inputs.len()], dst, &op.params());
}

/// One case: `op` on arrays of `shape` laid out as `lx` (x or src), `ly`
/// (dy, for the backward passes into a third array) and `ld` (the written
/// array), checked element by element against the reference.
fn check<T: TestFloat>(op: OpCase<T>, shape: &[usize], lx: Layout, ly: Layout, ld: Layout) {
    let mut x = Laid::<T>::new(lx, shape);
    x.fill(1);
    let mut dy = Laid::<T>::new(ly, shape);
    dy.fill(2);
    let mut dst = Laid::<T>::new(ld, shape);
    dst.fill(3);
    let xs = x.values();
    // What the reference takes as `y`: the incoming gradient, which the
    // backward passes into a third array read from `dy` and the others
    // from the written array (the `_into` forms ignore it).
    let ys = if op.three_slices() {
        dy.values()
    } else {
        dst.view_mut().iter().copied().collect()
    };
    run_nd(op, &x.view(), &dy.view(), &mut dst.view_mut());
    let got: Vec<T> = dst.view_mut().iter().copied().collect();
    assert_eq!(got.len(), xs.len());
    for (i, &g) in got.iter().enumerate() {
        let want = expect(op, xs[i], ys[i]);
        assert!(
            same(g, want),
            "{op:?} on {} {shape:?}, x {lx:?}, dy {ly:?}, out {ld:?}: element {i}: \
             x = {:?}, y = {:?}: got {g:?} ({:#x}), want {want:?} ({:#x})",
            T::NAME,
            xs[i],
            ys[i],
            g.bits(),
            want.bits()
        );
    }
}

/// Every op on every shape, with every layout of the written array against
/// every layout of each read one; every test alpha on a few layouts.
fn every_layout<T: TestFloat>() {
    for shape in SHAPES {
        for op in OpCase::all(T::from_f64(0.01)) {
            for ld in OUT_LAYOUTS {
                if !op.two_slices() {
                    check(op, shape, C, C, ld);
                    continue;
                }
                for lx in IN_LAYOUTS {
                    if op.three_slices() {
                        for ly in IN_LAYOUTS {
                            check(op, shape, lx, ly, ld);
                        }
                    } else {
                        check(op, shape, lx, C, ld);
                    }
                }
            }
        }
    }
    for op in OpCase::<T>::all_alphas() {
        for (lx, ly, ld) in [
            (C, C, C),
            (StepFirst(2), Reversed, StepFirst(2)),
            (F, C, StepLast(-2)),
        ] {
            check(op, &[5, 7], lx, ly, ld);
        }
    }
}

test_each_type!(every_layout, bad_calls);

/// Arrays of static dimension (`Array2`, views of it) and their transposes
/// are passed as callers write them.
#[test]
fn static_dimensions_and_views() {
    let x = Array2::from_shape_fn((3, 4), |(i, j)| i as f32 - j as f32 - 0.5);
    let mut y = Array2::<f32>::zeros((4, 3));
    nd::relu_into(&x.t(), &mut y);
    for ((i, j), &v) in y.indexed_iter() {
        assert_eq!(v, x[(j, i)].max(0.0));
    }
    let mut grad = Array2::<f32>::ones((3, 4));
    nd::relu_backward_inplace(&x, &mut grad.view_mut());
    for ((i, j), &v) in grad.indexed_iter() {
        assert_eq!(v, if x[(i, j)] >= 0.0 { 1.0 } else { 0.0 });
    }
    let mut row = x.row(1).to_owned();
    nd::leaky_relu_inplace(&mut row, 0.5);
    assert_eq!(row.to_vec(), [0.5, -0.25, -0.75, -1.25]);
}

thread_local! {
    static EXPECTING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` expecting a panic whose message contains every part of `want`,
/// with the panic hook silenced for it.
fn expect_panic(what: &str, want: &[&str], f: impl FnOnce()) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXPECTING.with(Cell::get) {
                default(info)
            }
        }));
    });
    EXPECTING.with(|e| e.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    EXPECTING.with(|e| e.set(false));
    let err = result.expect_err(&format!("{what}: did not panic"));
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    for w in want {
        assert!(msg.contains(w), "{what}: message {msg:?} lacks {w:?}");
    }
}

fn bits<T: TestFloat>(a: &ArrayD<T>) -> Vec<u64> {
    a.iter().map(|v| v.bits()).collect()
}

/// A shape mismatch panics naming every shape, and writes nothing; so does
/// a non-finite alpha, even on an empty array.
fn bad_calls<T: TestFloat>() {
    let mut x = Laid::<T>::new(C, &[2, 3]);
    x.fill(5);
    let x = x.parent;
    let x6 = ArrayD::from_elem(IxDyn(&[6]), T::from_f64(1.0));
    let mut d = Laid::<T>::new(C, &[3, 2]);
    d.fill(6);
    let mut d = d.parent;
    let before = bits(&d);
    for op in OpCase::all(T::from_f64(0.25)) {
        if !op.two_slices() {
            continue;
        }
        let form = op.form;
        let (xn, dn, dyn_) = (form.inputs[0], form.output, form.inputs.get(1).copied());
        let (xs, ds) = (
            format!("{xn}.shape() = [2, 3]"),
            format!("{dn}.shape() = [3, 2]"),
        );
        expect_panic(&format!("{op:?}"), &[&xs, &ds], || {
            run_nd(op, &x.view(), &x.view(), &mut d.view_mut())
        });
        assert_eq!(bits(&d), before, "{op:?} wrote before panicking");
        if let Some(dyn_) = dyn_ {
            // Only dy differs, and in dimension.
            let mut d23 = ArrayD::from_elem(IxDyn(&[2, 3]), T::from_f64(7.0));
            let b23 = bits(&d23);
            let dys = format!("{dyn_}.shape() = [6]");
            expect_panic(&format!("{op:?} dy"), &[&dys, "[2, 3]"], || {
                run_nd(op, &x.view(), &x6.view(), &mut d23.view_mut())
            });
            assert_eq!(bits(&d23), b23, "{op:?} wrote before panicking");
        }
    }
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let bad = T::from_f64(bad);
        for op in OpCase::all(bad)
            .into_iter()
            .filter(|op| op.alpha().is_some())
        {
            let mut d = Laid::<T>::new(StepLast(2), &[2, 3]);
            d.fill(8);
            let before = d.values();
            let x = Laid::<T>::new(C, &[2, 3]);
            expect_panic(&format!("{op:?}"), &["alpha"], || {
                run_nd(op, &x.view(), &x.view(), &mut d.view_mut())
            });
            let after = d.values();
            assert!(before.iter().zip(&after).all(|(a, b)| a.bits() == b.bits()));
            let mut empty = ArrayD::from_elem(IxDyn(&[0, 4]), T::from_f64(0.0));
            let x = ArrayD::from_elem(IxDyn(&[0, 4]), T::from_f64(0.0));
            expect_panic(&format!("{op:?} empty"), &["alpha"], || {
                run_nd(op, &x.view(), &x.view(), &mut empty.view_mut())
            });
        }
    }
    let (one, nan) = (T::from_f64(1.0), T::from_f64(f64::NAN));
    for (lo, hi) in [(one, T::from_f64(-1.0)), (nan, one), (one, nan)] {
        for name in [
            "clamp_inplace",
            "clamp_into",
            "clamp_backward_inplace",
            "clamp_backward_into",
        ] {
            let op = OpCase::bounded(name, lo, hi);
            let mut d = Laid::<T>::new(StepLast(2), &[2, 3]);
            d.fill(8);
            let before = d.values();
            let x = Laid::<T>::new(C, &[2, 3]);
            expect_panic(&format!("{op:?}"), &["lo <= hi"], || {
                run_nd(op, &x.view(), &x.view(), &mut d.view_mut())
            });
            let after = d.values();
            assert!(before.iter().zip(&after).all(|(a, b)| a.bits() == b.bits()));
        }
    }
}

/// A buffer of `rows` x `cols` specials and ordinary values.
fn big(rows: usize, cols: usize, seed: u64) -> Array2<f32> {
    let sp = f32::specials();
    let mut rng = Lcg(seed);
    Array2::from_shape_fn((rows, cols), |(i, j)| {
        if (i * 31 + j) % 11 == 0 {
            sp[(i + j) % sp.len()]
        } else {
            rng.ordinary()
        }
    })
}

/// Every op on stepped views of a 1024 x 1024 array (4 MiB of `f32` read
/// in place, at the size where the lanes are shared among threads): rows
/// stepped (contiguous lanes), columns stepped (no contiguous lane, element
/// by element), and three long rows, which are cut along the lanes too.
///
/// Under Miri the arrays are 32 times smaller on each side (the long rows
/// 1024 times shorter), still above the size (4 KiB there) from which
/// calls from outside the pool are shared, and each case runs one op (of
/// one, two and three arrays in turn).
fn large_cases() {
    let (k, long) = if cfg!(miri) {
        (32, 1 << 10)
    } else {
        (1, 1 << 20)
    };
    for (case, (what, rows, cols, step, skipped)) in [
        (
            "every other row",
            2048 / k,
            1024 / k,
            s![..;2, ..],
            s![1..;2, ..],
        ),
        (
            "every other column",
            1024 / k,
            2048 / k,
            s![.., ..;2],
            s![.., 1..;2],
        ),
        ("three long rows", 6, long, s![..;2, ..], s![1..;2, ..]),
    ]
    .into_iter()
    .enumerate()
    {
        let x = big(rows, cols, 11);
        let x = x.slice(step);
        let dy = big(rows, cols, 12);
        let dy = dy.slice(step);
        let init = big(rows, cols, 13);
        let xs: Vec<f32> = x.iter().copied().collect();
        // Under Miri, one op for each case, each of another number of
        // arrays.
        let miri_op = [
            OpCase::named("relu_inplace"),
            OpCase::with("leaky_relu_into", 0.25),
            OpCase::named("relu_backward_into"),
        ][case];
        let ops = OpCase::all(0.25f32)
            .into_iter()
            .filter(|op| !cfg!(miri) || format!("{op:?}") == format!("{miri_op:?}"));
        for op in ops {
            let mut parent = init.clone();
            let mut out = parent.slice_mut(step);
            let ys: Vec<f32> = if op.three_slices() {
                dy.iter().copied().collect()
            } else {
                out.iter().copied().collect()
            };
            run_nd(op, &x, &dy, &mut out);
            for (i, &g) in out.iter().enumerate() {
                let want = expect(op, xs[i], ys[i]);
                assert!(
                    same(g, want),
                    "{op:?}, {what}: element {i}: x = {}, y = {}: got {g}, want {want}",
                    xs[i],
                    ys[i]
                );
            }
            let untouched = parent
                .slice(skipped)
                .iter()
                .zip(init.slice(skipped))
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(untouched, "{op:?}, {what}: wrote outside the view");
        }
    }
}

/// Lanes whose other axes do not merge (two of them stepped, one
/// reversed), large enough to be shared among threads: the lanes are
/// numbered across both outer axes.
#[test]
fn large_array_with_two_outer_axes() {
    let sp = f32::specials();
    let mut rng = Lcg(40);
    let mut fill = |shape: (usize, usize, usize)| {
        ndarray::Array3::from_shape_fn(shape, |(i, j, k)| {
            if (i + j + k) % 7 == 0 {
                sp[(i * 3 + j + k) % sp.len()]
            } else {
                rng.ordinary()
            }
        })
    };
    let x = fill((64, 17, 1024));
    let init = fill((128, 34, 1024));
    for op in [
        OpCase::with("leaky_relu_inplace", 0.25f32),
        OpCase::named("relu_backward_inplace"),
        OpCase::with("leaky_relu_into", 0.5),
    ] {
        let mut parent = init.clone();
        let mut out = parent.slice_mut(s![..;2, ..;-2, ..]);
        let before: Vec<f32> = out.iter().copied().collect();
        let xs: Vec<f32> = x.iter().copied().collect();
        run_nd(op, &x, &x, &mut out);
        for (i, &g) in out.iter().enumerate() {
            let want = expect(op, xs[i], before[i]);
            assert!(same(g, want), "{op:?}: element {i}: got {g}, want {want}");
        }
        // The view holds the even rows' odd columns (`..;-2` of 34 starts
        // at 33); everything else is as it was.
        let untouched = [s![1..;2, .., ..], s![..;2, ..;2, ..]]
            .into_iter()
            .all(|rest| {
                parent
                    .slice(rest)
                    .iter()
                    .zip(init.slice(rest))
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            });
        assert!(untouched, "{op:?}: wrote outside the view");
    }
}

#[test]
fn large_stepped_arrays_from_outside_the_pool() {
    large_cases();
}

#[cfg(feature = "rayon")]
#[test]
fn large_stepped_arrays_from_a_pool_worker() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(large_cases);
}
