"""Serving beyond loopback needs --allow-remote and a password; uploads are limited in type and size."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AuthenticationError

import ui.__main__
import ui.app
from rag.config import Settings
from rag.errors import ConfigError
from tests.servers import free_port, running
from tests.ui_fakes import FakeAssistant
from ui import handlers
from ui.access import access_for, is_loopback

PASSWORD = "correct horse battery"


def env_without_password(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "RAG_UI_PASSWORD"}
    return {**env, **extra}


def run_ui(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "ui", "--port", str(free_port()), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.4.5.6", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_hosts_need_nothing(host):
    assert is_loopback(host)
    assert access_for(host, allow_remote=False, password_file=None, environ={}) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "my-laptop.local", ""])
def test_other_hosts_are_refused_without_allow_remote(host):
    assert not is_loopback(host)
    with pytest.raises(ConfigError, match="--allow-remote") as caught:
        access_for(host, allow_remote=False, password_file=None, environ={"RAG_UI_PASSWORD": PASSWORD})
    assert f"--host {host} is not a loopback address" in str(caught.value)


def test_allow_remote_needs_a_long_enough_password(tmp_path):
    with pytest.raises(ConfigError, match="set RAG_UI_PASSWORD, or pass --password-file FILE"):
        access_for("0.0.0.0", allow_remote=True, password_file=None, environ={})
    with pytest.raises(ConfigError, match="from RAG_UI_PASSWORD has 5 characters; use at least 8"):
        access_for("0.0.0.0", allow_remote=True, password_file=None, environ={"RAG_UI_PASSWORD": "short"})
    with pytest.raises(ConfigError, match="cannot be read"):
        access_for("0.0.0.0", allow_remote=True, password_file=tmp_path / "absent", environ={})
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\nignored second line\n")
    check = access_for("0.0.0.0", True, secret, {"RAG_UI_PASSWORD": "the file wins over this"})
    assert check is not None
    assert check("anyone", PASSWORD)
    assert not check("anyone", PASSWORD + " ")
    assert not check("anyone", "the file wins over this")


def test_cli_refuses_a_remote_host_and_opens_no_socket():
    out = run_ui("--host", "0.0.0.0", env=env_without_password())
    assert out.returncode == 2
    assert "error: --host 0.0.0.0 is not a loopback address" in out.stderr
    assert "--allow-remote" in out.stderr
    assert "Running on" not in out.stdout + out.stderr
    out = run_ui("--host", "0.0.0.0", "--allow-remote", env=env_without_password())
    assert out.returncode == 2
    assert "needs an access password: set RAG_UI_PASSWORD, or pass --password-file FILE" in out.stderr


def test_loopback_launch_passes_no_login(monkeypatch, tmp_path):
    launched: dict = {}
    monkeypatch.setattr(ui.__main__, "_warm_up", lambda assistant: None)
    monkeypatch.setattr(ui.app, "launch", lambda demo, **kwargs: launched.update(kwargs))
    monkeypatch.delenv("RAG_UI_PASSWORD", raising=False)
    assert ui.__main__.main(["--store", str(tmp_path), "--port", "7990"]) == 0
    assert launched == {"host": "127.0.0.1", "port": 7990}


@pytest.mark.slow
def test_remote_ui_requires_the_password_and_limits_uploads(tmp_path):
    """The real CLI on 0.0.0.0 with --allow-remote: a warning, a login, and uploads over the limit refused."""
    port = free_port()
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    command = [
        *(sys.executable, "-m", "ui", "--host", "0.0.0.0", "--port", str(port), "--allow-remote"),
        *("--password-file", str(secret), "--store", str(tmp_path / "no-store"), "--model", "smollm2"),
        *("--max-upload-mb", "0.001"),  # 1000 bytes
    ]
    log = tmp_path / "ui.log"
    url = f"http://127.0.0.1:{port}"
    with running(command, url + "/", log, timeout_s=120):
        assert "warning: serving on http://0.0.0.0:" in log.read_text()
        assert "Uploads are limited to 0.001 MB" in log.read_text()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "/config", timeout=10)
        assert refused.value.code == 401
        with pytest.raises(AuthenticationError, match="credentials were not provided"):
            Client(url, verbose=False)
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, verbose=False, auth=("me", "wrong password"))
        client = Client(url, verbose=False, auth=("me", PASSWORD))
        assert "No index yet" in client.predict(api_name="/corpus")
        big = tmp_path / "big.jsonl"
        big.write_text('{"title": "T", "abstract": "' + "word " * 400 + '"}\n')  # about 2 kB
        with pytest.raises(ValueError, match="exceeds the maximum file size of 1000 bytes"):
            client.predict(handle_file(str(big)), api_name="/upload")
    assert not (tmp_path / "no-store").exists()


def test_upload_over_the_size_limit_is_refused_with_the_limit(tmp_path):
    settings = Settings(store_dir=tmp_path / "store")
    big = tmp_path / "papers.jsonl"
    big.write_bytes(b'{"abstract": "x"}\n' * 120_000)  # 2.16 MB
    assistant = FakeAssistant()
    ((status, _),) = list(handlers.ingest_file(assistant, settings, str(big), max_mb=1))
    assert "Rejected: papers.jsonl: 2.2 MB is over the upload limit of 1 MB" in status
    assert "python -m ingest papers.jsonl" in status
    assert "The store is unchanged." in status
    assert assistant.reloads == 0
    assert not settings.store_dir.exists()
    assert handlers.upload_problem(big, max_mb=3) is None
    assert "upload one of .jsonl" in (handlers.upload_problem(Path("x.exe")) or "")
