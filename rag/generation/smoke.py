"""The llama.cpp build's smoke test, run in a child process (`python -m rag.generation.smoke`) by
rag.generation.llama_build.smoke, so a build that crashes kills only the child: load the small test model and
generate a few tokens."""

from __future__ import annotations

import sys

from rag.config import Settings
from rag.generation.llama_cpp import LlamaCppGenerator


def main() -> int:
    generator = LlamaCppGenerator("smollm2", Settings(n_ctx=512))
    text = "".join(generator.stream([{"role": "user", "content": "Say hello."}], max_tokens=8))
    if not text.strip():
        print("error: the smoke test generated no text", file=sys.stderr)
        return 1
    print(f"smoke test: {text.strip()!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
