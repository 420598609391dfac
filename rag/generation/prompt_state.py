"""The KV cache of the fixed prompt prefix, saved to disk so a new process skips reading it again.

Reading the prefix costs the default model 8.6 to 11 s on 2 cores; loading its saved state (about 30 KB per token)
takes milliseconds. A file is keyed by everything that decides its contents (model file, prefix text, llama.cpp
version and the build's CPU kernels), so a changed prompt, model or build can never load a stale state: it just gets
a new file.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class PromptStateCache:
    def __init__(self, directory: Path, model_path: Path, n_ctx: int) -> None:
        self.directory = directory
        self.model_path = model_path
        self.n_ctx = n_ctx

    def file_for(self, prefix: list[dict[str, str]]) -> Path:
        import llama_cpp

        stat = self.model_path.stat()
        # the build's CPU kernels too: the portable and the native build share a version number, but their kernels
        # need not compute the prefix's KV cells to the same bits
        build = llama_cpp.llama_print_system_info().decode("utf-8", "replace")
        model = [str(self.model_path.resolve()), stat.st_size, stat.st_mtime_ns]
        identity = [*model, llama_cpp.__version__, build, self.n_ctx]
        digest = hashlib.sha256(json.dumps([identity, prefix]).encode()).hexdigest()[:16]
        return self.directory / f"{self.model_path.stem}-{digest}.kv"

    def load(self, llm: Any, prefix: list[dict[str, str]]) -> bool:
        """Restore the prefix into a model that has read nothing yet; False if there is no usable saved state."""
        import llama_cpp

        path = self.file_for(prefix)
        if llm.n_tokens or not path.is_file():
            return False
        tokens = (llama_cpp.llama_token * self.n_ctx)()
        count = ctypes.c_size_t(0)
        read = llama_cpp.llama_state_seq_load_file(
            llm.ctx, str(path).encode(), 0, tokens, self.n_ctx, ctypes.byref(count)
        )
        if not read or not count.value:
            log.warning("Ignoring unreadable prompt state %s; the prompt prefix will be read again.", path)
            llm._ctx.kv_cache_clear()  # a partial load must not leave stray cells behind
            return False
        llm.input_ids[: count.value] = tokens[: count.value]
        llm.n_tokens = count.value
        llm._requires_eval = True  # no logits were restored: the question's own tokens are decoded before sampling
        return True

    def save(self, llm: Any, prefix: list[dict[str, str]]) -> None:
        """Write the model's current KV state (the prefix it just read); a cache that can't be written is skipped."""
        import llama_cpp

        path = self.file_for(prefix)
        partial = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.partial")  # writers never share it
        tokens = (llama_cpp.llama_token * llm.n_tokens)(*llm.input_ids[: llm.n_tokens].tolist())
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not llama_cpp.llama_state_seq_save_file(llm.ctx, str(partial).encode(), 0, tokens, llm.n_tokens):
                raise OSError(f"llama.cpp could not write {partial}")
            os.replace(partial, path)  # atomic: a reader never sees half a file
            for old in self.directory.glob(f"{self.model_path.stem}-{'?' * 16}.kv"):
                if old != path:
                    old.unlink(missing_ok=True)  # states of an earlier prompt are never read again
        except OSError as exc:
            partial.unlink(missing_ok=True)
            log.warning("Could not save the prompt state to %s (%s); each new process will read the prefix.", path, exc)
