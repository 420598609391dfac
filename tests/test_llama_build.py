"""The llama.cpp build: flags follow the CPU, a crashing build falls back to portable, and the installed build is
the one this CPU wants and runs (whichever flavour this machine built)."""

import json
import subprocess
import sys
from dataclasses import asdict

import pytest

from rag.errors import ModelMissingError
from rag.generation import llama_build
from rag.generation.llama_build import PORTABLE, Build

SAPPHIRE_RAPIDS = "processor\t: 0\nflags\t\t: fpu avx avx2 fma f16c bmi2 avx512f avx512vbmi avx512_vnni amx_tile\n"


def test_native_flags_turn_on_only_the_avx512_extensions_the_cpu_reports():
    build = llama_build.wanted(llama_build.cpu_features(SAPPHIRE_RAPIDS), machine="x86_64")
    args = build.cmake_args.split()
    assert build.flavour == "native"
    assert args[: len(PORTABLE)] == list(PORTABLE)
    assert {"-DGGML_AVX512=ON", "-DGGML_AVX512_VBMI=ON", "-DGGML_AVX512_VNNI=ON", "-DGGML_AVX512_BF16=OFF"} <= set(args)
    assert {"-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF"} <= set(args)  # even with amx_tile


def test_without_avx512_or_when_asked_the_build_is_portable_and_elsewhere_llama_cpps_own():
    avx2_only = llama_build.cpu_features("flags\t: fpu avx avx2 fma f16c bmi2\n")
    assert llama_build.wanted(avx2_only, machine="x86_64") == Build("portable", " ".join(PORTABLE))
    native = llama_build.cpu_features(SAPPHIRE_RAPIDS)
    assert llama_build.wanted(native, machine="x86_64", flavour="portable").flavour == "portable"
    assert llama_build.wanted(native, machine="aarch64") == Build("native", "")


def crash(signal_name: str) -> list[str]:
    return [sys.executable, "-c", f"import os, signal; os.kill(os.getpid(), signal.{signal_name})"]


def test_the_smoke_test_names_a_crash_and_an_error():
    assert llama_build.smoke(crash("SIGILL")) == "the smoke test was killed by SIGILL"
    failed = llama_build.smoke([sys.executable, "-c", "raise SystemExit('no model')"])
    assert failed == "the smoke test exited with 1: no model"
    assert llama_build.smoke([sys.executable, "-c", "print('hello')"]) is None


def test_a_native_build_that_crashes_falls_back_to_portable_and_is_recorded(tmp_path, capsys):
    built: list[Build] = []
    checks = iter([crash("SIGSEGV"), [sys.executable, "-c", "pass"]])
    features = llama_build.cpu_features(SAPPHIRE_RAPIDS)
    record = llama_build.ensure(
        build=built.append, check=lambda: llama_build.smoke(next(checks)), features=features, prefix=str(tmp_path)
    )
    assert [b.flavour for b in built] == ["native", "portable"]
    assert record["flavour"] == "portable"
    assert record["failed"] == ["native: the smoke test was killed by SIGSEGV"]
    assert json.loads((tmp_path / "llama-build.json").read_text()) == record
    assert "using the portable build" in capsys.readouterr().out


def test_a_build_that_fails_everywhere_is_an_error(tmp_path):
    def broken(build: Build) -> None:
        raise subprocess.CalledProcessError(1, ["pip", "wheel"])

    features = llama_build.cpu_features(SAPPHIRE_RAPIDS)
    with pytest.raises(ModelMissingError, match="could not be built"):
        llama_build.ensure(build=broken, check=lambda: None, features=features, prefix=str(tmp_path))
    assert not (tmp_path / "llama-build.json").exists()


def test_a_current_record_builds_nothing_and_a_different_wish_rebuilds(tmp_path):
    features = llama_build.cpu_features(SAPPHIRE_RAPIDS)
    want = llama_build.wanted(features)
    record = {"version": llama_build.installed_version(), "flavour": want.flavour, "wanted": asdict(want)}
    (tmp_path / "llama-build.json").write_text(json.dumps(record))
    built: list[Build] = []
    llama_build.ensure(build=built.append, check=lambda: None, features=features, prefix=str(tmp_path))
    assert built == []
    llama_build.ensure("portable", build=built.append, check=lambda: None, features=features, prefix=str(tmp_path))
    assert [b.flavour for b in built] == ["portable"]


def test_the_installed_build_is_the_one_this_cpu_wants():
    """`make install` recorded a build for this CPU, and the loaded library was compiled the way the record says."""
    from rag.generation.llama_build import system_info

    record = llama_build.recorded()
    assert record is not None, f"no {llama_build.record_path()}: run make install"
    want = llama_build.wanted(llama_build.cpu_features())
    assert record["wanted"] == asdict(want)
    assert record["version"] == llama_build.installed_version() == llama_build.VERSION
    info = system_info()
    assert "AMX" not in info
    if record["flavour"] == "native" and "avx512f" in llama_build.cpu_features():
        assert "AVX512 = 1" in info
    elif record["flavour"] == "portable":
        assert record["failed"] or want.flavour == "portable"  # a fallback says why
        assert "AVX2 = 1" in info
        assert "AVX512 = 1" not in info


@pytest.mark.slow
def test_the_installed_build_passes_its_smoke_test():
    assert llama_build.smoke() is None
    check = subprocess.run([sys.executable, "-m", "rag.models", "check", "smollm2"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert "build, CMAKE_ARGS=" in check.stdout
    assert "CPU features: " in check.stdout
