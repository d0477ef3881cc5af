//! The module-level functions, written once for `simd`, `par` and the root.

/// Defines every op as a free function calling `$kernels` (an expression
/// giving a [`Kernels`](crate::Kernels)); `$how` completes the sentence
/// "Runs ... " in each function's documentation.
macro_rules! entry_points {
    ($kernels:expr, $how:literal) => {
        #[doc = concat!("[`scalar::relu`](crate::scalar::relu) on every element, in place, ", $how, ".")]
        #[inline]
        pub fn relu_inplace<T: $crate::Element>(buf: &mut [T]) {
            $kernels.relu_inplace(buf)
        }

        #[doc = concat!("[`scalar::leaky_relu`](crate::scalar::leaky_relu) on every element, in place, ", $how, ".")]
        ///
        /// # Panics
        /// If `alpha` is not finite, before any element is written.
        #[inline]
        #[track_caller]
        pub fn leaky_relu_inplace<T: $crate::Element>(buf: &mut [T], alpha: T) {
            $kernels.leaky_relu_inplace(buf, alpha)
        }

        #[doc = concat!("Replaces every element with [`scalar::relu_grad`](crate::scalar::relu_grad) of it, ", $how, ".")]
        #[inline]
        pub fn relu_grad_inplace<T: $crate::Element>(buf: &mut [T]) {
            $kernels.relu_grad_inplace(buf)
        }

        #[doc = concat!("Replaces every element with [`scalar::leaky_relu_grad`](crate::scalar::leaky_relu_grad) of it, ", $how, ".")]
        ///
        /// # Panics
        /// If `alpha` is not finite, before any element is written.
        #[inline]
        #[track_caller]
        pub fn leaky_relu_grad_inplace<T: $crate::Element>(buf: &mut [T], alpha: T) {
            $kernels.leaky_relu_grad_inplace(buf, alpha)
        }

        #[doc = concat!("`dst[i] = relu(src[i])`, ", $how, ".")]
        ///
        /// # Panics
        /// If the lengths differ, before any element is written.
        #[inline]
        #[track_caller]
        pub fn relu_into<T: $crate::Element>(src: &[T], dst: &mut [T]) {
            $kernels.relu_into(src, dst)
        }

        #[doc = concat!("`dst[i] = leaky_relu(src[i], alpha)`, ", $how, ".")]
        ///
        /// # Panics
        /// If `alpha` is not finite or the lengths differ, before any element
        /// is written.
        #[inline]
        #[track_caller]
        pub fn leaky_relu_into<T: $crate::Element>(src: &[T], dst: &mut [T], alpha: T) {
            $kernels.leaky_relu_into(src, dst, alpha)
        }

        #[doc = concat!("`dst[i] = relu_grad(src[i])`, ", $how, ".")]
        ///
        /// # Panics
        /// If the lengths differ, before any element is written.
        #[inline]
        #[track_caller]
        pub fn relu_grad_into<T: $crate::Element>(src: &[T], dst: &mut [T]) {
            $kernels.relu_grad_into(src, dst)
        }

        #[doc = concat!("`dst[i] = leaky_relu_grad(src[i], alpha)`, ", $how, ".")]
        ///
        /// # Panics
        /// If `alpha` is not finite or the lengths differ, before any element
        /// is written.
        #[inline]
        #[track_caller]
        pub fn leaky_relu_grad_into<T: $crate::Element>(src: &[T], dst: &mut [T], alpha: T) {
            $kernels.leaky_relu_grad_into(src, dst, alpha)
        }

        #[doc = concat!("ReLU's fused backward pass, ", $how, ": `grad[i]` (the incoming gradient) becomes [`scalar::relu_backward`](crate::scalar::relu_backward)`(x[i], grad[i])`.")]
        ///
        /// # Panics
        /// If the lengths differ, before any element is written.
        #[inline]
        #[track_caller]
        pub fn relu_backward_inplace<T: $crate::Element>(x: &[T], grad: &mut [T]) {
            $kernels.relu_backward_inplace(x, grad)
        }

        #[doc = concat!("Leaky ReLU's fused backward pass, ", $how, ": `grad[i]` becomes [`scalar::leaky_relu_backward`](crate::scalar::leaky_relu_backward)`(x[i], grad[i], alpha)`.")]
        ///
        /// With `alpha > 0`, Leaky ReLU keeps the input's sign, so `x` may be the
        /// forward *output* `y = leaky_relu(x)` instead of the input, and no copy of
        /// the input needs keeping: the result has the same bits, except where a
        /// tiny negative `alpha * x` underflowed to `-0.0` (there `y` reads as not
        /// negative and `dy` passes through unscaled). With `alpha <= 0` the output
        /// does not keep the sign, and this does not hold.
        ///
        /// # Panics
        /// If `alpha` is not finite or the lengths differ, before any element
        /// is written.
        #[inline]
        #[track_caller]
        pub fn leaky_relu_backward_inplace<T: $crate::Element>(x: &[T], grad: &mut [T], alpha: T) {
            $kernels.leaky_relu_backward_inplace(x, grad, alpha)
        }

        #[doc = concat!("ReLU's fused backward pass from the forward *output*, ", $how, ": `grad[i]` (the incoming gradient) becomes [`scalar::relu_backward_from_output`](crate::scalar::relu_backward_from_output)`(y[i], grad[i])`.")]
        ///
        /// `y` is what `relu_inplace` left in the buffer, so a training
        /// loop needs no copy of the forward input. At `x == 0` the
        /// gradient is 0 (as PyTorch's), where `relu_backward_inplace`
        /// gives `dy` (the tutorial's rule).
        ///
        /// # Panics
        /// If the lengths differ, before any element is written.
        #[inline]
        #[track_caller]
        pub fn relu_backward_from_output_inplace<T: $crate::Element>(y: &[T], grad: &mut [T]) {
            $kernels.relu_backward_from_output_inplace(y, grad)
        }

        #[doc = concat!("ReLU's backward pass into a third slice, ", $how, ": `dx[i]` becomes [`scalar::relu_backward`](crate::scalar::relu_backward)`(x[i], dy[i])`, and `dy` is kept.")]
        ///
        /// # Panics
        /// If the lengths differ, before any element is written.
        #[inline]
        #[track_caller]
        pub fn relu_backward_into<T: $crate::Element>(x: &[T], dy: &[T], dx: &mut [T]) {
            $kernels.relu_backward_into(x, dy, dx)
        }

        #[doc = concat!("Leaky ReLU's backward pass into a third slice, ", $how, ": `dx[i]` becomes [`scalar::leaky_relu_backward`](crate::scalar::leaky_relu_backward)`(x[i], dy[i], alpha)`, and `dy` is kept.")]
        ///
        /// # Panics
        /// If `alpha` is not finite or the lengths differ, before any element
        /// is written.
        #[inline]
        #[track_caller]
        pub fn leaky_relu_backward_into<T: $crate::Element>(x: &[T], dy: &[T], dx: &mut [T], alpha: T) {
            $kernels.leaky_relu_backward_into(x, dy, dx, alpha)
        }

        #[doc = concat!("ReLU's backward pass from the forward output into a third slice, ", $how, ": `dx[i]` becomes [`scalar::relu_backward_from_output`](crate::scalar::relu_backward_from_output)`(y[i], dy[i])`, and `dy` is kept.")]
        ///
        /// # Panics
        /// If the lengths differ, before any element is written.
        #[inline]
        #[track_caller]
        pub fn relu_backward_from_output_into<T: $crate::Element>(y: &[T], dy: &[T], dx: &mut [T]) {
            $kernels.relu_backward_from_output_into(y, dy, dx)
        }
    };
}

pub(crate) use entry_points;
