"""Choose llama.cpp's build flags from this CPU, build llama-cpp-python, smoke-test it, fall back, record it."""

from __future__ import annotations

import fcntl
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from rag.errors import ModelMissingError

VERSION = "0.3.36"
# Runs on any x86-64 CPU of the last decade; the fallback when the native build fails to build or to run.
PORTABLE = ("-DGGML_NATIVE=OFF", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON", "-DGGML_BMI2=ON")
# ggml option -> the /proc/cpuinfo flags that mean the CPU has it (the kernel spells VBMI without the underscore)
AVX512 = {
    "GGML_AVX512": ("avx512f",),
    "GGML_AVX512_VBMI": ("avx512vbmi", "avx512_vbmi"),
    "GGML_AVX512_VNNI": ("avx512_vnni",),
    "GGML_AVX512_BF16": ("avx512_bf16",),
}
# llama.cpp's AMX kernel crashes on these CPUs (SIGSEGV on the first matrix product), so it is never compiled in
NO_AMX = ("-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF")
SMOKE_TIMEOUT_S = 300


@dataclass(frozen=True)
class Build:
    """One way to compile llama.cpp: its name and the CMAKE_ARGS that make it."""

    flavour: str  # "native" (the CPU's own vector extensions) or "portable"
    cmake_args: str


def cpu_features(cpuinfo: str | None = None) -> set[str]:
    """The CPU's feature flags as /proc/cpuinfo lists them (empty where there is no such file)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return set(value.split())
    return set()


def wanted(features: set[str], machine: str | None = None, flavour: str = "native") -> Build:
    """The build for this CPU: on x86-64 the portable flags plus each AVX-512 extension the CPU reports, AMX off;
    the portable flags alone without AVX-512 or when asked for; elsewhere llama.cpp's own native build."""
    machine = machine or platform.machine()
    if machine not in ("x86_64", "AMD64"):
        return Build("native", "")
    if flavour == "portable" or "avx512f" not in features:
        return Build("portable", " ".join(PORTABLE))
    extensions = [f"-D{option}={'ON' if features & set(flags) else 'OFF'}" for option, flags in AVX512.items()]
    return Build("native", " ".join([*PORTABLE, *extensions, *NO_AMX]))


def attempts(build: Build) -> list[Build]:
    """What to try in order: the wanted build, then the portable one if that is different."""
    portable = Build("portable", " ".join(PORTABLE))
    return [build] if build.flavour == "portable" or not build.cmake_args else [build, portable]


def record_path(prefix: str | None = None) -> Path:
    """Where the virtualenv records which llama.cpp build it holds."""
    return Path(prefix or sys.prefix) / "llama-build.json"


def recorded(prefix: str | None = None) -> dict | None:
    try:
        return dict(json.loads(record_path(prefix).read_text()))
    except (OSError, ValueError):
        return None


def installed_version() -> str | None:
    try:
        return metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        return None


def is_current(record: dict | None, want: Build) -> bool:
    """The recorded build answers the wanted one (also when it fell back to portable) and is still installed."""
    if not record or record.get("wanted") != asdict(want):
        return False
    return record.get("version") == installed_version() == VERSION


def pip_build(build: Build) -> None:
    """Compile llama-cpp-python from source with the build's flags and install it. Built as a wheel in a fresh
    folder without pip's cache (which would hand back a wheel built with other flags), then swapped in, so the
    installed copy keeps working during the 4-minute compile and stays if the compile fails."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    env = {**os.environ, "CMAKE_ARGS": build.cmake_args}
    with tempfile.TemporaryDirectory(prefix="llama-wheel-") as folder:
        spec = f"llama-cpp-python=={VERSION}"
        subprocess.run([*pip, "wheel", "--no-cache-dir", "--no-deps", spec, "-w", folder], env=env, check=True)
        wheel = str(next(Path(folder).glob("llama_cpp_python-*.whl")))
        subprocess.run([*pip, "install", "--no-deps", "--force-reinstall", wheel], check=True)
        subprocess.run([*pip, "install", wheel], check=True)  # its dependencies, where missing


def smoke(command: list[str] | None = None) -> str | None:
    """Load the small test model in a child process and generate a few tokens, so a build that crashes (SIGILL on
    an instruction the CPU lacks, SIGSEGV in a kernel) fails here, not in the app. None when it worked, else why."""
    command = command or [sys.executable, "-m", "rag.generation.smoke"]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=SMOKE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"the smoke test did not finish in {SMOKE_TIMEOUT_S} s"
    if run.returncode < 0:
        return f"the smoke test was killed by {signal.Signals(-run.returncode).name}"
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return f"the smoke test exited with {run.returncode}: {last}"
    return None


def ensure(
    flavour: str = "native",
    build: Callable[[Build], None] = pip_build,
    check: Callable[[], str | None] = smoke,
    features: set[str] | None = None,
    prefix: str | None = None,
) -> dict:
    """Make the installed llama-cpp-python the build this CPU wants: nothing to do when the record says so;
    otherwise build it and smoke-test it, falling back to the portable flags when that fails. Returns the record."""
    features = cpu_features() if features is None else features
    want = wanted(features, flavour=flavour)
    with record_path(prefix).with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two `make` runs at once: the second waits, then finds the build in place
        return _ensure(want, features, build, check, prefix)


def _ensure(
    want: Build, features: set[str], build: Callable[[Build], None], check: Callable[[], str | None], prefix: str | None
) -> dict:
    record = recorded(prefix)
    if is_current(record, want):
        assert record is not None
        print(f"llama-cpp-python {record['version']}: {record['flavour']} build in place ({record_path(prefix)})")
        return record
    failures: list[str] = []
    for candidate in attempts(want):
        print(
            f"building llama-cpp-python {VERSION}, {candidate.flavour} (about 4 minutes on 2 cores): "
            f"CMAKE_ARGS={candidate.cmake_args!r}",
            flush=True,
        )
        try:
            build(candidate)
        except subprocess.CalledProcessError as exc:
            failures.append(f"{candidate.flavour}: the build failed ({exc})")
            continue
        if (error := check()) is not None:
            failures.append(f"{candidate.flavour}: {error}")
            print(f"the {candidate.flavour} build failed its smoke test: {error}", flush=True)
            continue
        record = {
            "version": installed_version() or VERSION,
            "flavour": candidate.flavour,
            "cmake_args": candidate.cmake_args,
            "wanted": asdict(want),
            "failed": failures,
            "cpu_features": sorted(f for f in features if f.startswith(("avx", "amx", "fma", "f16c", "bmi"))),
        }
        record_path(prefix).write_text(json.dumps(record, indent=1) + "\n")
        print(f"llama-cpp-python {record['version']}: using the {candidate.flavour} build (smoke test passed)")
        return record
    raise ModelMissingError(
        "llama-cpp-python could not be built and run with any flags: " + "; ".join(failures) + ". Check that a C/C++ "
        "compiler and cmake are installed, then run `make install` again."
    )


def system_info() -> str:
    """What the installed llama.cpp library was compiled with: its CPU backend's instruction sets (AVX512 = 1 ...)."""
    import llama_cpp

    return " ".join(llama_cpp.llama_print_system_info().decode("utf-8", "replace").split())
