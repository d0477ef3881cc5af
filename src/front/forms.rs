//! Every form of the op list as data, and calls by form: what the crate's
//! own tests, benches and Python module iterate over. Not API (hidden from
//! the documentation, and free to change).

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

/// A form's slice function, bound to `via`: called with the inputs, the
/// output and the parameters.
pub type SliceFn<T> = Box<dyn Fn(&[&[T]], &mut [T], &[T]) + Send + Sync>;

#[track_caller]
fn wrong(name: &str, what: &str, want: usize, got: usize) -> ! {
    panic!("{name} takes {want} {what}, got {got}")
}

/// Binds a slice function of the form with `$name`: `$f` called with
/// `$first` (nothing, or `&k,`) and the form's arguments.
macro_rules! bind {
    ($f:expr, ($($first:tt)*), $name:ident, [$($r:ident),*], $out:ident, [$($p:ident),*]) => {
        Box::new(move |ins: &[&[T]], $out: &mut [T], params: &[T]| {
            let [$($r),*] = ins else {
                wrong(stringify!($name), "inputs", count!($($r)*), ins.len())
            };
            let &[$($p),*] = params else {
                wrong(stringify!($name), "parameters", count!($($p)*), params.len())
            };
            $f($($first)* $($r,)* $out $(, $p)*)
        })
    };
}
use bind;

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

        /// The slice function of form `id` through `via`.
        pub fn slice_fn<T: Element>(via: Via, id: Id) -> SliceFn<T> {
            match id {
                $(Id::$name => {
                    match via {
                        Via::Scalar => bind!(crate::scalar::$name, (), $name, [$($r),*], $out, [$($p),*]),
                        Via::Simd => bind!(crate::simd::$name, (), $name, [$($r),*], $out, [$($p),*]),
                        #[cfg(feature = "rayon")]
                        Via::Par => bind!(crate::par::$name, (), $name, [$($r),*], $out, [$($p),*]),
                        Via::Root => bind!(crate::$name, (), $name, [$($r),*], $out, [$($p),*]),
                        Via::Kernels(k) => bind!(Kernels::$name, (&k,), $name, [$($r),*], $out, [$($p),*]),
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
                    let &[$($p),*] = params else {
                        wrong(stringify!($name), "parameters", count!($($p)*), params.len())
                    };
                    let &[$($r),*] = ins else {
                        wrong(stringify!($name), "inputs", count!($($r)*), ins.len())
                    };
                    crate::front::list::elem_fn::<T, _, _>($elem)([$($r),*], old)
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
                    let &[$($p),*] = params else {
                        wrong(stringify!($name), "parameters", count!($($p)*), params.len())
                    };
                    let &[$($r),*] = ins else {
                        wrong(stringify!($name), "inputs", count!($($r)*), ins.len())
                    };
                    crate::nd::$name($($r,)* out $(, $p)*)
                })*
            }
        }
    };
}
use table;
