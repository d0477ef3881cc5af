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
