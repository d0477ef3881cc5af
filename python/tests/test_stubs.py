"""The type stubs agree with the module, ship with it, and every
function's help runs: its signature, its doc sections and its example."""

import ast
import doctest
import inspect
import pathlib

import relu_kernels

STUB = pathlib.Path(__file__).resolve().parent.parent / "relu_kernels.pyi"


def functions():
    return sorted(
        name
        for name, f in vars(relu_kernels).items()
        if callable(f) and not name.startswith("_")
    )


def stub_signatures():
    """Each stubbed function's parameters as `name` or `name=default`, from
    its first overload (the others differ in the dtypes only)."""
    sigs = {}
    for node in ast.parse(STUB.read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name not in sigs:
            args = node.args
            plain = args.args[: len(args.args) - len(args.defaults)]
            with_default = args.args[len(plain):]
            sigs[node.name] = [a.arg for a in plain] + [
                f"{a.arg}={ast.unparse(d)}" for a, d in zip(with_default, args.defaults)
            ]
    return sigs


def runtime_signature(f):
    return [
        p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
        for p in inspect.signature(f).parameters.values()
    ]


def test_every_function_is_stubbed_with_its_signature():
    sigs = stub_signatures()
    assert sorted(sigs) == functions()
    for name in functions():
        f = getattr(relu_kernels, name)
        assert f.__text_signature__ is not None, name
        assert runtime_signature(f) == sigs[name], name


def test_every_overload_has_the_same_parameters():
    seen = {}
    for node in ast.parse(STUB.read_text()).body:
        if isinstance(node, ast.FunctionDef):
            names = [a.arg for a in node.args.args]
            assert seen.setdefault(node.name, names) == names, node.name
            assert [d.id for d in node.decorator_list] == ["overload"], node.name


def test_the_installed_package_ships_the_stubs():
    package = pathlib.Path(relu_kernels.__file__).parent
    assert (package / "py.typed").exists()
    assert (package / "__init__.pyi").read_text() == STUB.read_text()


def test_help_has_the_rule_the_errors_and_an_example():
    for name in functions():
        doc = getattr(relu_kernels, name).__doc__
        for section in ("Returns ", "Raises:", "TypeError", "ValueError", "Example:"):
            assert section in doc, (name, section)


def test_the_examples_in_the_help_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    ran = 0
    for name in functions():
        for test in finder.find(getattr(relu_kernels, name), name, globs={}):
            result = runner.run(test)
            assert result.failed == 0, name
            ran += result.attempted
    assert ran == 2 * len(functions())
