//! Mathematical properties of the ops, checked through the public API.

use crate::common::*;
use approx::assert_relative_eq;
use relu_kernels::{DEFAULT_ALPHA, scalar};

/// Points away from the kink at 0, where the derivative exists.
fn sample_points() -> Vec<f64> {
    let mut v = Vec::new();
    for k in 1..200 {
        let x = (k as f64) * 0.173 - 17.0;
        if x.abs() > 1e-3 {
            v.push(x);
        }
    }
    v
}

/// Central finite difference of `f` at `x`, in f64 for a clean estimate.
fn central_difference(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6;
    (f(x + h) - f(x - h)) / (2.0 * h)
}

#[test]
fn gradients_agree_with_finite_differences() {
    let xs = sample_points();
    for alpha in [0.01, 0.0, -0.5, 1.5] {
        let mut grad = xs.clone();
        relu_kernels::relu_grad_inplace(&mut grad);
        let mut leaky_grad = xs.clone();
        relu_kernels::leaky_relu_grad_inplace(&mut leaky_grad, alpha);
        for (i, &x) in xs.iter().enumerate() {
            let relu = |v: f64| {
                let mut b = [v];
                relu_kernels::relu_inplace(&mut b);
                b[0]
            };
            let leaky = |v: f64| {
                let mut b = [v];
                relu_kernels::leaky_relu_inplace(&mut b, alpha);
                b[0]
            };
            assert_relative_eq!(grad[i], central_difference(relu, x), epsilon = 1e-6);
            assert_relative_eq!(leaky_grad[i], central_difference(leaky, x), epsilon = 1e-6);
        }
    }
}

#[test]
fn f32_gradients_agree_with_finite_differences() {
    for x in sample_points() {
        let xf = x as f32;
        let h = 1e-2f32;
        let fd = (scalar::leaky_relu(xf + h, DEFAULT_ALPHA)
            - scalar::leaky_relu(xf - h, DEFAULT_ALPHA))
            / (2.0 * h);
        let mut g = [xf];
        relu_kernels::leaky_relu_grad_inplace(&mut g, DEFAULT_ALPHA);
        assert_relative_eq!(g[0], fd, epsilon = 1e-3, max_relative = 1e-3);
    }
}

fn random_with_specials<T: TestFloat>(len: usize, seed: u64) -> Vec<T> {
    let sp = T::specials();
    let mut rng = Lcg(seed);
    (0..len)
        .map(|i| {
            if i % 5 == 0 {
                sp[(i / 5) % sp.len()]
            } else {
                rng.ordinary()
            }
        })
        .collect()
}

fn properties<T: TestFloat>() {
    let zero = T::from_f64(0.0);
    for path in paths() {
        let x = random_with_specials::<T>(if cfg!(miri) { 203 } else { 100_003 }, 11);
        // relu is idempotent.
        let mut once = x.clone();
        run(path, OpCase::named("relu_inplace"), &[], &mut once);
        let mut twice = once.clone();
        run(path, OpCase::named("relu_inplace"), &[], &mut twice);
        assert!(
            once.iter().zip(&twice).all(|(a, b)| same(*a, *b)),
            "{path:?}: relu∘relu"
        );

        // Leaky ReLU with alpha 0 is ReLU, except where IEEE says 0 * x is
        // not +0: -inf (NaN) and negative values (0 * negative = -0.0).
        let mut leaky0 = x.clone();
        run(
            path,
            OpCase::with("leaky_relu_inplace", zero),
            &[],
            &mut leaky0,
        );
        for i in 0..x.len() {
            let expect_same = x[i].to_f64() > 0.0 || x[i].is_nan_();
            if expect_same {
                assert!(same(leaky0[i], once[i]), "{path:?}: leaky(0) at {:?}", x[i]);
            } else if x[i].to_f64() == f64::NEG_INFINITY {
                assert!(leaky0[i].is_nan_(), "{path:?}: leaky(0) of -inf");
            } else {
                assert_eq!(leaky0[i].to_f64(), 0.0, "{path:?}: leaky(0) at {:?}", x[i]);
            }
        }

        // Out of place equals in place, and leaves the source alone.
        for alpha in alphas::<T>() {
            let pairs = [
                (OpCase::named("relu_inplace"), OpCase::named("relu_into")),
                (
                    OpCase::with("leaky_relu_inplace", alpha),
                    OpCase::with("leaky_relu_into", alpha),
                ),
                (
                    OpCase::named("relu_grad_inplace"),
                    OpCase::named("relu_grad_into"),
                ),
                (
                    OpCase::with("leaky_relu_grad_inplace", alpha),
                    OpCase::with("leaky_relu_grad_into", alpha),
                ),
            ];
            for (inplace, into) in pairs {
                let mut a = x.clone();
                run(path, inplace, &[], &mut a);
                let mut b = vec![T::from_f64(7.0); x.len()];
                let src = x.clone();
                run(path, into, &src, &mut b);
                assert!(
                    a.iter().zip(&b).all(|(p, q)| same(*p, *q)),
                    "{path:?}: {into:?}"
                );
                assert!(
                    src.iter().zip(&x).all(|(p, q)| p.bits() == q.bits()),
                    "{path:?}: src"
                );
            }

            // The fused backward pass with dy = 1 is the gradient.
            let mut ones = vec![T::from_f64(1.0); x.len()];
            run(
                path,
                OpCase::with("leaky_relu_backward_inplace", alpha),
                &x,
                &mut ones,
            );
            let mut g = x.clone();
            run(
                path,
                OpCase::with("leaky_relu_grad_inplace", alpha),
                &[],
                &mut g,
            );
            assert!(
                ones.iter().zip(&g).all(|(p, q)| same(*p, *q)),
                "{path:?}: backward(1)"
            );
        }
    }
}

#[test]
fn relu_backward_selects_rather_than_multiplies() {
    let x = [-1.0f32, -1.0, 2.0, 0.0, -0.0, f32::NAN];
    let mut g = [f32::INFINITY, f32::NAN, f32::INFINITY, 3.0, 4.0, 5.0];
    relu_kernels::relu_backward_inplace(&x, &mut g);
    assert_eq!(g[..5], [0.0, 0.0, f32::INFINITY, 3.0, 4.0]);
    assert!(g[5].is_nan());
}

// The backward passes from the forward output: ReLU's own function, and
// Leaky ReLU's backward pass given the output in place of the input.

/// ReLU from the output is PyTorch's `threshold_backward(dy, y, 0)`: the
/// same as from the input except at `x == 0`, where it gives 0.
fn relu_from_output_matches_the_input_form_but_at_zero<T: TestFloat>() {
    let sp = T::specials();
    let mut rng = Lcg(21);
    let xs: Vec<T> = (0..4099)
        .map(|i| {
            if i % 3 == 0 {
                sp[i / 3 % sp.len()]
            } else {
                rng.ordinary()
            }
        })
        .collect();
    let dys: Vec<T> = (0..xs.len()).map(|i| sp[(i * 5 + 1) % sp.len()]).collect();
    let mut y = xs.clone();
    relu_kernels::relu_inplace(&mut y);
    let mut from_x = dys.clone();
    relu_kernels::relu_backward_inplace(&xs, &mut from_x);
    let mut from_y = dys.clone();
    relu_kernels::relu_backward_from_output_inplace(&y, &mut from_y);
    let zero = T::from_f64(0.0);
    for i in 0..xs.len() {
        if xs[i].to_f64() == 0.0 {
            assert_eq!(from_y[i].bits(), zero.bits(), "x = {:?}", xs[i]);
        } else {
            assert!(
                same(from_x[i], from_y[i]),
                "x = {:?}, dy = {:?}",
                xs[i],
                dys[i]
            );
        }
    }
}

/// With `alpha > 0` Leaky ReLU keeps the input's sign, so its backward pass
/// gives the same bits from the output `y` as from `x`, except where a
/// tiny negative `alpha * x` underflowed to `-0.0`: there `y >= 0` passes
/// `dy` through, where `x < 0` scales it. Returns how many such exceptions
/// the buffer held.
fn leaky_from_output<T: TestFloat>(alpha: T, len: usize, seed: u64) -> usize {
    let sp = T::specials();
    let mut rng = Lcg(seed);
    let xs: Vec<T> = (0..len)
        .map(|i| match i % 4 {
            0 => sp[i / 4 % sp.len()],
            1 => T::from_bits_u64(rng.next()),
            _ => rng.ordinary(),
        })
        .collect();
    let dys: Vec<T> = (0..len).map(|_| rng.ordinary()).collect();
    let mut y = xs.clone();
    relu_kernels::leaky_relu_inplace(&mut y, alpha);
    let mut from_x = dys.clone();
    relu_kernels::leaky_relu_backward_inplace(&xs, &mut from_x, alpha);
    let mut from_y = dys.clone();
    relu_kernels::leaky_relu_backward_inplace(&y, &mut from_y, alpha);
    let neg_zero = T::from_f64(-0.0).bits();
    let mut exceptions = 0;
    for i in 0..len {
        if same(from_x[i], from_y[i]) {
            continue;
        }
        assert!(
            y[i].bits() == neg_zero && xs[i].to_f64() < 0.0,
            "alpha {alpha:?}: x = {:?} ({:#x}), y = {:?}: from x {:?}, from y {:?}",
            xs[i],
            xs[i].bits(),
            y[i],
            from_x[i],
            from_y[i]
        );
        assert_eq!(from_y[i].bits(), dys[i].bits());
        exceptions += 1;
    }
    exceptions
}

fn leaky_backward_from_output<T: TestFloat>() {
    let mut exceptions = 0;
    for alpha in [0.01, 0.2, 1.0, 1.5, 1e-3] {
        exceptions += leaky_from_output(T::from_f64(alpha), 100_003, 31);
    }
    // The smallest subnormal as alpha underflows every product but the
    // largest ones: the exception is real, and the check above caught it.
    exceptions += leaky_from_output(T::from_bits_u64(1), 10_007, 32);
    assert!(
        exceptions > 0,
        "no underflow met: the exception went untested"
    );
}

/// With `alpha <= 0` the output no longer keeps the sign, and the output
/// gives other gradients: the docs say not to use it then.
#[test]
fn leaky_backward_from_output_fails_for_alpha_at_most_zero() {
    for alpha in [0.0f32, -0.5] {
        let x = [-2.0f32, -1.0, 3.0];
        let mut y = x;
        relu_kernels::leaky_relu_inplace(&mut y, alpha);
        let (mut from_x, mut from_y) = ([1.0f32; 3], [1.0f32; 3]);
        relu_kernels::leaky_relu_backward_inplace(&x, &mut from_x, alpha);
        relu_kernels::leaky_relu_backward_inplace(&y, &mut from_y, alpha);
        assert_ne!(from_x, from_y, "alpha {alpha}");
    }
}

test_each_type!(
    properties,
    relu_from_output_matches_the_input_form_but_at_zero,
    leaky_backward_from_output,
);
