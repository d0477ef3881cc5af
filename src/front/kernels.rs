//! [`Kernels`]: a level and a threading mode, and every op as a method.
//! The module-level functions (`simd`, `par`, the crate root) are this type
//! with a fixed choice.

use super::check::{check_layout, check_lengths, not_finite};
use crate::Element;
use crate::arch::Level;
use crate::driver::channel::Channels;
use crate::driver::io::Io;
use crate::driver::reduce::Reduce;
use crate::driver::work::Work;
use crate::driver::{policy, serial};
use crate::ops::channel::PerChannel;
use crate::ops::param_grad::WithGrad;
use crate::ops::{self, Op};

/// How a call spreads over threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Threading {
    /// On the calling thread.
    Serial,
    /// Split into chunks that rayon runs in parallel (on the current rayon
    /// pool). Without the `rayon` feature, the same as `Serial`.
    Parallel,
    /// `Serial` for small calls, `Parallel` for large ones; where the
    /// switch lies depends on the calling thread, since handing work to
    /// another thread costs more from outside the pool:
    /// - from a worker of a rayon pool (code inside `ThreadPool::install`
    ///   or a `par_iter`), calls reading at least
    ///   [`PARALLEL_THRESHOLD_BYTES`] (128 Ki `f32` in place, 64 Ki for
    ///   the two-slice forms) run in parallel;
    /// - from any other thread, calls writing at least 192 KiB (48 Ki
    ///   `f32`) run in parallel when the calls come back to back (less
    ///   than 250 µs apart) or a pool worker still waits from the previous
    ///   call; calls reading at least 4 MiB (1 Mi `f32` in place, 512 Ki
    ///   for the two-slice forms) always do. A worker that helped waits,
    ///   spinning, up to 250 µs for the next call (running other rayon
    ///   work meanwhile), so that calls in a burst find it awake, and 1 ms
    ///   at most in all, so that a `join` it was waiting in resumes. While
    ///   a helper asked for by an earlier call has not started (the pool is
    ///   busy), calls ask for none and run their share themselves;
    /// - on a one-thread pool, every call runs serially.
    ///
    /// Each switch sits where sharing the call measured faster than the
    /// serial kernel (the repository's `docs/TUNING.md` has the figures).
    ///
    /// [`PARALLEL_THRESHOLD_BYTES`]: crate::PARALLEL_THRESHOLD_BYTES
    Auto,
}

/// A choice of kernel: an instruction-set [`Level`] and a [`Threading`]
/// mode, with every op of the crate as a method.
///
/// The module-level functions are fixed choices of it: [`crate::simd`] is
/// [`Kernels::serial`], [`crate::par`] is [`Kernels::parallel`] and the crate
/// root is [`Kernels::auto`]. Building one by hand forces a level, for
/// testing or measuring each kernel on its own:
///
/// ```
/// use relu_kernels::{Kernels, Level, Threading};
///
/// let portable = Kernels::new(Level::Portable, Threading::Serial).unwrap();
/// let mut buf = [-1.0f32, 2.0];
/// portable.relu_inplace(&mut buf);
/// assert_eq!(buf, [0.0, 2.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Kernels {
    level: Level,
    threading: Threading,
}

impl Kernels {
    /// The kernels of `level`, or `None` if this CPU does not support it.
    pub fn new(level: Level, threading: Threading) -> Option<Kernels> {
        level.is_supported().then_some(Kernels { level, threading })
    }

    /// The [active](Level::active) level on the calling thread.
    pub fn serial() -> Kernels {
        Kernels {
            level: Level::active(),
            threading: Threading::Serial,
        }
    }

    /// The [active](Level::active) level, always split over rayon's threads.
    pub fn parallel() -> Kernels {
        Kernels {
            level: Level::active(),
            threading: Threading::Parallel,
        }
    }

    /// The [active](Level::active) level, parallel only where it pays.
    pub fn auto() -> Kernels {
        Kernels {
            level: Level::active(),
            threading: Threading::Auto,
        }
    }

    /// The instruction-set level.
    pub fn level(&self) -> Level {
        self.level
    }

    /// The threading mode.
    pub fn threading(&self) -> Threading {
        self.threading
    }

    #[inline]
    fn apply<T: Element, O: Op<T>>(&self, op: O, io: Io<'_, T>) {
        match self.threading {
            Threading::Serial => serial::run(self.level, op, io),
            Threading::Parallel => policy::split(self.level, op, io),
            Threading::Auto => policy::auto(self.level, op, io),
        }
    }

    /// Leaky ReLU with the body [`ops::leaky_form`] picks for `alpha`.
    #[inline]
    fn leaky_relu<T: Element>(&self, alpha: T, io: Io<'_, T>) {
        use ops::{LEAKY_ANY, LEAKY_MAX, LEAKY_MIN, LeakyRelu};
        match ops::leaky_form(alpha) {
            LEAKY_MAX => self.apply(LeakyRelu::<T, LEAKY_MAX>(alpha), io),
            LEAKY_MIN => self.apply(LeakyRelu::<T, LEAKY_MIN>(alpha), io),
            _ => self.apply(LeakyRelu::<T, LEAKY_ANY>(alpha), io),
        }
    }

    /// Leaky ReLU's derivative, with the body for `-1 <= alpha <= 1` there.
    #[inline]
    fn leaky_relu_grad<T: Element>(&self, alpha: T, io: Io<'_, T>) {
        use ops::LeakyReluGrad;
        if ops::unit_alpha(alpha) {
            self.apply(LeakyReluGrad::<T, true>(alpha), io)
        } else {
            self.apply(LeakyReluGrad::<T, false>(alpha), io)
        }
    }

    /// Clamp with the cheapest body that is exact for these bounds.
    fn clamp<T: Element>(&self, lo: T, hi: T, io: Io<'_, T>) {
        use ops::{CLAMP_ANY, CLAMP_NONZERO, CLAMP_RELU, Clamp};
        match ops::clamp_form(lo, hi) {
            CLAMP_NONZERO => self.apply(Clamp::<T, CLAMP_NONZERO> { lo, hi }, io),
            CLAMP_RELU => self.apply(Clamp::<T, CLAMP_RELU> { lo, hi }, io),
            _ => self.apply(Clamp::<T, CLAMP_ANY> { lo, hi }, io),
        }
    }

    crate::front::list::for_each_form!(crate::front::list::per_form, [kernel_method], []);
    crate::for_each_channel_op!(
        crate::front::channel_list::per_channel_form,
        [channel_method],
        []
    );

    /// A per-channel op over `io`, each element's parameter from `params`
    /// (see `driver::channel`), which must be finite: else a panic that
    /// names them `name`, before anything is written. The caller has
    /// checked the layout.
    #[inline]
    #[track_caller]
    fn per_channel<T: Element, C: PerChannel<T>>(
        &self,
        op: C,
        (name, params): (&str, &[T]),
        inner: usize,
        io: Io<'_, T>,
    ) {
        // SAFETY: the call runs to its end before this returns (serially,
        // or shared by `policy::channels`, which waits for every part),
        // while `io`'s and `params`' borrows are held.
        let work = Channels {
            level: self.level,
            op,
            io: unsafe { io.chunk(0, io.len) },
            params: params.as_ptr(),
            channels: params.len(),
            inner,
        };
        let finite = match self.threading {
            // SAFETY: the whole call, on this thread, while borrowed.
            Threading::Serial => unsafe { work.run_checked() },
            Threading::Parallel => policy::channels(work, false),
            Threading::Auto => policy::channels(work, true),
        };
        if !finite {
            not_finite(name, params)
        }
    }

    crate::for_each_channel_grad_op!(
        crate::front::channel_list::per_channel_grad_form,
        [grad_method],
        []
    );

    /// A backward pass with a parameter gradient (see `driver::reduce`).
    /// The caller has checked the layout and the lengths.
    #[inline]
    fn with_grad<T: Element, F: WithGrad<T>>(
        &self,
        op: F,
        x: &[T],
        params: &[T],
        grad: &mut [T],
        sums: &mut [T],
        inner: usize,
    ) {
        let (len, channels) = (grad.len(), sums.len());
        let work = Reduce {
            level: self.level,
            op,
            x: x.as_ptr(),
            grad: grad.as_mut_ptr(),
            params: params.as_ptr(),
            sums: sums.as_mut_ptr(),
            channels,
            inner,
            outer: len / (channels * inner),
        };
        match self.threading {
            // SAFETY: every channel, on this thread, while borrowed.
            Threading::Serial => unsafe { work.run_range(0, channels) },
            Threading::Parallel => policy::reduce(work, false),
            Threading::Auto => policy::reduce(work, true),
        }
    }

    /// Bias + Leaky ReLU with the body [`ops::leaky_form`] picks for
    /// `alpha`.
    #[inline]
    #[track_caller]
    fn bias_leaky_relu<T: Element>(&self, bias: &[T], inner: usize, alpha: T, io: Io<'_, T>) {
        use ops::channel::BiasLeakyReluChannels as B;
        use ops::{LEAKY_ANY, LEAKY_MAX, LEAKY_MIN};
        let bias = ("bias", bias);
        match ops::leaky_form(alpha) {
            LEAKY_MAX => self.per_channel(B::<T, LEAKY_MAX>(alpha), bias, inner, io),
            LEAKY_MIN => self.per_channel(B::<T, LEAKY_MIN>(alpha), bias, inner, io),
            _ => self.per_channel(B::<T, LEAKY_ANY>(alpha), bias, inner, io),
        }
    }

    // Measurement support, not API: the benches and the report are separate
    // crates and need the ceiling pass through the same driver, so it is
    // `pub` but hidden from the documentation.
    #[doc(hidden)]
    /// The cheapest pass the compiler cannot remove: every element is loaded,
    /// XOR-ed with `bits`' bit pattern and stored. With `bits = 0.0` the
    /// buffer is unchanged; passing it through `std::hint::black_box` keeps
    /// the compiler from knowing that. It measures the throughput ceiling
    /// that the ops are compared with.
    #[inline]
    pub fn touch_inplace<T: Element>(&self, buf: &mut [T], bits: T) {
        self.apply(ops::Touch(bits), Io::in_place(buf));
    }

    // Measurement support, not API (see `touch_inplace`).
    #[doc(hidden)]
    /// The cheapest two-slice pass the compiler cannot remove, as a
    /// backward pass moves data: every `x[i]` and `grad[i]` is loaded and
    /// `grad[i]` stored, XOR-ed with the bits of `x[i] & bits`. With
    /// `bits = 0.0` (hidden with `std::hint::black_box`) `grad` is
    /// unchanged. It measures the throughput ceiling of the two-slice ops.
    ///
    /// # Panics
    /// If the lengths differ, before any element is written.
    #[inline]
    #[track_caller]
    pub fn touch_pair<T: Element>(&self, x: &[T], grad: &mut [T], bits: T) {
        check_lengths(&[("x", x.len()), ("grad", grad.len())]);
        self.apply(ops::TouchPair(bits), Io::pair(x, grad));
    }
}

/// One [`Kernels`] method per form of the op list.
macro_rules! kernel_method {
    (
        [] doc: $doc:literal; more: [$($more:tt)*]; panics: $panics:tt;
        fn $name:ident($($r:ident),*; $($lp:ident: $lty:ty),*; $out:ident; $($p:ident: $pty:ty),*);
        checks: [$($check:expr),*]; kernel: |$k:ident, $io:ident| $kernel:expr; elem: $elem:expr;
    ) => {
        #[doc = concat!($doc, ".")]
        $($more)*
        #[doc = crate::front::list::panics_doc!($panics, [$($r),*], "the lengths differ")]
        #[inline]
        #[track_caller]
        pub fn $name<T: Element>(&self, $($r: &[T],)* $($lp: $lty,)* $out: &mut [T] $(, $p: $pty)*) {
            $($check;)*
            check_lengths(&[$((stringify!($r), $r.len()),)* (stringify!($out), $out.len())]);
            let $k = self;
            let $io = Io::new([$($r),*], $out);
            $kernel
        }
    };
}
use kernel_method;

/// One [`Kernels`] method per form of the per-channel list.
macro_rules! channel_method {
    (
        [] inplace: $name:ident; family: $family:ident; param: $param:ident; about: $about:literal;
        panics: $panics:tt; params: [$($p:ident: $pty:ty),*]; checks: [$($check:expr),*];
        kernel: |$k:ident, $io:ident, $inner:ident| $kernel:expr; elem: |$ex:ident, $ep:ident| $elem:expr;
    ) => {
        #[doc = channel_doc!($about, $param, "in place on `x`", "")]
        #[doc = channel_panics_doc!($panics, "")]
        #[inline]
        #[track_caller]
        pub fn $name<T: Element>(&self, x: &mut [T], $param: &[T], inner: usize $(, $p: $pty)*) {
            $($check;)*
            check_layout(x.len(), $param.len(), inner);
            let $k = self;
            let $io = Io::in_place(x);
            let $inner = inner;
            $kernel
        }
    };
    (
        [] into: $name:ident; family: $family:ident; param: $param:ident; about: $about:literal;
        panics: $panics:tt; params: [$($p:ident: $pty:ty),*]; checks: [$($check:expr),*];
        kernel: |$k:ident, $io:ident, $inner:ident| $kernel:expr; elem: |$ex:ident, $ep:ident| $elem:expr;
    ) => {
        #[doc = channel_doc!($about, $param, "from `x` into `y`", "")]
        #[doc = channel_panics_doc!($panics, ", or if `x` and `y` differ in length")]
        #[inline]
        #[track_caller]
        pub fn $name<T: Element>(&self, x: &[T], $param: &[T], inner: usize, y: &mut [T] $(, $p: $pty)*) {
            $($check;)*
            check_layout(x.len(), $param.len(), inner);
            check_lengths(&[("x", x.len()), ("y", y.len())]);
            let $k = self;
            let $io = Io::pair(x, y);
            let $inner = inner;
            $kernel
        }
    };
}
use channel_method;

/// One [`Kernels`] method per backward pass with a parameter gradient.
macro_rules! grad_method {
    (
        [] sig: param; name: $name:ident; input: $input:ident; param: $param:ident; sums: $sums:ident;
        about: $about:literal; params: []; panics: $panics:tt; checks: [$($check:expr),*]; op: $op:expr;
    ) => {
        #[doc = grad_doc!($about, "", $panics, $param)]
        #[inline]
        #[track_caller]
        pub fn $name<T: Element>(&self, $input: &[T], $param: &[T], inner: usize, grad: &mut [T], $sums: &mut [T]) {
            $($check;)*
            check_layout(grad.len(), $param.len(), inner);
            check_lengths(&[(stringify!($input), $input.len()), ("grad", grad.len())]);
            check_lengths(&[(stringify!($param), $param.len()), (stringify!($sums), $sums.len())]);
            self.with_grad($op, $input, $param, grad, $sums, inner)
        }
    };
    (
        [] sig: bias; name: $name:ident; input: $input:ident; param: $param:ident; sums: $sums:ident;
        about: $about:literal; params: [$($p:ident: $pty:ty),*]; panics: $panics:tt; checks: [$($check:expr),*]; op: $op:expr;
    ) => {
        #[doc = grad_doc!($about, "", $panics, $sums)]
        #[inline]
        #[track_caller]
        pub fn $name<T: Element>(&self, $input: &[T], grad: &mut [T], inner: usize $(, $p: $pty)*, $sums: &mut [T]) {
            $($check;)*
            check_layout(grad.len(), $sums.len(), inner);
            check_lengths(&[(stringify!($input), $input.len()), ("grad", grad.len())]);
            self.with_grad($op, $input, &[], grad, $sums, inner)
        }
    };
}
use grad_method;
