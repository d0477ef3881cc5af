"""The tutorial prints the tutorial's ten lines; bench.py runs."""

import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent.parent

TUTORIAL = """\
Applying Relu on (1.0) gives 1.0
Applying Relu on (-10.0) gives 0.0
Applying Relu on (0.0) gives 0.0
Applying Relu on (15.0) gives 15.0
Applying Relu on (-20.0) gives 0.0
Applying Leaky Relu on (1.0) gives 1.0
Applying Leaky Relu on (-10.0) gives -0.1
Applying Leaky Relu on (0.0) gives 0.0
Applying Leaky Relu on (15.0) gives 15.0
Applying Leaky Relu on (-20.0) gives -0.2
"""


def run(*args):
    res = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_tutorial_prints_the_tutorial_lines():
    assert run(str(HERE / "examples" / "tutorial.py")) == TUTORIAL


def test_bench_runs_and_checks_its_numpy_expressions():
    for dtype in ["float32", "float16"]:
        out = run(str(HERE / "bench.py"), "--sizes", "4Ki", "--reps", "1", "--dtype", dtype)
        assert "np.maximum(x, 0, out=x)" in out
        assert out.splitlines()[-1].startswith("relu_backward_from_output")
