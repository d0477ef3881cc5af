//! Bad input panics with a clear message before anything is written.

use crate::common::*;
use relu_kernels::__forms::FORMS;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// Set while a panic is expected on this thread, to keep it quiet.
    static EXPECTING: Cell<bool> = const { Cell::new(false) };
}

/// Silences the panic hook for expected panics only: hundreds of printed
/// messages would bury a real failure (and take minutes under Miri).
fn quiet_expected_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXPECTING.with(Cell::get) {
                default(info)
            }
        }));
    });
}

/// Runs `f` expecting a panic whose message contains every part of `want`.
fn expect_panic(what: &str, want: &[&str], f: impl FnOnce()) {
    quiet_expected_panics();
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

fn bits<T: TestFloat>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.bits()).collect()
}

fn non_finite_alpha<T: TestFloat>() {
    let mut rng = Lcg(3);
    // Long enough that the parallel paths split it.
    let len = if cfg!(miri) { 1 << 11 } else { 1 << 18 };
    let src: Vec<T> = (0..len).map(|_| rng.ordinary()).collect();
    let init: Vec<T> = (0..len).map(|_| rng.ordinary()).collect();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let bad = T::from_f64(bad);
        for path in paths() {
            for op in OpCase::all(bad)
                .into_iter()
                .filter(|op| op.alpha().is_some())
            {
                let mut dst = init.clone();
                let what = format!("{path:?} {op:?}");
                expect_panic(&what, &["alpha must be finite", &format!("{bad}")], || {
                    run(path, op, &src, &mut dst)
                });
                assert_eq!(bits(&dst), bits(&init), "{what}: buffer modified");
            }
        }
    }
}

/// Bounds with `lo > hi`, or a NaN among them, on every bounded op.
fn bad_bounds<T: TestFloat>() {
    let mut rng = Lcg(4);
    let len = if cfg!(miri) { 1 << 11 } else { 1 << 18 };
    let src: Vec<T> = (0..len).map(|_| rng.ordinary()).collect();
    let init: Vec<T> = (0..len).map(|_| rng.ordinary()).collect();
    let (nan, inf) = (f64::NAN, f64::INFINITY);
    for (lo, hi) in [
        (1.0, -1.0),
        (inf, -inf),
        (0.5, 0.25),
        (nan, 1.0),
        (0.0, nan),
        (nan, nan),
    ] {
        let (lo, hi) = (T::from_f64(lo), T::from_f64(hi));
        for path in paths() {
            for form in FORMS.iter().filter(|f| f.params.len() == 2) {
                let op = OpCase::bounded(form.name, lo, hi);
                let mut dst = init.clone();
                let what = format!("{path:?} {op:?}");
                let (lo_s, hi_s) = (format!("lo = {lo}"), format!("hi = {hi}"));
                expect_panic(&what, &["lo <= hi", &lo_s, &hi_s], || {
                    run(path, op, &src, &mut dst)
                });
                assert_eq!(bits(&dst), bits(&init), "{what}: buffer modified");
            }
        }
    }
}

fn length_mismatch<T: TestFloat>() {
    let mut rng = Lcg(5);
    let big = if cfg!(miri) { 1 << 11 } else { 1 << 18 };
    for (src_len, dst_len) in [(0, 1), (1, 0), (1000, 999), (big, big + 1)] {
        let src: Vec<T> = (0..src_len).map(|_| rng.ordinary()).collect();
        let init: Vec<T> = (0..dst_len).map(|_| rng.ordinary()).collect();
        for path in paths() {
            for op in OpCase::all(T::from_f64(0.01))
                .into_iter()
                .filter(|op| op.two_slices())
            {
                let mut dst = init.clone();
                let what = format!("{path:?} {op:?}");
                let (a, b) = (format!("= {src_len},"), format!("= {dst_len}"));
                expect_panic(&what, &["lengths differ", &a, &b], || {
                    run(path, op, &src, &mut dst)
                });
                assert_eq!(bits(&dst), bits(&init), "{what}: buffer modified");
            }
        }
    }
}

test_each_type!(non_finite_alpha, bad_bounds, length_mismatch);

/// The backward passes into a third slice check `dy` too.
#[test]
fn a_short_dy_panics_and_writes_nothing() {
    let x = [1.0f32, -2.0, 3.0];
    let dy = [1.0f32, 1.0];
    let init = [7.0f32; 3];
    type Call = fn(&[f32], &[f32], &mut [f32]);
    let calls: [(&str, Call); 4] = [
        ("relu_backward_into", |x, dy, dx| {
            relu_kernels::relu_backward_into(x, dy, dx)
        }),
        ("leaky_relu_backward_into", |x, dy, dx| {
            relu_kernels::leaky_relu_backward_into(x, dy, dx, 0.1)
        }),
        ("relu_backward_from_output_into", |y, dy, dx| {
            relu_kernels::relu_backward_from_output_into(y, dy, dx)
        }),
        ("clamp_backward_into", |x, dy, dx| {
            relu_kernels::clamp_backward_into(x, dy, dx, -1.0, 1.0)
        }),
    ];
    for (what, call) in calls {
        let mut dx = init;
        expect_panic(what, &["lengths differ", "dy.len() = 2"], || {
            call(&x, &dy, &mut dx)
        });
        assert_eq!(dx, init, "{what}: buffer modified");
    }
}

/// Equal and infinite bounds are accepted.
#[test]
fn any_ordered_bounds_are_accepted() {
    let inf = f32::INFINITY;
    for (lo, hi) in [
        (0.0f32, 0.0),
        (0.0, -0.0),
        (-inf, inf),
        (inf, inf),
        (-inf, -inf),
        (2.0, 2.0),
    ] {
        let mut buf = [-3.0f32, 0.5, 3.0];
        relu_kernels::clamp_inplace(&mut buf, lo, hi);
        let want = [-3.0f32, 0.5, 3.0].map(|x| relu_kernels::scalar::clamp(x, lo, hi));
        assert_eq!(buf.map(f32::to_bits), want.map(f32::to_bits));
    }
}

#[test]
fn any_finite_alpha_is_accepted() {
    for alpha in [
        0.0f32,
        -0.0,
        -3.0,
        7.5,
        f32::MAX,
        f32::MIN,
        f32::from_bits(1),
    ] {
        let mut buf = [-2.0f32, 2.0];
        relu_kernels::leaky_relu_inplace(&mut buf, alpha);
        assert_eq!(buf[0].to_bits(), (alpha * -2.0).to_bits());
        assert_eq!(buf[1], 2.0);
    }
}
