"""PyTorch's own outputs, as the onnx package ships them in its backend
test data (`pytorch-converted`, `pytorch-operator`: inputs and the outputs
PyTorch computed from them): relu, leaky_relu, clamp and prelu give the
same bits. Skipped where onnx is not installed."""

import pathlib

import numpy as np
import pytest

import relu_kernels as rk
from reference import assert_same

onnx = pytest.importorskip("onnx")
from onnx import numpy_helper  # noqa: E402

DATA = pathlib.Path(onnx.__file__).parent / "backend" / "test" / "data"

# (case, how relu_kernels computes it from the input and the node's attributes)
CASES = [
    ("pytorch-converted/test_ReLU", lambda x, a: rk.relu(x)),
    ("pytorch-converted/test_LeakyReLU", lambda x, a: rk.leaky_relu(x, a["alpha"])),
    ("pytorch-converted/test_LeakyReLU_with_negval", lambda x, a: rk.leaky_relu(x, a["alpha"])),
    ("pytorch-operator/test_operator_clip", lambda x, a: rk.clamp(x, a["min"], a["max"])),
]


def load(path):
    t = onnx.TensorProto()
    t.ParseFromString(path.read_bytes())
    return numpy_helper.to_array(t)


@pytest.mark.parametrize("case,ours", CASES, ids=[c[0].split("/")[1] for c in CASES])
def test_pytorch_outputs(case, ours):
    d = DATA / case
    (node,) = onnx.load(str(d / "model.onnx")).graph.node
    # The attributes are stored as float32; as Python floats they keep
    # that value, which rounds to itself in float32.
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    sets = sorted(d.glob("test_data_set_*"))
    assert sets, f"no data in {d}"
    for s in sets:
        x, want = load(s / "input_0.pb"), load(s / "output_0.pb")
        assert x.dtype == np.float32 and want.dtype == np.float32
        # Negative inputs are there to be mapped (the outputs differ).
        assert (x < 0).any() and not np.array_equal(x, want)
        assert_same(ours(x, attrs), want, case)


PRELU = [
    f"test_PReLU_{d}{m}" for d in ("1d", "2d", "3d") for m in ("", "_multiparam")
]


@pytest.mark.parametrize("case", PRELU)
def test_pytorch_prelu_outputs(case):
    # nn.PReLU with one slope or one per channel (axis 1), the slopes
    # stored in the model as its initializer.
    d = DATA / "pytorch-converted" / case
    model = onnx.load(str(d / "model.onnx"))
    (node,) = model.graph.node
    assert node.op_type == "PRelu"
    (weight,) = [numpy_helper.to_array(t) for t in model.graph.initializer]
    assert weight.ndim == 1 and weight.size in (1, 3)
    sets = sorted(d.glob("test_data_set_*"))
    assert sets, f"no data in {d}"
    for s in sets:
        x, want = load(s / "input_0.pb"), load(s / "output_0.pb")
        assert (x < 0).any() and not np.array_equal(x, want)
        assert_same(rk.prelu(x, weight), want, case)
