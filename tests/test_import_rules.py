"""Imports flow one way (DESIGN.md): rag imports none of ingest/ui/evals; each library has one adapter module."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rag", "ingest", "ui", "evals")
# third-party library -> the only modules allowed to import it
ADAPTERS = {
    "chromadb": {"rag/store.py"},
    "sentence_transformers": {"rag/embedder.py"},
    "llama_cpp": {"rag/generators/llama_cpp.py", "rag/generators/prompt_state.py"},
    "onnxruntime": {"rag/onnx_embedder.py"},
    "tokenizers": {"rag/onnx_embedder.py"},
    "torch": {"rag/onnx_embedder.py", "rag/generators/transformers_backend.py"},
    "transformers": {"rag/generators/transformers_backend.py"},
    "gradio": {"ui/app.py", "ui/handlers.py", "ui/__main__.py"},
    "llama_index": {"rag/llamaindex_adapter.py"},
    "pylatexenc": {"rag/bibtex_export.py"},
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
