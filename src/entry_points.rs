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
        /// # Panics
        /// If `alpha` is not finite or the lengths differ, before any element
        /// is written.
        #[inline]
        #[track_caller]
        pub fn leaky_relu_backward_inplace<T: $crate::Element>(x: &[T], grad: &mut [T], alpha: T) {
            $kernels.leaky_relu_backward_inplace(x, grad, alpha)
        }
    };
}

pub(crate) use entry_points;
