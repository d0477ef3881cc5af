"""How typed code calls the module: `mypy --strict` checks this file (and
the examples) against the stubs. Not a test module: pytest skips it."""

import numpy as np
import numpy.typing as npt

import relu_kernels as rk


def forward(h: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return rk.relu(h, out=h)


def backward(
    x: npt.NDArray[np.float64], dy: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    y = rk.leaky_relu(x, alpha=0.02)
    return rk.leaky_relu_backward(y, dy, 0.02)


def half(x: npt.NDArray[np.float16]) -> npt.NDArray[np.float16]:
    g = rk.relu_grad(x)
    return rk.relu_backward_from_output(rk.relu(x), g, out=g)


level_variable: str = rk.LEVEL_ENV


def dense_layer(
    h: npt.NDArray[np.float32], bias: npt.NDArray[np.float32], dy: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    y = rk.bias_relu(h, bias, out=h)
    return rk.relu_backward_from_output_bias(y, dy, axis=-1)


def prelu_step(
    x: npt.NDArray[np.float64], weight: npt.NDArray[np.float64], dy: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    y = rk.prelu(x, weight, out=x)
    dx, dweight = rk.prelu_backward(y, weight, dy)
    return dweight


def leaky_bias(x: npt.NDArray[np.float16], b: npt.NDArray[np.float16]) -> npt.NDArray[np.float16]:
    y = rk.bias_leaky_relu(x, b, axis=1, alpha=0.1)
    dz, _ = rk.leaky_relu_backward_from_output_bias(y, y, 1, 0.1)
    return dz
