"""`import rag` is cheap and offline: no model, no heavy library, no socket."""

import json
import subprocess
import sys

PROBE = """
import json, socket, sys, time
opened = []
class Guard(socket.socket):
    def connect(self, *a, **k):
        opened.append(str(a)); raise OSError("network disabled in test")
socket.socket = Guard
started = time.perf_counter()
import rag, rag.types, rag.config, rag.errors
elapsed = time.perf_counter() - started
heavy = [m for m in ("torch", "llama_cpp", "chromadb", "sentence_transformers", "transformers", "gradio")
         if m in sys.modules]
print(json.dumps({"heavy": heavy, "sockets": opened, "seconds": elapsed}))
"""


def test_import_rag_loads_nothing_heavy_and_opens_no_socket():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert result["sockets"] == []
    assert result["seconds"] < 2.0


def test_entry_points_set_offline_environment(monkeypatch):
    from rag.config import set_offline_env

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY", "GRADIO_ANALYTICS_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    set_offline_env()
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
