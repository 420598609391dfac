"""Imports flow one way (DESIGN.md): rag imports none of ingest/ui/evals; each library has one adapter module; the
project's modules import each other without cycles; rag's stage folders import each other one way."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rag", "ingest", "ui", "evals")
# third-party library -> the only modules allowed to import it
ADAPTERS = {
    "chromadb": {"rag/retrieval/store.py"},
    "sentence_transformers": {"rag/retrieval/embedder.py"},
    "llama_cpp": {
        "rag/generation/llama_cpp.py",
        "rag/generation/prompt_state.py",
        "rag/generation/llama_build.py",  # system_info: what the installed build was compiled with
    },
    "onnxruntime": {"rag/retrieval/onnx_embedder.py"},
    "tokenizers": {"rag/retrieval/onnx_embedder.py"},
    "torch": {"rag/retrieval/embedder.py", "rag/retrieval/onnx_embedder.py", "rag/generation/transformers_backend.py"},
    "transformers": {"rag/generation/transformers_backend.py"},
    "gradio": {"ui/app.py", "ui/handlers.py", "ui/__main__.py"},
    "llama_index": {"rag/llamaindex_adapter.py", "evals/peer_llamaindex.py"},  # the peer of evals.bench_peer
    "pylatexenc": {"rag/bibtex_export.py"},
    "Stemmer": {"rag/text/tokens.py"},  # the one text module stems; everything else imports it
    "bm25s": {"rag/text/tokens.py"},  # its stopword list only (rag/retrieval/bm25.py scores on its own)
    "pysbd": {"evals/bench_sentences.py"},  # the splitter comparison only; rag/text/sentences.py splits
}


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def source_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_rag_imports_no_outer_package():
    for path in source_files("rag"):
        bad = {n for n in imports_of(path) if n.split(".")[0] in {"ingest", "ui", "evals"}}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_outer_packages_import_only_rag_besides_themselves():
    for package in ("ingest", "ui", "evals"):
        others = set(PACKAGES) - {package, "rag"}
        for path in source_files(package):
            bad = {n for n in imports_of(path) if n.split(".")[0] in others}
            assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_each_library_is_touched_by_its_adapter_only():
    for package in PACKAGES:
        for path in source_files(package):
            rel = str(path.relative_to(ROOT))
            for name in imports_of(path):
                top = name.split(".")[0]
                if top in ADAPTERS:
                    assert rel in ADAPTERS[top], f"{rel} imports {top}; only {ADAPTERS[top]} may"


def test_the_rules_see_violations(tmp_path):
    """The checker itself can fail: a planted import is found."""
    planted = tmp_path / "x.py"
    planted.write_text("from ingest.pipeline import ingest\nimport chromadb\n")
    assert {"ingest.pipeline", "chromadb"} <= imports_of(planted)


# Import graph. An edge A -> B means module A imports module B (`from pkg import name` is an edge to pkg.name when
# that is a module, else to pkg). Imports under `if TYPE_CHECKING:` never run and are left out. No cycle is allowed,
# not even through a function-level import (one cannot fail at import time, but it still ties two rooms together).


def module_names(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    names = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _runtime_imports(tree: ast.Module, module_level: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run: all but those under `if TYPE_CHECKING:`; with module_level, none inside a
    function (class bodies run at import, so they count)."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        if module_level and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph(modules: dict[str, Path], module_level: bool) -> dict[str, set[str]]:
    def known(name: str) -> str | None:
        parts = name.split(".")
        return next((m for i in range(len(parts), 0, -1) if (m := ".".join(parts[:i])) in modules), None)

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets = set()
        for node in _runtime_imports(ast.parse(path.read_text(), str(path)), module_level):
            if isinstance(node, ast.Import):
                targets.update(known(alias.name) for alias in node.names)
                continue
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            targets.update(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else known(base) for a in node.names)
        graph[module] = {t for t in targets if t and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                found.append(sorted([v, *component]))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_at_module_level():
    found = cycles(import_graph(module_names(), module_level=True))
    assert not found, f"modules importing each other at module level: {found}"


def test_no_import_cycle_through_function_level_imports():
    found = cycles(import_graph(module_names(), module_level=False))
    assert not found, f"import cycle (function-level imports included): {found}"


def test_the_cycle_check_sees_cycles(tmp_path):
    """A planted package: a <-> b at module level, b <-> c only inside a function, d depends on both one way."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import d\n")
    (package / "a.py").write_text("from pkg.b import x\n")
    (package / "b.py").write_text("from . import a\ndef f():\n    from pkg import c\n")
    (package / "c.py").write_text("import pkg.b\n")
    (package / "d.py").write_text("import pkg\nfrom pkg import a, c\n")
    modules = module_names(tmp_path, ("pkg",))
    assert cycles(import_graph(modules, module_level=True)) == [["pkg.a", "pkg.b"]]
    assert cycles(import_graph(modules, module_level=False)) == [["pkg.a", "pkg.b", "pkg.c"]]


# rag/ is grouped by the question's path (README "Architecture"): a stage folder may use the folders below it, never one
# that uses it, and never the entry points on top. The top-level modules besides those (config, types, errors,
# protocols, models) are the ground every stage stands on.
ENTRY_POINTS = {
    "rag", "rag.__main__", "rag.qa", "rag.replay", "rag.startup", "rag.llamaindex_adapter", "rag.bibtex_export"
}  # fmt: skip


def stage_of(module: str, root: Path = ROOT) -> str | None:
    """The stage folder (rag.retrieval for rag.retrieval.store) of a module of rag, None for a top-level one."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 and (root / parts[0] / parts[1]).is_dir() else None


def stage_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    stages: dict[str, set[str]] = {}
    for a, targets in graph.items():
        if (sa := stage_of(a)) is not None:
            stages.setdefault(sa, set()).update(sb for b in targets if (sb := stage_of(b)) not in {None, sa})
    return stages


def test_stage_folders_import_each_other_one_way():
    graph = import_graph(module_names(ROOT, ("rag",)), module_level=False)
    stages = stage_graph(graph)
    assert {"rag.text", "rag.query", "rag.retrieval", "rag.evidence", "rag.generation", "rag.grounding"} <= set(stages)
    found = cycles(stages)
    assert not found, f"stage folders importing each other in a circle (function-level imports included): {found}"
    for module, targets in graph.items():
        if stage_of(module) is not None:
            assert not targets & ENTRY_POINTS, f"{module} imports the entry point(s) {targets & ENTRY_POINTS}"


def test_the_stage_check_sees_a_circle():
    planted = {"rag.query.a": {"rag.retrieval.b"}, "rag.retrieval.b": {"rag.query.c", "rag.types"}}
    assert cycles(stage_graph(planted)) == [["rag.query", "rag.retrieval"]]
