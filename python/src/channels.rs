//! The per-channel functions: bias + activation, PReLU, and their backward
//! passes with the parameter's gradient, over numpy arrays, through the
//! crate's `nd::channels` (any layout).
//!
//! As for the elementwise functions, everything a call could fail on is
//! checked here and raised as a Python exception before any kernel runs.
//! The arrays are borrowed, and checked again, only after every copy that
//! could run Python code, so what the kernels see is what was checked.

use kernels::nd::channels as ndc;
use ndarray::{ArrayViewD, ArrayViewMutD, Axis};
use numpy::{PyArray1, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::{
    Dtype, Kind, alpha_not_finite, dtype_name, gil::detach_if_long, kind_of, layout, same_dtype,
    same_shape, shape_str, typed, writeable, zeros,
};

/// Where a call's channels are.
#[derive(Clone, Copy)]
enum Channels {
    /// Along `axis` (negative counts from the end), the parameter with as
    /// many elements as the array has along it.
    Axis(isize),
    /// PyTorch's `prelu`: axis 1 for arrays of two or more dimensions, one
    /// channel otherwise; a `weight` of one element is one channel too.
    Torch,
}

/// The channel axis of the views the kernels get; `None` for one channel
/// over the whole array (the views then gain a leading axis of length 1).
type Resolved = Option<usize>;

/// What a function is called, for its messages, with its arguments' names.
struct Call {
    name: &'static str,
}

impl Call {
    fn err(&self, ty: fn(String) -> PyErr, what: String) -> PyErr {
        ty(format!("relu_kernels.{}: {what}", self.name))
    }

    fn value<T>(&self, what: String) -> PyResult<T> {
        Err(self.err(PyValueError::new_err, what))
    }

    /// `obj` as a numpy array of a dtype the module takes (a `TypeError`
    /// otherwise), with its kind.
    fn array<'py>(
        &self,
        name: &str,
        obj: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyUntypedArray>, Kind)> {
        let a = crate::array(self.name, name, obj)?;
        let k = crate::kind(self.name, name, &a)?;
        Ok((a, k))
    }

    /// The channel axis for an array of `shape` and a parameter (or
    /// gradient) of `len` elements named `param`.
    fn resolve(
        &self,
        channels: Channels,
        shape: &[usize],
        param: &str,
        len: Option<usize>,
    ) -> PyResult<Resolved> {
        let ndim = shape.len();
        let axis = match channels {
            Channels::Torch if ndim < 2 || len == Some(1) => None,
            Channels::Torch => Some(1),
            Channels::Axis(a) => {
                let k = if a < 0 { a + ndim as isize } else { a };
                if k < 0 || k >= ndim as isize {
                    return self.value(format!(
                        "axis {a} is out of bounds for an array of dimension {ndim}"
                    ));
                }
                Some(k as usize)
            }
        };
        let want = axis.map_or(1, |k| shape[k]);
        match len {
            Some(n) if n != want => {
                let along = match (channels, axis) {
                    (Channels::Torch, Some(_)) => {
                        format!("1 or {want} elements (the input has {want} channels along axis 1)")
                    }
                    (Channels::Torch, None) => {
                        "1 element (an input of fewer than 2 dimensions has one channel)".into()
                    }
                    (Channels::Axis(_), _) => format!(
                        "{want} elements (the input's length along axis {})",
                        axis.unwrap_or(0)
                    ),
                };
                self.value(format!("{param} has {n} elements; it must have {along}"))
            }
            _ => Ok(axis),
        }
    }

    /// The parameter's values: a 1-d array of finite values.
    fn params<T: Dtype>(&self, name: &str, a: Bound<'_, PyUntypedArray>) -> PyResult<Vec<T>> {
        if a.ndim() != 1 {
            return self.value(format!(
                "{name} must be 1-dimensional, got shape {}",
                shape_str(a.shape())
            ));
        }
        let a = readable(typed::<T>(a))?;
        let ro = a.try_readonly().map_err(|_| self.busy(name))?;
        let values: Vec<T> = ro.as_array().iter().copied().collect();
        if let Some(i) = values.iter().position(|v| !v.finite()) {
            return self.value(format!(
                "every element of {name} must be finite, got {name}[{i}] = {}",
                python_float(values[i].value())
            ));
        }
        Ok(values)
    }

    /// `alpha` rounded to `T` and checked: finite, and positive where
    /// `positive`.
    fn alpha<T: Dtype>(
        &self,
        alpha: f64,
        positive: bool,
        x: &Bound<'_, PyUntypedArray>,
    ) -> PyResult<T> {
        let a = T::round(alpha);
        if !a.finite() {
            return self.value(alpha_not_finite(x, alpha));
        }
        // `a` is finite here, so `<=` is the negation of `>`.
        if positive && a <= T::round(0.0) {
            return self.value(format!(
                "alpha must be positive here (the output keeps the input's sign only then), got {alpha:?} ({} in {})",
                python_float(a.value()),
                dtype_name(x)
            ));
        }
        Ok(a)
    }

    fn busy(&self, name: &str) -> PyErr {
        self.err(
            PyRuntimeError::new_err,
            format!(
                "{name} is in use by a call on another thread (no call may write an array that another call reads or writes)"
            ),
        )
    }

    fn changed(&self, name: &str) -> PyErr {
        self.err(
            PyValueError::new_err,
            format!(
                "{name} changed during the call (its dtype, shape or strides, by another thread or an overridden method)"
            ),
        )
    }
}

/// `v` as Python's `repr` writes a float that is not finite, else as Rust
/// does (the same digits).
fn python_float(v: f64) -> String {
    match v {
        _ if v.is_nan() => "nan".into(),
        f64::INFINITY => "inf".into(),
        f64::NEG_INFINITY => "-inf".into(),
        _ => format!("{v:?}"),
    }
}

/// `a` as the kernels can view it: itself, or a copy (checked: a subclass
/// may override `copy`) where it is unaligned or steps by part of an
/// element.
fn readable<'py, T: Dtype>(a: Bound<'py, PyArrayDyn<T>>) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    if layout::viewable(&a, false) {
        Ok(a)
    } else {
        Ok(a.call_method0("copy")?.cast_into::<PyArrayDyn<T>>()?)
    }
}

/// A new array of `like`'s shape: Fortran order for a Fortran-contiguous
/// `like`, C order otherwise.
fn new_like<'py, T: Dtype>(
    py: Python<'py>,
    like: &Bound<'py, PyArrayDyn<T>>,
) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    let fortran = like.is_fortran_contiguous() && !like.is_c_contiguous();
    zeros::<T>(py, like.shape(), fortran)
}

/// The views' channel axis: a leading axis of one element for one channel.
fn widen<'a, T>(a: ArrayViewD<'a, T>, axis: Resolved) -> (ArrayViewD<'a, T>, Axis) {
    match axis {
        Some(k) => (a, Axis(k)),
        None => (a.insert_axis(Axis(0)), Axis(0)),
    }
}

fn widen_mut<'a, T>(a: ArrayViewMutD<'a, T>, axis: Resolved) -> (ArrayViewMutD<'a, T>, Axis) {
    match axis {
        Some(k) => (a, Axis(k)),
        None => (a.insert_axis(Axis(0)), Axis(0)),
    }
}

/// A forward op: `relu(x + bias)`, `leaky_relu(x + bias, alpha)` or
/// `leaky_relu(x, slope)`, per channel.
#[derive(Clone, Copy)]
enum Forward<T> {
    BiasRelu,
    BiasLeakyRelu(T),
    Prelu,
}

impl<T: Dtype> Forward<T> {
    fn inplace(self, x: &mut ArrayViewMutD<'_, T>, p: &[T], axis: Axis) {
        match self {
            Forward::BiasRelu => ndc::bias_relu_inplace(x, p, axis),
            Forward::BiasLeakyRelu(a) => ndc::bias_leaky_relu_inplace(x, p, axis, a),
            Forward::Prelu => ndc::prelu_inplace(x, p, axis),
        }
    }

    fn into(self, x: &ArrayViewD<'_, T>, p: &[T], axis: Axis, y: &mut ArrayViewMutD<'_, T>) {
        match self {
            Forward::BiasRelu => ndc::bias_relu_into(x, p, axis, y),
            Forward::BiasLeakyRelu(a) => ndc::bias_leaky_relu_into(x, p, axis, y, a),
            Forward::Prelu => ndc::prelu_into(x, p, axis, y),
        }
    }
}

/// The forward functions: checks, then `op` into `out` (in place when
/// `out` is `x`) or into a new array.
fn forward<'py>(
    py: Python<'py>,
    call: Call,
    x: &Bound<'py, PyAny>,
    param: (&str, &Bound<'py, PyAny>),
    channels: Channels,
    alpha: Option<f64>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    kernels::Level::try_active().map_err(PyRuntimeError::new_err)?;
    let (xa, k) = call.array("x", x)?;
    let (pa, _) = call.array(param.0, param.1)?;
    let out = out
        .map(|o| call.array("out", o).map(|(o, _)| o))
        .transpose()?;
    let outs = out.as_ref().map(|o| ("out", o));
    same_dtype(
        call.name,
        ("x", &xa, k),
        [(param.0, &pa)].into_iter().chain(outs),
    )?;
    if let Some(o) = &out {
        same_shape(call.name, ("x", xa.shape()), outs)?;
        if !writeable(o) {
            return call.value("out is read-only".into());
        }
    }
    match k {
        Kind::F32 => forward_typed::<f32>(py, &call, xa, param.0, pa, channels, alpha, out),
        Kind::F64 => forward_typed::<f64>(py, &call, xa, param.0, pa, channels, alpha, out),
        Kind::F16 => {
            forward_typed::<kernels::half::f16>(py, &call, xa, param.0, pa, channels, alpha, out)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn forward_typed<'py, T: Dtype>(
    py: Python<'py>,
    call: &Call,
    xa: Bound<'py, PyUntypedArray>,
    pname: &str,
    pa: Bound<'py, PyUntypedArray>,
    channels: Channels,
    alpha: Option<f64>,
    out: Option<Bound<'py, PyUntypedArray>>,
) -> PyResult<Bound<'py, PyAny>> {
    let op = match (channels, alpha) {
        (Channels::Torch, _) => Forward::Prelu,
        (_, Some(a)) => Forward::BiasLeakyRelu(call.alpha::<T>(a, false, &xa)?),
        (_, None) => Forward::BiasRelu,
    };
    let p = call.params::<T>(pname, pa)?;
    let axis = call.resolve(channels, xa.shape(), pname, Some(p.len()))?;
    // The shape the channels were resolved for, which the borrowed arrays
    // must still have.
    let shape = xa.shape().to_vec();
    let x = typed::<T>(xa);
    let target = match out {
        Some(o) => typed::<T>(o),
        None => new_like::<T>(py, &x)?,
    };
    if target.len() == 0 {
        return Ok(target.into_any());
    }
    let in_place = layout::same_view(&x, &target);
    // An input that shares memory with `out` without being it is copied
    // first, as numpy's ufuncs do; so is one the kernels cannot view.
    let x = if !in_place && layout::may_overlap(&x, &target) {
        x.call_method0("copy")?.cast_into::<PyArrayDyn<T>>()?
    } else {
        readable(x)?
    };
    // An `out` the kernels cannot view gets the result by assignment.
    let direct = layout::viewable(&target, true);
    let dst = if direct {
        target.clone()
    } else {
        new_like::<T>(py, &target)?
    };
    {
        let mut rw = dst.try_readwrite().map_err(|_| call.busy("out"))?;
        let ro = if in_place && direct {
            None
        } else {
            Some(x.try_readonly().map_err(|_| call.busy("x"))?)
        };
        // Checked again on the borrowed arrays: the copies above may have
        // run Python code.
        if kind_of(dst.as_untyped()) != Some(T::KIND)
            || !layout::viewable(&dst, true)
            || dst.shape() != shape
        {
            return Err(call.changed("out"));
        }
        if kind_of(x.as_untyped()) != Some(T::KIND)
            || !layout::viewable(&x, false)
            || x.shape() != shape
        {
            return Err(call.changed("x"));
        }
        let bytes = dst.len() * core::mem::size_of::<T>();
        let (mut d, axis_d) = widen_mut(rw.as_array_mut(), axis);
        match &ro {
            None => detach_if_long(py, bytes, || op.inplace(&mut d, &p, axis_d)),
            Some(ro) => {
                let (s, _) = widen(ro.as_array(), axis);
                detach_if_long(py, bytes, || op.into(&s, &p, axis_d, &mut d))
            }
        }
    }
    if !direct {
        target.set_item(py.Ellipsis(), &dst)?;
    }
    Ok(target.into_any())
}

/// A backward pass with the parameter's gradient.
#[derive(Clone, Copy)]
enum Backward<T> {
    Prelu,
    ReluFromOutputBias,
    LeakyReluFromOutputBias(T),
}

/// The backward functions: `(dx, dparam)` from the input (or output), the
/// parameter (PReLU's slopes) and `dy`, into new arrays.
fn backward<'py>(
    py: Python<'py>,
    call: Call,
    input: (&str, &Bound<'py, PyAny>),
    param: Option<(&str, &Bound<'py, PyAny>)>,
    dy: &Bound<'py, PyAny>,
    channels: Channels,
    alpha: Option<f64>,
) -> PyResult<Bound<'py, PyTuple>> {
    kernels::Level::try_active().map_err(PyRuntimeError::new_err)?;
    let (xa, k) = call.array(input.0, input.1)?;
    let (dya, _) = call.array("dy", dy)?;
    let pa = param
        .map(|(n, p)| call.array(n, p).map(|(a, _)| (n, a)))
        .transpose()?;
    let params = pa.as_ref().map(|(n, a)| (*n, a));
    same_dtype(
        call.name,
        (input.0, &xa, k),
        [("dy", &dya)].into_iter().chain(params),
    )?;
    same_shape(call.name, (input.0, xa.shape()), [("dy", &dya)])?;
    match k {
        Kind::F32 => backward_typed::<f32>(py, &call, input.0, xa, pa, dya, channels, alpha),
        Kind::F64 => backward_typed::<f64>(py, &call, input.0, xa, pa, dya, channels, alpha),
        Kind::F16 => {
            backward_typed::<kernels::half::f16>(py, &call, input.0, xa, pa, dya, channels, alpha)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn backward_typed<'py, T: Dtype>(
    py: Python<'py>,
    call: &Call,
    iname: &str,
    xa: Bound<'py, PyUntypedArray>,
    pa: Option<(&str, Bound<'py, PyUntypedArray>)>,
    dya: Bound<'py, PyUntypedArray>,
    channels: Channels,
    alpha: Option<f64>,
) -> PyResult<Bound<'py, PyTuple>> {
    let op = match (&pa, alpha) {
        (Some(_), _) => Backward::Prelu,
        (None, Some(a)) => Backward::LeakyReluFromOutputBias(call.alpha::<T>(a, true, &xa)?),
        (None, None) => Backward::ReluFromOutputBias,
    };
    let (axis, p) = match pa {
        Some((n, a)) => {
            let p = call.params::<T>(n, a)?;
            (call.resolve(channels, xa.shape(), n, Some(p.len()))?, p)
        }
        None => (call.resolve(channels, xa.shape(), "", None)?, Vec::new()),
    };
    // The shape the channels were resolved for, which the borrowed arrays
    // must still have.
    let shape = xa.shape().to_vec();
    let x = readable(typed::<T>(xa))?;
    let dy = readable(typed::<T>(dya))?;
    let dx = new_like::<T>(py, &x)?;
    let sums_len = axis.map_or(1, |k| shape[k]);
    let mut sums = vec![T::round(0.0); sums_len];
    // An empty array has empty channels, whose sums are +0.0.
    if dx.len() != 0 {
        let ro_x = x.try_readonly().map_err(|_| call.busy(iname))?;
        let ro_dy = dy.try_readonly().map_err(|_| call.busy("dy"))?;
        let mut rw = dx.try_readwrite().map_err(|_| call.busy("the result"))?;
        for (name, a) in [(iname, &x), ("dy", &dy)] {
            if kind_of(a.as_untyped()) != Some(T::KIND)
                || !layout::viewable(a, false)
                || a.shape() != shape
                || dx.shape() != shape
            {
                return Err(call.changed(name));
            }
        }
        let (xv, _) = widen(ro_x.as_array(), axis);
        let dyv = ro_dy.as_array();
        let mut dxv = rw.as_array_mut();
        let bytes = dxv.len() * core::mem::size_of::<T>();
        detach_if_long(py, bytes, || {
            dxv.assign(&dyv);
            let (mut g, ax) = widen_mut(dxv.view_mut(), axis);
            match op {
                Backward::Prelu => ndc::prelu_backward(&xv, &p, ax, &mut g, &mut sums),
                Backward::ReluFromOutputBias => {
                    ndc::relu_backward_from_output_bias(&xv, &mut g, ax, &mut sums)
                }
                Backward::LeakyReluFromOutputBias(a) => {
                    ndc::leaky_relu_backward_from_output_bias(&xv, &mut g, ax, a, &mut sums)
                }
            }
        });
    }
    let sums = PyArray1::from_vec(py, sums);
    PyTuple::new(py, [dx.into_any(), sums.into_any()])
}

/// PReLU, `leaky_relu(x, weight[c])` with PyTorch's channels: axis 1 for
/// arrays of two or more dimensions, one channel otherwise; `weight` has 1
/// element (one slope for every element) or one per channel.
///
/// Returns `out` if given (`out=x` works in place), else a new array of
/// x's shape and dtype (C order unless x is Fortran-contiguous). The
/// arrays are float32, float64 or float16, all of one dtype; x and out
/// have one shape and any layout.
///
/// | x | result | PyTorch |
/// |---|---|---|
/// | > 0 | x | the same |
/// | +0.0, -0.0, < 0 | weight[c] * x | the same |
/// | NaN | NaN | the same |
///
/// Raises:
///     TypeError: an argument is not a numpy.ndarray, its dtype is not float32,
///         float64 or float16 in native byte order, or the dtypes differ.
///     ValueError: the shapes differ, weight is not 1-d, has the wrong length or
///         an element that is not finite, out is read-only, or an array changed
///         during the call.
///     RuntimeError: RELU_KERNELS_LEVEL is invalid, or out is in use by a call
///         on another thread.
///
/// Example:
///     >>> import numpy as np, relu_kernels
///     >>> relu_kernels.prelu(np.array([[-2.0, 2.0], [-4.0, 4.0]]), np.array([0.5, 0.25])).tolist()
///     [[-1.0, 2.0], [-2.0, 4.0]]
#[pyfunction]
#[pyo3(signature = (x, weight, out = None))]
fn prelu<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    weight: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let call = Call { name: "prelu" };
    forward(py, call, x, ("weight", weight), Channels::Torch, None, out)
}

/// Bias + ReLU in one pass, `relu(x + bias[c])`, `c` the element's index
/// along `axis` (the last by default: a dense layer's `[batch, features]`;
/// `axis=1` for NCHW). The sum is rounded once to the dtype.
///
/// Returns `out` if given (`out=x` works in place), else a new array of
/// x's shape and dtype (C order unless x is Fortran-contiguous). The
/// arrays are float32, float64 or float16, all of one dtype; bias is 1-d
/// with `x.shape[axis]` elements.
///
/// | x + bias[c] | result | PyTorch relu(x + bias) |
/// |---|---|---|
/// | > 0 | x + bias[c] | the same |
/// | +0.0, -0.0, < 0 | +0.0 | the same |
/// | NaN | NaN | the same |
///
/// Raises:
///     TypeError: an argument is not a numpy.ndarray, its dtype is not float32,
///         float64 or float16 in native byte order, or the dtypes differ.
///     ValueError: axis is out of bounds, the shapes differ, bias is not 1-d,
///         has the wrong length or an element that is not finite, out is
///         read-only, or an array changed during the call.
///     RuntimeError: RELU_KERNELS_LEVEL is invalid, or out is in use by a call
///         on another thread.
///
/// Example:
///     >>> import numpy as np, relu_kernels
///     >>> relu_kernels.bias_relu(np.array([[1.0, -1.0], [-2.0, 3.0]]), np.array([0.5, 0.5])).tolist()
///     [[1.5, 0.0], [0.0, 3.5]]
#[pyfunction]
#[pyo3(signature = (x, bias, axis = -1, out = None), text_signature = "(x, bias, axis=-1, out=None)")]
fn bias_relu<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    bias: &Bound<'py, PyAny>,
    axis: isize,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let call = Call { name: "bias_relu" };
    forward(py, call, x, ("bias", bias), Channels::Axis(axis), None, out)
}

/// Bias + Leaky ReLU in one pass, `leaky_relu(x + bias[c], alpha)`, `c` the
/// element's index along `axis` (the last by default). The sum is rounded
/// once to the dtype, and alpha is rounded to it as numpy rounds a float.
///
/// Returns `out` if given (`out=x` works in place), else a new array of
/// x's shape and dtype (C order unless x is Fortran-contiguous). The
/// arrays are float32, float64 or float16, all of one dtype; bias is 1-d
/// with `x.shape[axis]` elements.
///
/// | z = x + bias[c] | result | PyTorch leaky_relu(x + bias, alpha) |
/// |---|---|---|
/// | > 0 | z | the same |
/// | +0.0, -0.0, < 0 | alpha * z | the same |
/// | NaN | NaN | the same |
///
/// Raises:
///     TypeError: an argument is not a numpy.ndarray, its dtype is not float32,
///         float64 or float16 in native byte order, or the dtypes differ.
///     ValueError: axis is out of bounds, the shapes differ, bias is not 1-d,
///         has the wrong length or an element that is not finite, alpha is not
///         finite in the dtype, out is read-only, or an array changed during
///         the call.
///     RuntimeError: RELU_KERNELS_LEVEL is invalid, or out is in use by a call
///         on another thread.
///
/// Example:
///     >>> import numpy as np, relu_kernels
///     >>> relu_kernels.bias_leaky_relu(np.array([1.0, -1.0]), np.array([0.5, -1.0]), alpha=0.5).tolist()
///     [1.5, -1.0]
#[pyfunction]
#[pyo3(signature = (x, bias, axis = -1, alpha = 0.01, out = None), text_signature = "(x, bias, axis=-1, alpha=0.01, out=None)")]
fn bias_leaky_relu<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    bias: &Bound<'py, PyAny>,
    axis: isize,
    alpha: f64,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let call = Call {
        name: "bias_leaky_relu",
    };
    forward(
        py,
        call,
        x,
        ("bias", bias),
        Channels::Axis(axis),
        Some(alpha),
        out,
    )
}

/// PReLU's backward pass: `(dx, dweight)` from the input x, the slopes and
/// the gradient dy, with PyTorch's channels (as `prelu`). `dx` is
/// `weight[c] * dy` where x < 0 or NaN and `dy` elsewhere (the gradient is
/// 1 at x == 0, where PyTorch takes the slope); `dweight[c]` is the sum of
/// `x * dy` over the channel's elements where x < 0 or NaN, a compensated
/// sum in a fixed order (the same bits on every call), within half an ulp
/// plus 2**-32 times the sum of the terms' magnitudes.
///
/// Returns a tuple of new arrays: dx of x's shape and dtype, dweight of
/// weight's length. The arrays are float32, float64 or float16, all of one
/// dtype; x and dy have one shape and any layout.
///
/// Raises:
///     TypeError: an argument is not a numpy.ndarray, its dtype is not float32,
///         float64 or float16 in native byte order, or the dtypes differ.
///     ValueError: the shapes differ, weight is not 1-d, has the wrong length or
///         an element that is not finite, or an array changed during the call.
///     RuntimeError: RELU_KERNELS_LEVEL is invalid.
///
/// Example:
///     >>> import numpy as np, relu_kernels
///     >>> [a.tolist() for a in relu_kernels.prelu_backward(np.array([-2.0, 3.0]), np.array([0.5]), np.array([1.0, 1.0]))]
///     [[0.5, 1.0], [-2.0]]
#[pyfunction]
#[pyo3(signature = (x, weight, dy))]
fn prelu_backward<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    weight: &Bound<'py, PyAny>,
    dy: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTuple>> {
    let call = Call {
        name: "prelu_backward",
    };
    backward(
        py,
        call,
        ("x", x),
        Some(("weight", weight)),
        dy,
        Channels::Torch,
        None,
    )
}

/// ReLU's backward pass from the output, with the bias's gradient:
/// `(dz, dbias)` from `y = relu(x + bias)` and the gradient dy. `dz` is dy
/// where y > 0 and +0.0 elsewhere (NaN where y is NaN); `dbias[c]` is the
/// sum of `dz` over the elements at index c along `axis` (the last by
/// default), a compensated sum in a fixed order (the same bits on every
/// call), within half an ulp plus 2**-32 times the sum of the terms'
/// magnitudes.
///
/// Returns a tuple of new arrays: dz of y's shape and dtype, dbias of
/// `y.shape[axis]` elements. The arrays are float32, float64 or float16,
/// all of one dtype; y and dy have one shape and any layout.
///
/// Raises:
///     TypeError: an argument is not a numpy.ndarray, its dtype is not float32,
///         float64 or float16 in native byte order, or the dtypes differ.
///     ValueError: axis is out of bounds, the shapes differ, or an array
///         changed during the call.
///     RuntimeError: RELU_KERNELS_LEVEL is invalid.
///
/// Example:
///     >>> import numpy as np, relu_kernels
///     >>> [a.tolist() for a in relu_kernels.relu_backward_from_output_bias(np.array([[1.0, 0.0], [2.0, 3.0]]), np.ones((2, 2)))]
///     [[[1.0, 0.0], [1.0, 1.0]], [2.0, 1.0]]
#[pyfunction]
#[pyo3(signature = (y, dy, axis = -1), text_signature = "(y, dy, axis=-1)")]
fn relu_backward_from_output_bias<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    dy: &Bound<'py, PyAny>,
    axis: isize,
) -> PyResult<Bound<'py, PyTuple>> {
    let call = Call {
        name: "relu_backward_from_output_bias",
    };
    backward(py, call, ("y", y), None, dy, Channels::Axis(axis), None)
}

/// Leaky ReLU's backward pass from the output, with the bias's gradient:
/// `(dz, dbias)` from `y = leaky_relu(x + bias, alpha)` (alpha > 0, where y
/// keeps the sign of x + bias) and the gradient dy. `dz` is dy where
/// y >= 0, alpha * dy where y < 0, NaN where y is NaN; `dbias[c]` is the
/// sum of `dz` over the elements at index c along `axis` (the last by
/// default), as `relu_backward_from_output_bias` sums.
///
/// Returns a tuple of new arrays: dz of y's shape and dtype, dbias of
/// `y.shape[axis]` elements. The arrays are float32, float64 or float16,
/// all of one dtype; y and dy have one shape and any layout.
///
/// Raises:
///     TypeError: an argument is not a numpy.ndarray, its dtype is not float32,
///         float64 or float16 in native byte order, or the dtypes differ.
///     ValueError: axis is out of bounds, the shapes differ, alpha is not
///         finite and positive in the dtype, or an array changed during the
///         call.
///     RuntimeError: RELU_KERNELS_LEVEL is invalid.
///
/// Example:
///     >>> import numpy as np, relu_kernels
///     >>> [a.tolist() for a in relu_kernels.leaky_relu_backward_from_output_bias(np.array([2.0, -1.0]), np.array([4.0, 4.0]), alpha=0.5)]
///     [[4.0, 2.0], [4.0, 2.0]]
#[pyfunction]
#[pyo3(signature = (y, dy, axis = -1, alpha = 0.01), text_signature = "(y, dy, axis=-1, alpha=0.01)")]
fn leaky_relu_backward_from_output_bias<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    dy: &Bound<'py, PyAny>,
    axis: isize,
    alpha: f64,
) -> PyResult<Bound<'py, PyTuple>> {
    let call = Call {
        name: "leaky_relu_backward_from_output_bias",
    };
    backward(
        py,
        call,
        ("y", y),
        None,
        dy,
        Channels::Axis(axis),
        Some(alpha),
    )
}

/// Adds the per-channel functions to the module.
pub(crate) fn add_functions(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(prelu, m)?)?;
    m.add_function(wrap_pyfunction!(prelu_backward, m)?)?;
    m.add_function(wrap_pyfunction!(bias_relu, m)?)?;
    m.add_function(wrap_pyfunction!(bias_leaky_relu, m)?)?;
    m.add_function(wrap_pyfunction!(relu_backward_from_output_bias, m)?)?;
    m.add_function(wrap_pyfunction!(leaky_relu_backward_from_output_bias, m)?)?;
    Ok(())
}
