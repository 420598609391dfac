"""Start-up checks: a bad calibration file, model name or backend stops an entry point before the first question."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from rag import models
from rag.config import Settings
from rag.errors import ModelMissingError
from rag.evidence import answerability

BACKEND_PACKAGES = {  # backend -> (module it imports, what to install)
    "llama-cpp": ("llama_cpp", "llama-cpp-python (see the Makefile's build flags)"),
    "transformers": ("transformers", "transformers gguf accelerate"),
}


def check_model(name: str, model_dir: Path | None = None) -> None:
    """Raise ModelMissingError unless `name` can be loaded: a known model whose packages (or assembled file) are
    installed, or a path that exists. Cheap: nothing is assembled or hashed here (loading verifies the file)."""
    canonical = models.canonical(name)
    spec = models.SPECS.get(canonical)
    if spec is None or spec.package_file:
        models.path(canonical, model_dir)  # a user's path, or a file shipped whole in a package: a lookup only
        return
    if ((model_dir or models.default_model_dir()) / f"{canonical}.gguf").exists():
        return  # assembled before; its size and sha256 are checked when it loads
    missing = [m.replace("_", "-") for m in spec.parts if importlib.util.find_spec(m) is None]
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise ModelMissingError(
            f"Model {name!r} ({canonical}) is not installed: package {shown} is missing. "
            f"Install it with: {spec.install_command}; or choose another with --model / RAG_MODEL."
        )


def installed(name: str, model_dir: Path | None = None) -> bool:
    try:
        check_model(name, model_dir)
    except ModelMissingError:
        return False
    return True


def check_startup(settings: Settings, generation: bool = True) -> None:
    """Everything a first question needs that can be wrong before it is asked: the embedder, and with
    `generation` the calibration file, the backend's package and the generator model."""
    check_model(settings.embedder)
    if not generation:
        return
    answerability.load_model(
        answerability.CALIBRATION_FILE
    )  # a corrupt or unreadable rag/evidence/calibration.json raises ConfigError with the fix
    if settings.backend == "openai":
        return  # the model lives on the server
    package, pip_name = BACKEND_PACKAGES[settings.backend]
    if importlib.util.find_spec(package) is None:
        raise ModelMissingError(
            f"Backend {settings.backend!r} needs the {package} package, which is not installed. "
            f"Install {pip_name}, or choose another backend with RAG_BACKEND."
        )
    check_model(settings.model, settings.model_dir)
