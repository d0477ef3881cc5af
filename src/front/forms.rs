//! Every form of the op list as data, and calls by form: what the crate's
//! own tests, benches and Python module iterate over. Not API (hidden from
//! the documentation, and free to change).

// Without `std` the crate links `alloc` for this table alone: the tests
// and benches that use it run on `std` targets.
#[cfg(not(feature = "std"))]
extern crate alloc;
#[cfg(not(feature = "std"))]
use alloc::boxed::Box;

use crate::{Element, Kernels};

crate::front::list::for_each_form!(crate::__forms::table);

/// One public function of the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Form {
    /// Which one, for [`slice_fn`], [`elem`] and `call_nd`.
    pub id: Id,
    /// The function's name.
    pub name: &'static str,
    /// The op it computes (the name of its in-place form without
    /// `_inplace`; the Python function's name).
    pub family: &'static str,
    /// The slices it reads beside its output, in argument order.
    pub inputs: &'static [&'static str],
    /// The slice it writes.
    pub output: &'static str,
    /// Its parameters after the output.
    pub params: &'static [&'static str],
    /// Whether the op is a backward pass: its in-place form reads an input
    /// beside the incoming gradient it updates.
    pub backward: bool,
}

impl Form {
    /// The form called `name`.
    pub fn named(name: &str) -> &'static Form {
        FORMS
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no form is called {name:?}"))
    }

    /// Whether it writes its output in place (its inputs are the other
    /// inputs of the op, if any); else it writes a separate output.
    pub fn in_place(&self) -> bool {
        self.inputs.len() == usize::from(self.backward)
    }
}

/// How a call runs: a module's function or a [`Kernels`] method.
#[derive(Clone, Copy, Debug)]
pub enum Via {
    /// [`crate::scalar`].
    Scalar,
    /// [`crate::simd`].
    Simd,
    /// [`crate::par`].
    #[cfg(feature = "rayon")]
    Par,
    /// The crate root.
    Root,
    /// A [`Kernels`].
    Kernels(Kernels),
}

/// A form's slice function, bound to a [`Via`] and to its parameters, by
/// the number of slices it reads beside its output.
pub enum SliceFn<T> {
    /// In place on one buffer.
    Unary(Box<Unary<T>>),
    /// One input and the output.
    Binary(Box<Binary<T>>),
    /// Two inputs and the output.
    Ternary(Box<Ternary<T>>),
}

/// A bound form that updates one buffer.
pub type Unary<T> = dyn Fn(&mut [T]) + Send + Sync;
/// A bound form that reads one slice and writes another.
pub type Binary<T> = dyn Fn(&[T], &mut [T]) + Send + Sync;
/// A bound form that reads two slices and writes a third.
pub type Ternary<T> = dyn Fn(&[T], &[T], &mut [T]) + Send + Sync;

impl<T> SliceFn<T> {
    /// Calls it on `ins` (as many as it reads) and `out`.
    #[track_caller]
    pub fn call(&self, ins: &[&[T]], out: &mut [T]) {
        match (self, ins) {
            (SliceFn::Unary(f), []) => f(out),
            (SliceFn::Binary(f), [a]) => f(a, out),
            (SliceFn::Ternary(f), [a, b]) => f(a, b, out),
            _ => panic!("called with {} inputs, the wrong number", ins.len()),
        }
    }
}

#[track_caller]
fn wrong(name: &str, what: &str, want: usize, got: usize) -> ! {
    panic!("{name} takes {want} {what}, got {got}")
}

/// Binds `$f` (called with `$first`, nothing or `&k,`, then the form's
/// arguments) to the parameters `$p`, as the [`SliceFn`] of its arity.
macro_rules! bind {
    ($f:expr, ($($first:tt)*), [], $out:ident, [$($p:ident),*]) => {
        SliceFn::Unary(Box::new(move |$out: &mut [T]| $f($($first)* $out $(, $p)*)))
    };
    ($f:expr, ($($first:tt)*), [$a:ident], $out:ident, [$($p:ident),*]) => {
        SliceFn::Binary(Box::new(move |$a: &[T], $out: &mut [T]| {
            $f($($first)* $a, $out $(, $p)*)
        }))
    };
    ($f:expr, ($($first:tt)*), [$a:ident, $b:ident], $out:ident, [$($p:ident),*]) => {
        SliceFn::Ternary(Box::new(move |$a: &[T], $b: &[T], $out: &mut [T]| {
            $f($($first)* $a, $b, $out $(, $p)*)
        }))
    };
}
use bind;

/// Binds the identifiers to the elements of a slice, or panics saying
/// how many form `$name` takes.
macro_rules! unpack {
    ($name:ident, $what:literal, [$($x:ident),*] = $from:ident) => {
        let &[$($x),*] = $from else {
            wrong(stringify!($name), $what, count!($($x)*), $from.len())
        };
    };
}
use unpack;

/// How many identifiers it is given.
macro_rules! count {
    ($($x:ident)*) => {
        0 $(+ { let _ = stringify!($x); 1 })*
    };
}
use count;

/// The table and the calls, from every form.
macro_rules! table {
    ([] $({
        name: $name:ident; family: $family:ident; reads: [$($r:ident),*]; out: $out:ident;
        doc: $doc:literal; more: $more:tt;
        lead: [];
        params: [$($p:ident: $pty:ty $(= $pd:literal)?),*];
        panics: $panics:tt; checks: $checks:tt;
        kernel: |$k:ident, $io:ident| $kernel:expr;
        elem: $elem:expr;
        backward: [$($b:ident),*];
    })*) => {
        /// Names every form.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Id {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name,
            )*
        }

        impl Id {
            /// The form it names.
            pub fn form(self) -> &'static Form {
                &FORMS[self as usize]
            }
        }

        /// Every form of every op, in the order of [`Id`].
        pub const FORMS: &[Form] = &[$(Form {
            id: Id::$name,
            name: stringify!($name),
            family: stringify!($family),
            inputs: &[$(stringify!($r)),*],
            output: stringify!($out),
            params: &[$(stringify!($p)),*],
            backward: count!($($b)*) > 0,
        }),*];

        /// The slice function of form `id` through `via`, with the
        /// parameters `params`.
        #[track_caller]
        pub fn slice_fn<T: Element>(via: Via, id: Id, params: &[T]) -> SliceFn<T> {
            match id {
                $(Id::$name => {
                    unpack!($name, "parameters", [$($p),*] = params);
                    match via {
                        Via::Scalar => bind!(crate::scalar::$name, (), [$($r),*], $out, [$($p),*]),
                        Via::Simd => bind!(crate::simd::$name, (), [$($r),*], $out, [$($p),*]),
                        #[cfg(feature = "rayon")]
                        Via::Par => bind!(crate::par::$name, (), [$($r),*], $out, [$($p),*]),
                        Via::Root => bind!(crate::$name, (), [$($r),*], $out, [$($p),*]),
                        Via::Kernels(k) => bind!(Kernels::$name, (&k,), [$($r),*], $out, [$($p),*]),
                    }
                })*
            }
        }

        /// The reference result for one element of form `id`: `ins` are
        /// its inputs' elements, `old` the output's element before the
        /// call.
        pub fn elem<T: Element>(id: Id, ins: &[T], old: T, params: &[T]) -> T {
            match id {
                $(Id::$name => {
                    unpack!($name, "parameters", [$($p),*] = params);
                    unpack!($name, "inputs", [$($r),*] = ins);
                    crate::front::list::elem_fn::<T, _, _>($elem)([$($r),*], old)
                })*
            }
        }

        /// Form `id` over slices through the crate root: `ins` its inputs,
        /// `out` its output (unlike [`slice_fn`], nothing is allocated).
        #[track_caller]
        pub fn call_root<T: Element>(id: Id, ins: &[&[T]], out: &mut [T], params: &[T]) {
            match id {
                $(Id::$name => {
                    unpack!($name, "parameters", [$($p),*] = params);
                    unpack!($name, "inputs", [$($r),*] = ins);
                    crate::$name($($r,)* out $(, $p)*)
                })*
            }
        }

        /// Form `id` over arrays: `ins` its inputs, `out` its output.
        #[cfg(feature = "ndarray")]
        pub fn call_nd<T: Element, D: ndarray::Dimension>(
            id: Id,
            ins: &[&ndarray::ArrayRef<T, D>],
            out: &mut ndarray::ArrayRef<T, D>,
            params: &[T],
        ) {
            match id {
                $(Id::$name => {
                    unpack!($name, "parameters", [$($p),*] = params);
                    unpack!($name, "inputs", [$($r),*] = ins);
                    crate::nd::$name($($r,)* out $(, $p)*)
                })*
            }
        }
    };
}
use table;

/// The destination size in bytes from which out-of-place calls write with
/// streaming stores on this CPU (tests reach that path with it).
pub fn stream_threshold_bytes() -> usize {
    crate::driver::io::stream_threshold_bytes()
}
