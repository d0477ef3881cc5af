"""The tutorial the crate comes from: ReLU and Leaky ReLU on five inputs.

Prints the same ten lines as the Rust example (`cargo run --example
tutorial`). Python floats are double precision, so the inputs are float64
and 0.01 * -10.0 prints as -0.1.

Run with `python python/examples/tutorial.py` after `pip install ./python`.
"""

import numpy as np

import relu_kernels

INPUTS = np.array([1.0, -10.0, 0.0, 15.0, -20.0])


def tutorial_lines() -> list[str]:
    lines: list[str] = []
    for name, outputs in [
        ("Relu", relu_kernels.relu(INPUTS)),
        ("Leaky Relu", relu_kernels.leaky_relu(INPUTS)),
    ]:
        for x, y in zip(INPUTS, outputs):
            lines.append(f"Applying {name} on ({float(x)!r}) gives {float(y)!r}")
    return lines


if __name__ == "__main__":
    for line in tutorial_lines():
        print(line)
