"""Test tiers: which tests need a generator model (llm), a server (server), Chromium (browser) or a long setup (slow).

`make test` runs everything; `make check` runs `-m "not llm and not server and not browser and not slow"` with
PAPER_RAG_TEST_TIER=check (not a RAG_* name: an unknown RAG_* variable stops every entry point). Under it, a test that
loads a generator model or starts a server without its marker fails, so the markers cannot silently go stale.
Markers come from the fixtures a test uses and from the tests listed here; `@pytest.mark.<name>` in a test file works
too. The hooks are imported by tests/conftest.py.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

# fixture (module.name) -> what every test using it needs
FIXTURE_NEEDS = {
    "tests.conftest.seeded_store": {"slow"},  # ingests the whole bundled corpus (about a minute on 2 cores)
    "tests.test_catalog_answer.assistant": {"slow"},  # embeds two real listing pages into a fresh store
    "tests.test_reliability_injection.injected_store": {"slow"},  # a real ingest run in a child process
    "tests.test_catalog_llm.generator": {"llm"},
    "tests.test_reliability_disconnect.generator": {"llm"},
    "tests.test_chroma_server.server": {"server"},  # a Chroma server process
    "tests.test_openai_backend.llm_server": {"server", "llm"},  # llama_cpp.server with SmolLM2
    "tests.test_ui_client.app": {"server", "llm"},  # the Gradio app over the real assistant (fast model)
    "tests.test_ui_browser.app": {"server", "llm"},
    "tests.test_ui_browser.fake_app": {"server"},  # the Gradio app over a stand-in assistant
    "tests.test_ui_browser.browser": {"browser"},
    "tests.test_reliability_upload.assistant": {"llm"},  # the real assistant with SmolLM2, asked through the app
}
# test file -> test name ("*": every test in the file) -> what it needs besides its fixtures; a child process
# that loads a model counts
ALL = "*"
TEST_NEEDS = {
    "tests/test_bibtex_export.py": {"test_cli_prints_the_bib_of_the_cited_papers": {"llm"}},
    "tests/test_chroma_server.py": {"test_server_lost_mid_session_raises_store_unavailable": {"server"}},
    "tests/test_cli_and_models.py": {
        "test_json_contract_with_a_real_small_model": {"llm"},
        "test_fast_model_answers_with_a_verified_citation": {"llm"},
    },
    "tests/test_dev_set.py": {"test_files_are_up_to_date_with_ingestion": {"slow"}},  # parses the whole corpus
    "tests/test_evals.py": {
        "test_runner_on_five_questions_with_a_real_small_model": {"llm"},
        "test_beir_folder_is_ingested_into_its_own_store_and_scored": {"slow"},
    },
    "tests/test_ingest_pipeline.py": {  # several real ingest runs each (a child process loading the embedder)
        "test_add_then_idempotent_then_update_then_prune": {"slow"},
        "test_same_paper_in_two_runs_keeps_both_sources": {"slow"},
        "test_bad_inputs_are_reported_and_good_ones_kept": {"slow"},
    },
    "tests/test_llama_build.py": {"test_the_installed_build_passes_its_smoke_test": {"llm"}},
    "tests/test_llama_cpp_generator.py": {ALL: {"llm"}},
    "tests/test_onnx_embedder.py": {"test_the_export_gives_the_torch_models_vectors": {"slow"}},  # exports to ONNX
    "tests/test_llamaindex_adapter.py": {"test_query_engine_with_paper_retriever_and_real_small_model": {"llm"}},
    "tests/test_reliability_access.py": {"test_remote_ui_requires_the_password_and_limits_uploads": {"server", "llm"}},
    "tests/test_reliability_concurrency.py": {ALL: {"server", "llm"}},
    "tests/test_reliability_disconnect.py": {
        "test_rag_ask_from_many_threads_at_once_builds_one_assistant_and_answers_all": {"llm"}
    },
    "tests/test_reliability_prune.py": {ALL: {"slow"}},  # several real ingest runs per test
    "tests/test_reliability_upload.py": {ALL: {"server"}},
    "tests/test_replay.py": {"test_cli_replay_with_a_real_small_model": {"llm"}},
    "tests/test_trust_cases.py": {ALL: {"llm"}},
    "tests/test_ui_export.py": {"test_the_served_app_offers_the_bib_file_for_download": {"server"}},
}
TIERS = ("llm", "server", "browser", "slow")


def needs_of(item: pytest.Item) -> set[str]:
    path, _, rest = item.nodeid.partition("::")
    listed = TEST_NEEDS.get(path, {})
    needs = listed.get(ALL, set()) | listed.get(rest.split("[")[0], set())
    fixtures = getattr(item, "_fixtureinfo", None)
    for name, definitions in fixtures.name2fixturedefs.items() if fixtures else ():
        for definition in definitions:
            needs |= FIXTURE_NEEDS.get(f"{definition.func.__module__}.{name}", set())
    return needs


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in sorted(needs_of(item)):
            item.add_marker(marker)


_violations: dict[str, list[str]] = {}


def _refusing(item: pytest.Item, marker: str, what: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> None:
        message = f"{item.nodeid} {what} but is not marked {marker!r}: add it in tests/tiers.py"
        _violations.setdefault(item.nodeid, []).append(message)
        pytest.fail(message)

    return refuse


def _guards(item: pytest.Item) -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for what the item may not do under its markers."""
    marks = {m.name for m in item.iter_markers()}
    guards = []
    if "llm" not in marks:
        from rag.generation import llama_cpp, transformers_backend

        for cls in (llama_cpp.LlamaCppGenerator, transformers_backend.TransformersGenerator):
            guards.append((cls, "__init__", _refusing(item, "llm", f"loads a generator model ({cls.__name__})")))
    if "server" not in marks:
        from tests import servers

        guards.append((servers, "wait_until_up", _refusing(item, "server", "starts a server process")))
        if "gradio" in sys.modules:
            guards.append((sys.modules["gradio"].Blocks, "launch", _refusing(item, "server", "serves a Gradio app")))
    return guards


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Under PAPER_RAG_TEST_TIER=check, setup, call and teardown of each test run with the guards of its markers."""
    guards = _guards(item) if os.environ.get("PAPER_RAG_TEST_TIER") == "check" else []
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in guards]
    for owner, name, replacement in guards:
        setattr(owner, name, replacement)
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A guard tripped in another thread (a UI warm-up, a server thread) still fails the test."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.passed and item.nodeid in _violations:
        report.outcome = "failed"
        report.longrepr = "\n".join(_violations[item.nodeid])
