"""Questions embedded by ONNX Runtime get the torch model's vectors, and a question process never imports torch."""

import subprocess
import sys

import numpy as np

from rag.retrieval import onnx_embedder
from rag.retrieval.onnx_embedder import OnnxEmbedder


def test_the_export_gives_the_torch_models_vectors(tmp_path, embedder, sample_papers):
    earlier = tmp_path / "all-minilm-l6-v2-0-123-456.onnx"  # an export of older weights: never read again
    other_model = tmp_path / "all-minilm-l6-v2-int8-1-123-456.onnx"
    earlier.write_bytes(b"old")
    other_model.write_bytes(b"other")
    file = onnx_embedder.export(embedder.name, embedder._model, tmp_path)
    assert file is not None
    assert sorted(tmp_path.iterdir()) == sorted([file, other_model])
    texts = [f"{p.title}. {p.abstract}" for p in sample_papers.values()]  # some run past the 256-token limit
    texts += ["What AUROC does SONA reach?", "Which papers study outlier detection?", "x"]
    assert max(len(embedder._model.tokenizer.tokenize(t)) for t in texts) > 256
    torch_vectors = np.asarray(embedder.embed(texts))
    onnx_vectors = np.asarray(OnnxEmbedder(embedder.name, file).embed(texts))
    assert np.abs(onnx_vectors - torch_vectors).max() < 1e-5


def test_an_export_that_does_not_reproduce_the_torch_vectors_is_not_kept(tmp_path, embedder, monkeypatch):
    monkeypatch.setattr(onnx_embedder, "TOLERANCE", -1.0)  # no export can pass
    assert onnx_embedder.export(embedder.name, embedder._model, tmp_path) is None
    assert list(tmp_path.rglob("*")) == []  # no file, no partial file


def test_a_damaged_export_is_not_used(tmp_path, embedder):
    file = onnx_embedder.onnx_path(embedder.name, tmp_path)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(b"not an onnx model")
    assert onnx_embedder.load(embedder.name, tmp_path) is None  # questions then go to the torch model


PROBE = """
import sys
from rag.config import Settings
from rag.qa import Assistant
assistant = Assistant(Settings(store_dir=sys.argv[1]))
found = assistant.retrieve("contrastive learning for hashing", k=3)
assistant.embedder.embed(["a claim to check", "an evidence sentence"])
print(type(assistant.embedder).__name__, "torch" in sys.modules, len(found))
"""


def test_a_question_process_embeds_without_importing_torch(small_store, embedder):
    settings, _ = small_store
    assert embedder._model is not None  # the first torch load exports the ONNX file, as ingest does on a new machine
    out = subprocess.run([sys.executable, "-c", PROBE, str(settings.store_dir)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["OnnxEmbedder", "False", "3"]
