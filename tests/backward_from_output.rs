//! The backward passes from the forward output: ReLU's own function, and
//! Leaky ReLU's backward pass given the output in place of the input.

mod common;

use common::*;

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

#[test]
fn relu_from_output_f32() {
    relu_from_output_matches_the_input_form_but_at_zero::<f32>();
}

#[test]
fn relu_from_output_f64() {
    relu_from_output_matches_the_input_form_but_at_zero::<f64>();
}

#[cfg(feature = "half")]
#[test]
fn relu_from_output_f16() {
    relu_from_output_matches_the_input_form_but_at_zero::<half::f16>();
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

fn leaky_from_output_for<T: TestFloat>() {
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

#[test]
fn leaky_backward_from_output_f32() {
    leaky_from_output_for::<f32>();
}

#[test]
fn leaky_backward_from_output_f64() {
    leaky_from_output_for::<f64>();
}

#[cfg(feature = "half")]
#[test]
fn leaky_backward_from_output_f16() {
    leaky_from_output_for::<half::f16>();
}

#[cfg(feature = "half")]
#[test]
fn leaky_backward_from_output_bf16() {
    leaky_from_output_for::<half::bf16>();
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
