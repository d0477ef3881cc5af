//! The Python module `relu_kernels`: the crate's `nd` functions over numpy
//! arrays of `float32`, `float64` and `float16`, with numpy's ufunc
//! conventions (`out=`, a new array otherwise).
//!
//! Everything a call could fail on is checked here, before any kernel
//! runs, and raised as a Python exception: the kernels' own panics (shape,
//! alpha, `RELU_KERNELS_LEVEL`) never fire, so no input surfaces as
//! PyO3's `PanicException`.

mod alpha;
mod layout;

use kernels::half::f16;
use kernels::{Level, nd};
use ndarray::{ArrayViewD, ArrayViewMutD, IxDyn};
use numpy::{
    PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// One Python function: which op, and what its arguments are called.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Relu,
    LeakyRelu,
    ReluGrad,
    LeakyReluGrad,
    ReluBackward,
    LeakyReluBackward,
    ReluBackwardFromOutput,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Relu => "relu",
            Op::LeakyRelu => "leaky_relu",
            Op::ReluGrad => "relu_grad",
            Op::LeakyReluGrad => "leaky_relu_grad",
            Op::ReluBackward => "relu_backward",
            Op::LeakyReluBackward => "leaky_relu_backward",
            Op::ReluBackwardFromOutput => "relu_backward_from_output",
        }
    }

    /// The names of the array arguments read.
    fn inputs(self) -> &'static [&'static str] {
        match self {
            Op::ReluBackward | Op::LeakyReluBackward => &["x", "dy"],
            Op::ReluBackwardFromOutput => &["y", "dy"],
            _ => &["x"],
        }
    }

    /// Which input `out` may be to run in place: the forward input for the
    /// one-array functions, `dy` for the backward passes (the slice
    /// functions update the incoming gradient in place).
    fn in_place_input(self) -> usize {
        self.inputs().len() - 1
    }
}

/// An element type the module takes.
trait Dtype: kernels::Element + numpy::Element {
    /// `alpha` rounded to the type as numpy rounds a Python float.
    fn round(alpha: f64) -> Self;
    fn finite(self) -> bool;
}

impl Dtype for f64 {
    fn round(alpha: f64) -> Self {
        alpha
    }
    fn finite(self) -> bool {
        self.is_finite()
    }
}

impl Dtype for f32 {
    fn round(alpha: f64) -> Self {
        // `as` rounds to nearest, ties to even, as `np.float32(alpha)` does.
        alpha as f32
    }
    fn finite(self) -> bool {
        self.is_finite()
    }
}

impl Dtype for f16 {
    fn round(alpha: f64) -> Self {
        alpha::f16_from_f64(alpha)
    }
    fn finite(self) -> bool {
        self.is_finite()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    F32,
    F64,
    F16,
}

/// `obj` as a numpy array, or a `TypeError` naming what it is.
fn array<'py>(op: Op, name: &str, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyUntypedArray>> {
    obj.cast::<PyUntypedArray>().cloned().map_err(|_| {
        let ty = obj
            .get_type()
            .fully_qualified_name()
            .map_or_else(|_| "?".to_string(), |n| n.to_string());
        PyTypeError::new_err(format!(
            "relu_kernels.{}: {name} must be a numpy.ndarray of float32, float64 or float16, not {ty}",
            op.name()
        ))
    })
}

/// The array's element type, or a `TypeError` naming its dtype.
fn kind(op: Op, name: &str, a: &Bound<'_, PyUntypedArray>) -> PyResult<Kind> {
    let py = a.py();
    let dt = a.dtype();
    // `is_equiv_to` also compares byte order, so `>f4` on a little-endian
    // machine is none of these.
    let k = if dt.is_equiv_to(&numpy::dtype::<f32>(py)) {
        Kind::F32
    } else if dt.is_equiv_to(&numpy::dtype::<f64>(py)) {
        Kind::F64
    } else if dt.is_equiv_to(&numpy::dtype::<f16>(py)) {
        Kind::F16
    } else {
        return Err(PyTypeError::new_err(format!(
            "relu_kernels.{}: {name} has dtype {}; expected float32, float64 or float16 in native byte order",
            op.name(),
            dtype_name(a)
        )));
    };
    Ok(k)
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
    op: Op,
    args: &[&Bound<'py, PyAny>],
    alpha: Option<f64>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    Level::try_active().map_err(PyRuntimeError::new_err)?;
    let names = op.inputs();
    let ins = names
        .iter()
        .zip(args)
        .map(|(name, a)| array(op, name, a))
        .collect::<PyResult<Vec<_>>>()?;
    let out = out.map(|o| array(op, "out", o)).transpose()?;
    let first = kind(op, names[0], &ins[0])?;
    let named = names
        .iter()
        .copied()
        .zip(&ins)
        .chain(out.iter().map(|o| ("out", o)));
    for (name, a) in named.clone().skip(1) {
        if kind(op, name, a)? != first {
            return Err(PyTypeError::new_err(format!(
                "relu_kernels.{}: dtypes differ: {} is {}, {name} is {} (there is no casting)",
                op.name(),
                names[0],
                dtype_name(&ins[0]),
                dtype_name(a)
            )));
        }
    }
    for (name, a) in named.skip(1) {
        if a.shape() != ins[0].shape() {
            return Err(PyValueError::new_err(format!(
                "relu_kernels.{}: shapes differ: {} has shape {}, {name} has shape {} (there is no broadcasting)",
                op.name(),
                names[0],
                shape_str(ins[0].shape()),
                shape_str(a.shape())
            )));
        }
    }
    if let Some(o) = &out
        && !writeable(o)
    {
        return Err(PyValueError::new_err(format!(
            "relu_kernels.{}: out is read-only",
            op.name()
        )));
    }
    match first {
        Kind::F32 => run::<f32>(py, op, ins, out, alpha),
        Kind::F64 => run::<f64>(py, op, ins, out, alpha),
        Kind::F16 => run::<f16>(py, op, ins, out, alpha),
    }
}

/// Runs the op on checked arrays of element type `T`.
fn run<'py, T: Dtype>(
    py: Python<'py>,
    op: Op,
    ins: Vec<Bound<'py, PyUntypedArray>>,
    out: Option<Bound<'py, PyUntypedArray>>,
    alpha: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let alpha = match alpha {
        Some(a) => {
            let rounded = T::round(a);
            if !rounded.finite() {
                return Err(PyValueError::new_err(format!(
                    "relu_kernels.{}: alpha must be finite in {}, got {a:?}{}",
                    op.name(),
                    dtype_name(&ins[0]),
                    if a.is_finite() {
                        " (it overflows the dtype)"
                    } else {
                        ""
                    }
                )));
            }
            rounded
        }
        None => T::round(0.0),
    };
    // The dtypes were checked: these casts succeed.
    let ins = ins
        .into_iter()
        .map(|a| Ok(a.cast_into::<PyArrayDyn<T>>()?))
        .collect::<PyResult<Vec<_>>>()?;
    let target = match out {
        Some(o) => o.cast_into::<PyArrayDyn<T>>()?,
        None => {
            let x = &ins[0];
            // A new array has the input's order: Fortran for a Fortran-
            // contiguous input, C otherwise.
            let fortran = x.is_fortran_contiguous() && !x.is_c_contiguous();
            PyArrayDyn::<T>::zeros(py, IxDyn(x.shape()), fortran)
        }
    };
    if target.len() == 0 {
        return Ok(target.into_any());
    }
    if !layout::viewable(&target, true) || ins.iter().any(|a| !layout::viewable(a, false)) {
        return run_flat(py, op, &ins, target, alpha);
    }
    let ip = op.in_place_input();
    let in_place = layout::same_view(&ins[ip], &target);
    // An input that shares memory with `out` (other than `out` itself, in
    // place) is copied first, as numpy's ufuncs do: the kernels read each
    // element once and write it once, but in another array's order.
    let mut read = Vec::with_capacity(ins.len());
    for (i, a) in ins.iter().enumerate() {
        if in_place && i == ip {
            continue;
        }
        read.push(if layout::may_overlap(a, &target) {
            a.call_method0("copy")?.cast_into::<PyArrayDyn<T>>()?
        } else {
            a.clone()
        });
    }
    compute(py, op, &read, &target, alpha, in_place)?;
    Ok(target.into_any())
}

/// Layouts the kernels cannot view (unaligned, strides that are not whole
/// elements, an output whose elements overlap, over 32 dimensions): the
/// inputs flattened into new arrays, the result computed into another,
/// and numpy's assignment to put it in place.
fn run_flat<'py, T: Dtype>(
    py: Python<'py>,
    op: Op,
    ins: &[Bound<'py, PyArrayDyn<T>>],
    target: Bound<'py, PyArrayDyn<T>>,
    alpha: T,
) -> PyResult<Bound<'py, PyAny>> {
    let flat = ins
        .iter()
        .map(|a| Ok(a.call_method0("flatten")?.cast_into::<PyArrayDyn<T>>()?))
        .collect::<PyResult<Vec<_>>>()?;
    let tmp = PyArrayDyn::<T>::zeros(py, IxDyn(&[target.len()]), false);
    compute(py, op, &flat, &tmp, alpha, false)?;
    let shape = PyTuple::new(py, target.shape())?;
    target.set_item(py.Ellipsis(), tmp.call_method1("reshape", (shape,))?)?;
    Ok(target.into_any())
}

/// Borrows the arrays (no two overlap, but for `out` being the in-place
/// input) and runs the kernel without the GIL.
fn compute<T: Dtype>(
    py: Python<'_>,
    op: Op,
    read: &[Bound<'_, PyArrayDyn<T>>],
    out: &Bound<'_, PyArrayDyn<T>>,
    alpha: T,
    in_place: bool,
) -> PyResult<()> {
    let busy = |what: &str| {
        PyRuntimeError::new_err(format!(
            "relu_kernels.{}: {what} is in use by a call on another thread that writes it",
            op.name()
        ))
    };
    let mut out_rw = out.try_readwrite().map_err(|_| busy("out"))?;
    let read_ro = read
        .iter()
        .map(|a| a.try_readonly().map_err(|_| busy("an input")))
        .collect::<PyResult<Vec<_>>>()?;
    let views: Vec<ArrayViewD<'_, T>> = read_ro.iter().map(|r| r.as_array()).collect();
    let mut dst = out_rw.as_array_mut();
    py.detach(|| kernel(op, alpha, &views, &mut dst, in_place));
    Ok(())
}

/// The `nd` function of `op`: in place on `out` (for the backward passes,
/// `out` holds `dy`), or from `read` into `out`.
fn kernel<T: Dtype>(
    op: Op,
    alpha: T,
    read: &[ArrayViewD<'_, T>],
    out: &mut ArrayViewMutD<'_, T>,
    in_place: bool,
) {
    match (op, in_place, read) {
        (Op::Relu, true, []) => nd::relu_inplace(out),
        (Op::Relu, false, [x]) => nd::relu_into(x, out),
        (Op::LeakyRelu, true, []) => nd::leaky_relu_inplace(out, alpha),
        (Op::LeakyRelu, false, [x]) => nd::leaky_relu_into(x, out, alpha),
        (Op::ReluGrad, true, []) => nd::relu_grad_inplace(out),
        (Op::ReluGrad, false, [x]) => nd::relu_grad_into(x, out),
        (Op::LeakyReluGrad, true, []) => nd::leaky_relu_grad_inplace(out, alpha),
        (Op::LeakyReluGrad, false, [x]) => nd::leaky_relu_grad_into(x, out, alpha),
        (Op::ReluBackward, true, [x]) => nd::relu_backward_inplace(x, out),
        (Op::ReluBackward, false, [x, dy]) => nd::relu_backward_into(x, dy, out),
        (Op::LeakyReluBackward, true, [x]) => nd::leaky_relu_backward_inplace(x, out, alpha),
        (Op::LeakyReluBackward, false, [x, dy]) => nd::leaky_relu_backward_into(x, dy, out, alpha),
        (Op::ReluBackwardFromOutput, true, [y]) => nd::relu_backward_from_output_inplace(y, out),
        (Op::ReluBackwardFromOutput, false, [y, dy]) => {
            nd::relu_backward_from_output_into(y, dy, out)
        }
        _ => unreachable!("the inputs match the op"),
    }
}

/// ReLU, `max(0, x)` (`-0.0` gives `+0.0`, NaN propagates).
///
/// Returns `out` if given (`out=x` works in place), else a new array of
/// `x`'s shape and dtype (C order unless `x` is Fortran-contiguous).
#[pyfunction]
#[pyo3(signature = (x, out=None))]
fn relu<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    call(py, Op::Relu, &[x], None, out)
}

/// Leaky ReLU: `x` where `x > 0`, else `alpha * x` (one multiply in the
/// dtype; `alpha` is rounded to the dtype as numpy rounds it).
///
/// Returns `out` if given (`out=x` works in place), else a new array.
#[pyfunction]
#[pyo3(signature = (x, alpha=0.01, out=None))]
fn leaky_relu<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    alpha: f64,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    call(py, Op::LeakyRelu, &[x], Some(alpha), out)
}

/// ReLU's derivative: 1 where `x >= 0` (both zeros), 0 where `x < 0`, NaN
/// for NaN.
///
/// Returns `out` if given (`out=x` works in place), else a new array.
#[pyfunction]
#[pyo3(signature = (x, out=None))]
fn relu_grad<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    call(py, Op::ReluGrad, &[x], None, out)
}

/// Leaky ReLU's derivative: 1 where `x >= 0`, `alpha` where `x < 0`, NaN
/// for NaN.
///
/// Returns `out` if given (`out=x` works in place), else a new array.
#[pyfunction]
#[pyo3(signature = (x, alpha=0.01, out=None))]
fn leaky_relu_grad<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    alpha: f64,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    call(py, Op::LeakyReluGrad, &[x], Some(alpha), out)
}

/// ReLU's backward pass from the forward input `x`: `dy` where `x >= 0`,
/// `+0.0` where `x < 0` (whatever `dy` is), NaN where `x` is NaN.
///
/// Returns `out` if given (`out=dy` works in place), else a new array.
#[pyfunction]
#[pyo3(signature = (x, dy, out=None))]
fn relu_backward<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    dy: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    call(py, Op::ReluBackward, &[x, dy], None, out)
}

/// Leaky ReLU's backward pass from the forward input `x`: `dy` where
/// `x >= 0`, `alpha * dy` where `x < 0`, NaN where `x` is NaN.
///
/// Returns `out` if given (`out=dy` works in place), else a new array.
#[pyfunction]
#[pyo3(signature = (x, dy, alpha=0.01, out=None))]
fn leaky_relu_backward<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    dy: &Bound<'py, PyAny>,
    alpha: f64,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    call(py, Op::LeakyReluBackward, &[x, dy], Some(alpha), out)
}

/// ReLU's backward pass from the forward output `y = relu(x)`: `dy` where
/// `y > 0`, `+0.0` where `y <= 0`, NaN where `y` is NaN (PyTorch's
/// `threshold_backward(dy, y, 0)` but for NaN).
///
/// Returns `out` if given (`out=dy` works in place), else a new array.
#[pyfunction]
#[pyo3(signature = (y, dy, out=None))]
fn relu_backward_from_output<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    dy: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    call(py, Op::ReluBackwardFromOutput, &[y, dy], None, out)
}

/// SIMD ReLU, Leaky ReLU and their gradients over numpy arrays of
/// float32, float64 and float16, from the relu-kernels Rust crate.
#[pymodule]
fn relu_kernels(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(relu, m)?)?;
    m.add_function(wrap_pyfunction!(leaky_relu, m)?)?;
    m.add_function(wrap_pyfunction!(relu_grad, m)?)?;
    m.add_function(wrap_pyfunction!(leaky_relu_grad, m)?)?;
    m.add_function(wrap_pyfunction!(relu_backward, m)?)?;
    m.add_function(wrap_pyfunction!(leaky_relu_backward, m)?)?;
    m.add_function(wrap_pyfunction!(relu_backward_from_output, m)?)?;
    m.add("LEVEL_ENV", kernels::LEVEL_ENV)?;
    Ok(())
}
