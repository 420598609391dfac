"""`python -m ui`: serve the chat app on 127.0.0.1 (offline, never shared); beyond loopback only with a password."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.config import set_offline_env

if TYPE_CHECKING:
    from rag.qa import Assistant


def main(argv: list[str] | None = None) -> int:
    """Parse flags, check the settings, build the assistant and serve until interrupted."""
    set_offline_env()
    parser = argparse.ArgumentParser(prog="python -m ui", description="Serve the paper QA chat app.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1, loopback only)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host beyond loopback; needs an access password (RAG_UI_PASSWORD or --password-file)",
    )
    parser.add_argument("--password-file", type=Path, help="file whose first line is the access password")
    parser.add_argument(
        "--max-upload-mb", type=float, default=None, help="largest file the Corpus tab accepts (default 20)"
    )
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--store", type=Path, default=None, help="store directory (default: RAG_STORE_DIR or .rag)")
    parser.add_argument("--chroma-url", default=None, help="use a Chroma server instead of the embedded store")
    parser.add_argument("--model", default=None, help="generator: default | fast (or smollm2, a GGUF path)")
    args = parser.parse_args(argv)

    from rag import Assistant, Settings  # after set_offline_env: importing rag may load ML libraries
    from rag.errors import ConfigError, RagError
    from rag.startup import check_startup
    from ui.access import access_for, is_loopback, remote_warning
    from ui.handlers import MAX_UPLOAD_MB

    flags = {"store_dir": args.store, "chroma_url": args.chroma_url, "model": args.model}
    overrides = {key: value for key, value in flags.items() if value}
    try:  # before the page opens: who may connect, a misspelt RAG_* variable, a bad calibration file, a missing model
        auth = access_for(args.host, args.allow_remote, args.password_file, os.environ)
        if args.max_upload_mb is not None and not args.max_upload_mb > 0:
            raise ConfigError(f"--max-upload-mb must be a positive number of megabytes, got {args.max_upload_mb:g}.")
        settings = Settings(**overrides)
        check_startup(settings)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1

    from ui.app import build_app, launch

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    max_mb = args.max_upload_mb or MAX_UPLOAD_MB
    limit: dict[str, Any] = {} if max_mb == MAX_UPLOAD_MB else {"max_upload_mb": max_mb}
    login: dict[str, Any] = {}
    if auth is not None:
        login = {"auth": auth, "auth_message": "Paper QA: log in with the access password (any user name)."}
    if not is_loopback(args.host):
        print(remote_warning(args.host, args.port, max_mb), file=sys.stderr, flush=True)
    assistant = Assistant(settings)
    threading.Thread(target=_warm_up, args=(assistant,), name="warm-up", daemon=True).start()
    launch(build_app(assistant, settings, **limit), host=args.host, port=args.port, **limit, **login)
    return 0


def _warm_up(assistant: Assistant) -> None:
    """Load the model and read the prompt prefix while the page opens; a failure (say, no store yet) is only logged,
    because the first question reports it to the user in full."""
    from rag.errors import RagError

    try:
        assistant.warm_up()
        logging.getLogger("ui").info("warm-up done: the model is loaded and has read the prompt prefix")
    except RagError as exc:
        logging.getLogger("ui").warning("warm-up skipped: %s", exc)


if __name__ == "__main__":
    raise SystemExit(main())
