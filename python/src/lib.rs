//! The Python module `relu_kernels`: the crate's `nd` functions over numpy
//! arrays of `float32`, `float64` and `float16`, with numpy's ufunc
//! conventions (`out=`, a new array otherwise); the per-channel functions
//! are in `channels`.
//!
//! Everything a call could fail on is checked here, before any kernel
//! runs, and raised as a Python exception: the kernels' own panics (shape,
//! alpha, bounds, `RELU_KERNELS_LEVEL`) never fire, so no input surfaces as
//! PyO3's `PanicException`.

mod alpha;
mod channels;
mod gil;
mod layout;

use kernels::__forms::{self, Form};
use kernels::Level;
use kernels::half::f16;
use ndarray::{ArrayRefD, ArrayViewD, ArrayViewMutD};
use numpy::{
    PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// One Python function: an op of the crate, run in place on `out` when
/// `out` is the array the op updates, else into `out`.
#[derive(Clone, Copy)]
struct Func {
    inplace: &'static Form,
    into: &'static Form,
    /// The names of the array arguments read.
    args: &'static [&'static str],
}

impl Func {
    fn family(self) -> &'static str {
        self.into.family
    }
}

/// An element type the module takes.
trait Dtype: kernels::Element + numpy::Element {
    /// The type's [`Kind`].
    const KIND: Kind;
    /// A parameter rounded to the type as numpy rounds a Python float.
    fn round(alpha: f64) -> Self;
    fn finite(self) -> bool;
    /// The value as a Python float holds it.
    fn value(self) -> f64;
}

impl Dtype for f64 {
    const KIND: Kind = Kind::F64;
    fn round(alpha: f64) -> Self {
        alpha
    }
    fn finite(self) -> bool {
        self.is_finite()
    }
    fn value(self) -> f64 {
        self
    }
}

impl Dtype for f32 {
    const KIND: Kind = Kind::F32;
    fn round(alpha: f64) -> Self {
        // `as` rounds to nearest, ties to even, as `np.float32(alpha)` does.
        alpha as f32
    }
    fn finite(self) -> bool {
        self.is_finite()
    }
    fn value(self) -> f64 {
        self.into()
    }
}

impl Dtype for f16 {
    const KIND: Kind = Kind::F16;
    fn round(alpha: f64) -> Self {
        alpha::f16_from_f64(alpha)
    }
    fn finite(self) -> bool {
        self.is_finite()
    }
    fn value(self) -> f64 {
        self.to_f64()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    F32,
    F64,
    F16,
}

/// `obj` as a numpy array, or a `TypeError` naming what it is.
fn array<'py>(
    family: &str,
    name: &str,
    obj: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyUntypedArray>> {
    obj.cast::<PyUntypedArray>().cloned().map_err(|_| {
        let ty = obj
            .get_type()
            .fully_qualified_name()
            .map_or_else(|_| "?".to_string(), |n| n.to_string());
        PyTypeError::new_err(format!(
            "relu_kernels.{family}: {name} must be a numpy.ndarray of float32, float64 or float16, not {ty}"
        ))
    })
}

/// The array's element type, or a `TypeError` naming its dtype.
fn kind(family: &str, name: &str, a: &Bound<'_, PyUntypedArray>) -> PyResult<Kind> {
    kind_of(a).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "relu_kernels.{family}: {name} has dtype {}; expected float32, float64 or float16 in native byte order",
            dtype_name(a)
        ))
    })
}

/// The array's element type, if the module takes it.
fn kind_of(a: &Bound<'_, PyUntypedArray>) -> Option<Kind> {
    use numpy::npyffi::NPY_TYPES;
    let dt = a.dtype();
    // The type number and byte order say it all for the built-in float
    // types (user-defined dtypes have numbers of their own), and reading
    // them is cheaper than comparing with numpy's descriptors.
    match (dt.num(), dt.is_native_byteorder()) {
        (n, Some(true)) if n == NPY_TYPES::NPY_FLOAT as i32 => Some(Kind::F32),
        (n, Some(true)) if n == NPY_TYPES::NPY_DOUBLE as i32 => Some(Kind::F64),
        (n, Some(true)) if n == NPY_TYPES::NPY_HALF as i32 => Some(Kind::F16),
        _ => None,
    }
}

fn writeable(a: &Bound<'_, PyUntypedArray>) -> bool {
    // SAFETY: `as_array_ptr` points to the array object, which `a` keeps
    // alive; its fields are read as numpy's `PyArray_ISWRITEABLE` reads
    // them (and as rust-numpy's own flag checks do).
    let flags = unsafe { (*numpy::npyffi::_PyArray_GET_ITEM_DATA(a.as_array_ptr())).flags };
    flags & numpy::npyffi::NPY_ARRAY_WRITEABLE != 0
}

fn dtype_name(a: &Bound<'_, PyUntypedArray>) -> String {
    a.dtype()
        .str()
        .map_or_else(|_| "?".to_string(), |s| s.to_string())
}

fn shape_str(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Checks every argument and runs the op.
fn call<'py>(
    py: Python<'py>,
    func: Func,
    args: &[&Bound<'py, PyAny>],
    params: &[f64],
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    Level::try_active().map_err(PyRuntimeError::new_err)?;
    let names = func.args;
    let family = func.family();
    let x = array(family, names[0], args[0])?;
    let dy = match args.get(1) {
        Some(a) => Some(array(family, names[1], a)?),
        None => None,
    };
    let out = out.map(|o| array(family, "out", o)).transpose()?;
    let first = kind(family, names[0], &x)?;
    let others = || {
        dy.iter()
            .map(|a| (names[1], a))
            .chain(out.iter().map(|o| ("out", o)))
    };
    same_dtype(family, (names[0], &x, first), others())?;
    same_shape(family, (names[0], x.shape()), others())?;
    if let Some(o) = &out
        && !writeable(o)
    {
        return Err(PyValueError::new_err(format!(
            "relu_kernels.{}: out is read-only",
            func.family()
        )));
    }
    match first {
        Kind::F32 => run::<f32>(py, func, x, dy, out, params),
        Kind::F64 => run::<f64>(py, func, x, dy, out, params),
        Kind::F16 => run::<f16>(py, func, x, dy, out, params),
    }
}

/// A `TypeError` unless every array of `others` has `first`'s dtype
/// (there is no casting).
fn same_dtype<'a, 'py: 'a>(
    family: &str,
    first: (&str, &Bound<'py, PyUntypedArray>, Kind),
    others: impl IntoIterator<Item = (&'a str, &'a Bound<'py, PyUntypedArray>)>,
) -> PyResult<()> {
    for (name, a) in others {
        if kind(family, name, a)? != first.2 {
            return Err(PyTypeError::new_err(format!(
                "relu_kernels.{family}: dtypes differ: {} is {}, {name} is {} (there is no casting)",
                first.0,
                dtype_name(first.1),
                dtype_name(a)
            )));
        }
    }
    Ok(())
}

/// A `ValueError` unless every array of `others` has the shape `first`
/// (there is no broadcasting).
fn same_shape<'a, 'py: 'a>(
    family: &str,
    first: (&str, &[usize]),
    others: impl IntoIterator<Item = (&'a str, &'a Bound<'py, PyUntypedArray>)>,
) -> PyResult<()> {
    for (name, a) in others {
        if a.shape() != first.1 {
            return Err(PyValueError::new_err(format!(
                "relu_kernels.{family}: shapes differ: {} has shape {}, {name} has shape {} (there is no broadcasting)",
                first.0,
                shape_str(first.1),
                shape_str(a.shape())
            )));
        }
    }
    Ok(())
}

/// What is wrong with an `alpha` (the Python float `value`) that is not
/// finite once rounded to `x`'s dtype.
fn alpha_not_finite(x: &Bound<'_, PyUntypedArray>, value: f64) -> String {
    format!(
        "alpha must be finite in {}, got {value:?}{}",
        dtype_name(x),
        if value.is_finite() {
            " (it overflows the dtype)"
        } else {
            ""
        }
    )
}

/// `a`, whose dtype [`kind`] found to be `T`'s, as a typed array.
fn typed<T: Dtype>(a: Bound<'_, PyUntypedArray>) -> Bound<'_, PyArrayDyn<T>> {
    // SAFETY: `a` is a numpy array (it passed `PyArray_Check` in `array`)
    // whose dtype has `T`'s type number in native byte order (`kind`),
    // which is what the checked cast would compare, at a higher price.
    unsafe { a.cast_into_unchecked::<PyArrayDyn<T>>() }
}

/// A new array of zeros, or numpy's `MemoryError` (rust-numpy's own
/// `zeros` panics when numpy cannot allocate, which would surface as a
/// `PanicException`: a broadcast input can have any shape).
fn zeros<'py, T: Dtype>(
    py: Python<'py>,
    shape: &[usize],
    fortran: bool,
) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    use numpy::npyffi::{PY_ARRAY_API, npy_intp};
    let mut dims: Vec<npy_intp> = shape.iter().map(|&n| n as npy_intp).collect();
    // SAFETY: `PyArray_Zeros` reads `dims.len()` dimensions from `dims`
    // and takes over the reference to the descriptor that
    // `into_dtype_ptr` hands out; it returns a new reference to an array
    // of `T`'s dtype, or null with a Python exception set, which
    // `from_owned_ptr_or_err` turns into the error.
    unsafe {
        let ptr = PY_ARRAY_API.PyArray_Zeros(
            py,
            dims.len() as core::ffi::c_int,
            dims.as_mut_ptr(),
            T::get_dtype(py).into_dtype_ptr(),
            if fortran { 1 } else { 0 },
        );
        Ok(Bound::from_owned_ptr_or_err(py, ptr)?.cast_into_unchecked())
    }
}

/// The op's parameters (at most two), rounded to `T` as numpy rounds
/// Python floats, and checked as the crate checks them: `alpha` finite
/// (in the dtype), the bounds ordered and not NaN (rounding keeps their
/// order). The unused slots are zero.
fn rounded<T: Dtype>(
    func: Func,
    x: &Bound<'_, PyUntypedArray>,
    values: &[f64],
) -> PyResult<Params<T>> {
    let mut params = Params([T::round(0.0); 2], values.len());
    for (slot, &v) in params.0.iter_mut().zip(values) {
        *slot = T::round(v);
    }
    let err = |what: String| {
        Err(PyValueError::new_err(format!(
            "relu_kernels.{}: {what}",
            func.family()
        )))
    };
    match (func.into.params, params.0) {
        (["alpha"], [a, _]) if !a.finite() => err(alpha_not_finite(x, values[0])),
        (["lo", "hi"], [lo, hi]) if lo.partial_cmp(&hi).is_none_or(|o| o.is_gt()) => err(format!(
            "the bounds must satisfy lo <= hi and not be NaN, got lo = {:?}, hi = {:?}",
            values[0], values[1]
        )),
        _ => Ok(params),
    }
}

/// A call's parameters, rounded to `T`: the first `.1` of `.0`.
#[derive(Clone, Copy)]
struct Params<T>([T; 2], usize);

impl<T> Params<T> {
    fn get(&self) -> &[T] {
        &self.0[..self.1]
    }
}

/// Runs the op on checked arrays of element type `T`.
fn run<'py, T: Dtype>(
    py: Python<'py>,
    func: Func,
    x: Bound<'py, PyUntypedArray>,
    dy: Option<Bound<'py, PyUntypedArray>>,
    out: Option<Bound<'py, PyUntypedArray>>,
    params: &[f64],
) -> PyResult<Bound<'py, PyAny>> {
    let params = rounded::<T>(func, &x, params)?;
    let x = typed::<T>(x);
    let dy = dy.map(typed::<T>);
    let target = match out {
        Some(o) => typed::<T>(o),
        None => {
            // A new array has the input's order: Fortran for a Fortran-
            // contiguous input, C otherwise.
            let fortran = x.is_fortran_contiguous() && !x.is_c_contiguous();
            zeros::<T>(py, x.shape(), fortran)?
        }
    };
    if target.len() == 0 {
        return Ok(target.into_any());
    }
    if !layout::viewable(&target, true)
        || !layout::viewable(&x, false)
        || dy.as_ref().is_some_and(|d| !layout::viewable(d, false))
    {
        return run_flat(py, func, &x, dy.as_ref(), target, params);
    }
    // `out` may be the input that the in-place form updates: `x` for the
    // one-array functions, `dy` for the backward passes.
    let in_place = layout::same_view(dy.as_ref().unwrap_or(&x), &target);
    // Any other input that shares memory with `out` is copied first, as
    // numpy's ufuncs do: the kernels would otherwise read elements that
    // they have already overwritten.
    let fresh = |a: &Bound<'py, PyArrayDyn<T>>| -> PyResult<Bound<'py, PyArrayDyn<T>>> {
        if layout::may_overlap(a, &target) {
            // Checked: a subclass may override `copy`.
            Ok(a.call_method0("copy")?.cast_into::<PyArrayDyn<T>>()?)
        } else {
            Ok(a.clone())
        }
    };
    let (first, second) = match (&dy, in_place) {
        (None, true) => (None, None),
        (None, false) | (Some(_), true) => (Some(fresh(&x)?), None),
        (Some(dy), false) => (Some(fresh(&x)?), Some(fresh(dy)?)),
    };
    let updated = in_place.then(|| dy.as_ref().unwrap_or(&x));
    compute(
        py,
        func,
        first.as_ref(),
        second.as_ref(),
        &target,
        params,
        updated,
    )?;
    Ok(target.into_any())
}

/// Layouts the kernels cannot view (unaligned, strides that are not whole
/// elements, an output whose elements overlap, over 32 dimensions): the
/// inputs flattened into new arrays, the result computed into another,
/// and numpy's assignment to put it in place.
fn run_flat<'py, T: Dtype>(
    py: Python<'py>,
    func: Func,
    x: &Bound<'py, PyArrayDyn<T>>,
    dy: Option<&Bound<'py, PyArrayDyn<T>>>,
    target: Bound<'py, PyArrayDyn<T>>,
    params: Params<T>,
) -> PyResult<Bound<'py, PyAny>> {
    let flat = |a: &Bound<'py, PyArrayDyn<T>>| -> PyResult<Bound<'py, PyArrayDyn<T>>> {
        // Checked: a subclass may override `flatten`.
        Ok(a.call_method0("flatten")?.cast_into::<PyArrayDyn<T>>()?)
    };
    let x = flat(x)?;
    let dy = dy.map(flat).transpose()?;
    let tmp = zeros::<T>(py, &[target.len()], false)?;
    compute(py, func, Some(&x), dy.as_ref(), &tmp, params, None)?;
    let shape = PyTuple::new(py, target.shape())?;
    target.set_item(py.Ellipsis(), tmp.call_method1("reshape", (shape,))?)?;
    Ok(target.into_any())
}

/// Borrows the arrays, checks them again, and runs the kernel (without the
/// GIL for long calls; short ones skip the borrows when they can, see
/// [`gil`]). `updated` is the input that `out` stands for when the call
/// runs in place (`out` is then not among the inputs borrowed).
///
/// The checks in [`call`] and [`run`] come before copies that can run
/// Python code (a subclass's `copy`) or let other threads run (numpy
/// releases the GIL while it copies a large array), which may change an
/// array's dtype, shape or strides meanwhile. So everything the views rely
/// on is checked again here, on the borrowed arrays (or with the GIL held
/// to the end), with nothing in between that could run Python code: a
/// change is a `ValueError`, never a view of the wrong memory. Calls that
/// copy nothing are checked again too: allocating the output can run the
/// garbage collector, and with it any finalizer. Once the views exist,
/// they no longer read the arrays' attributes, and the memory they view
/// stays alive with the arrays.
fn compute<'py, T: Dtype>(
    py: Python<'py>,
    func: Func,
    first: Option<&Bound<'py, PyArrayDyn<T>>>,
    second: Option<&Bound<'py, PyArrayDyn<T>>>,
    out: &Bound<'py, PyArrayDyn<T>>,
    params: Params<T>,
    updated: Option<&Bound<'py, PyArrayDyn<T>>>,
) -> PyResult<()> {
    let form = if updated.is_some() {
        func.inplace
    } else {
        func.into
    };
    let bytes = out.len() * core::mem::size_of::<T>();
    let inputs = || [first, second].into_iter().flatten();
    // Arrays that are all C-contiguous, or all Fortran-contiguous, hold
    // their elements in one order: their memory is the slices the root
    // function takes, with no view to build.
    let order = |c: fn(&Bound<'py, PyArrayDyn<T>>) -> bool| c(out) && inputs().all(c);
    let slices = order(|a| a.is_c_contiguous()) || order(|a| a.is_fortran_contiguous());
    let params = params.get();
    if slices && bytes < gil::KEEP_BELOW_BYTES && gil::none_in_flight(py) {
        check_again(func, first, second, out, updated)?;
        let read = |a: &Bound<'py, PyArrayDyn<T>>| {
            // SAFETY: `a` is a contiguous, aligned array of `len()`
            // elements of `T` (checked just now, with the GIL held since),
            // which it keeps alive; nothing writes it while this call
            // keeps the GIL, since no call runs without it (`gil`), and
            // `out` does not overlap it (checked).
            unsafe { core::slice::from_raw_parts(a.data().cast_const(), a.len()) }
        };
        // SAFETY: as for `read`; `out`'s elements are distinct (it is
        // contiguous) and no other reference to them exists meanwhile.
        let dst = unsafe { core::slice::from_raw_parts_mut(out.data(), out.len()) };
        with_slices(first.map(read), second.map(read), |ins| {
            __forms::call_root(form.id, ins, dst, params)
        });
        return Ok(());
    }
    let busy = |what: &str| {
        PyRuntimeError::new_err(format!(
            "relu_kernels.{}: {what} is in use by a call on another thread (no call may write an array that another call reads or writes)",
            func.family()
        ))
    };
    let mut out_rw = out.try_readwrite().map_err(|_| busy("out"))?;
    let ro = |a: Option<&Bound<'py, PyArrayDyn<T>>>| {
        a.map(|a| a.try_readonly().map_err(|_| busy("an input")))
            .transpose()
    };
    let (ro1, ro2) = (ro(first)?, ro(second)?);
    check_again(func, first, second, out, updated)?;
    if slices {
        let s1 = ro1.as_ref().map(|r| r.as_slice());
        let s2 = ro2.as_ref().map(|r| r.as_slice());
        if let (Ok(dst), Ok(s1), Ok(s2)) = (out_rw.as_slice_mut(), s1.transpose(), s2.transpose()) {
            with_slices(s1, s2, |ins| {
                gil::detach_if_long(py, bytes, || __forms::call_root(form.id, ins, dst, params))
            });
            return Ok(());
        }
    }
    let v1 = ro1.as_ref().map(|r| r.as_array());
    let v2 = ro2.as_ref().map(|r| r.as_array());
    let mut dst = out_rw.as_array_mut();
    gil::detach_if_long(py, bytes, || {
        kernel(form, params, v1.as_ref(), v2.as_ref(), &mut dst)
    });
    Ok(())
}

/// Checks again everything the kernel's views rely on (see [`compute`]).
fn check_again<'py, T: Dtype>(
    func: Func,
    first: Option<&Bound<'py, PyArrayDyn<T>>>,
    second: Option<&Bound<'py, PyArrayDyn<T>>>,
    out: &Bound<'py, PyArrayDyn<T>>,
    updated: Option<&Bound<'py, PyArrayDyn<T>>>,
) -> PyResult<()> {
    let changed = |name: &str| {
        PyValueError::new_err(format!(
            "relu_kernels.{}: {name} changed during the call (its dtype, shape or strides, by another thread or an overridden method)",
            func.family()
        ))
    };
    let as_typed = |a: &Bound<'py, PyArrayDyn<T>>| kind_of(a.as_untyped()) == Some(T::KIND);
    if !as_typed(out) || !layout::viewable(out, true) {
        return Err(changed("out"));
    }
    for a in [first, second].into_iter().flatten() {
        if !as_typed(a)
            || !layout::viewable(a, false)
            || a.shape() != out.shape()
            || layout::may_overlap(a, out)
        {
            return Err(changed("an input"));
        }
    }
    if let Some(input) = updated
        && !input.is(out)
        && !(as_typed(input) && layout::same_view(input, out))
    {
        return Err(changed("the input updated in place"));
    }
    Ok(())
}

/// Calls `f` with the inputs that are there, `a` before `b`.
fn with_slices<T, R>(a: Option<&[T]>, b: Option<&[T]>, f: impl FnOnce(&[&[T]]) -> R) -> R {
    match (a, b) {
        (Some(a), Some(b)) => f(&[a, b]),
        (Some(a), None) => f(&[a]),
        _ => f(&[]),
    }
}

/// The `nd` function of `form` (the in-place form updates `out`, which
/// for the backward passes holds `dy`, with `first` as `x`).
fn kernel<T: Dtype>(
    form: &Form,
    params: &[T],
    first: Option<&ArrayViewD<'_, T>>,
    second: Option<&ArrayViewD<'_, T>>,
    out: &mut ArrayViewMutD<'_, T>,
) {
    let (one, two);
    let ins: &[&ArrayRefD<T>] = match (first, second) {
        (None, _) => &[],
        (Some(a), None) => {
            one = [&**a];
            &one
        }
        (Some(a), Some(b)) => {
            two = [&**a, &**b];
            &two
        }
    };
    __forms::call_nd(form.id, ins, out, params);
}

/// One Python function per op of the crate's list, with numpy's ufunc
/// conventions: the arrays it reads, the op's parameters (with their
/// defaults) and `out`.
macro_rules! py_functions {
    ([] $({
        family: $family:ident;
        about: $about:literal;
        example: [$($value:literal),* $(; $($pv:literal),*)?] -> $result:literal;
        op: [
            lead: []; params: [$($p:ident: $pty:ty $(= $pd:tt)?),*]; panics: $panics:tt; checks: $checks:tt;
            kernel: |$k:ident, $io:ident| $kernel:expr;
            elem: |[$($r:ident),*], $from:ident| $elem:expr;
        ];
        inplace: [$inplace:ident, $($inplace_rest:tt)*];
        into: [$into:ident, $($into_rest:tt)*];
    })*) => {
        $(
            #[doc = $about]
            #[doc = ""]
            #[doc = concat!(
                "Returns `out` if given (`out=", stringify!($from),
                "` works in place), else a new array of the input's shape and dtype ",
                "(C order unless the input is Fortran-contiguous). The arrays are ",
                "float32, float64 or float16, all of one dtype and one shape (no ",
                "casting, no broadcasting), of any layout."
            )]
            #[doc = ""]
            #[doc = "Raises:"]
            #[doc = "    TypeError: an argument is not a numpy.ndarray, its dtype is not float32,"]
            #[doc = "        float64 or float16 in native byte order, or the dtypes differ."]
            #[doc = concat!(
                "    ValueError: the shapes differ, out is read-only, ",
                $(param_error!($p),)* "or an array changed during the call."
            )]
            #[doc = "    RuntimeError: RELU_KERNELS_LEVEL is invalid, or out is in use by a call"]
            #[doc = "        on another thread."]
            #[doc = ""]
            #[doc = "Example:"]
            #[doc = "    >>> import numpy as np, relu_kernels"]
            #[doc = concat!(
                "    >>> relu_kernels.", stringify!($family), "(",
                example_args!($($value),*) $($(, ", ", $pv)*)?, ").tolist()"
            )]
            #[doc = concat!("    ", $result)]
            #[pyfunction]
            #[pyo3(signature = ($($r,)* $from, $($p $(= $pd)?,)* out = None))]
            fn $family<'py>(
                py: Python<'py>,
                $($r: &Bound<'py, PyAny>,)*
                $from: &Bound<'py, PyAny>,
                $($p: f64,)*
                out: Option<&Bound<'py, PyAny>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let func = Func {
                    inplace: __forms::Id::$inplace.form(),
                    into: __forms::Id::$into.form(),
                    args: &[$(stringify!($r),)* stringify!($from)],
                };
                call(py, func, &[$($r,)* $from], &[$($p),*], out)
            }
        )*

        /// Adds every function to the module.
        fn add_functions(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add_function(wrap_pyfunction!($family, m)?)?;)*
            Ok(())
        }
    };
}

/// What a parameter's `ValueError` says, in the docstring's list.
macro_rules! param_error {
    (alpha) => {
        "alpha is not finite in the dtype, "
    };
    (lo) => {
        "lo > hi or a bound is NaN (in the dtype), "
    };
    (hi) => {
        ""
    };
}

/// The example's arguments: each value as a numpy array.
macro_rules! example_args {
    ($first:literal $(, $rest:literal)*) => {
        concat!("np.array(", $first, ")" $(, ", np.array(", $rest, ")")*)
    };
}

kernels::for_each_op!(py_functions);

/// SIMD ReLU, Leaky ReLU, clamp, PReLU, bias + activation and their
/// gradients over numpy arrays of float32, float64 and float16, from the
/// relu-kernels Rust crate.
// The module relies on the GIL: its checks and the borrows that follow
// them run while it is held, so that no other thread changes an array in
// between. On a free-threaded CPython, importing it turns the GIL on.
#[pymodule(gil_used = true)]
fn relu_kernels(m: &Bound<'_, PyModule>) -> PyResult<()> {
    add_functions(m)?;
    channels::add_functions(m)?;
    m.add("LEVEL_ENV", kernels::LEVEL_ENV)?;
    Ok(())
}
