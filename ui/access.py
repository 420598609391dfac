"""Who may connect: loopback only by default; another interface needs --allow-remote and an access password."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable, Mapping
from pathlib import Path

from rag.errors import ConfigError

PASSWORD_VARIABLE = "RAG_UI_PASSWORD"
MIN_PASSWORD_CHARS = 8
Auth = Callable[[str, str], bool]


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or `localhost`; any other name counts as remote (it is not resolved: no network at start)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def read_password(password_file: Path | None, environ: Mapping[str, str]) -> str | None:
    """The access password: the first line of `password_file`, else RAG_UI_PASSWORD, else None."""
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = f"--password-file {password_file} cannot be read ({exc}); give a readable UTF-8 text file."
            raise ConfigError(reason) from exc
        password = lines[0].strip() if lines else ""
        where = f"--password-file {password_file}"
    elif environ.get(PASSWORD_VARIABLE):
        password, where = environ[PASSWORD_VARIABLE].strip(), PASSWORD_VARIABLE
    else:
        return None
    if len(password) < MIN_PASSWORD_CHARS:
        raise ConfigError(
            f"The access password from {where} has {len(password)} characters; use at least {MIN_PASSWORD_CHARS}."
        )
    return password


def password_check(password: str) -> Auth:
    """Gradio's auth callable: any user name, the one password (compared in constant time)."""

    def check(username: str, given: str) -> bool:
        return hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8"))

    return check


def access_for(host: str, allow_remote: bool, password_file: Path | None, environ: Mapping[str, str]) -> Auth | None:
    """The auth callable to serve `host` with (None: open, loopback only); ConfigError when it must not be served."""
    password = read_password(password_file, environ)
    if is_loopback(host):
        return password_check(password) if password else None
    if not allow_remote:
        raise ConfigError(
            f"--host {host} is not a loopback address, so anyone on the network could read and add papers. "
            "Serve on 127.0.0.1 (the default), or pass --allow-remote together with an access password "
            f"({PASSWORD_VARIABLE} or --password-file FILE)."
        )
    if password is None:
        raise ConfigError(
            f"--allow-remote needs an access password: set {PASSWORD_VARIABLE}, or pass --password-file FILE "
            f"(first line, at least {MIN_PASSWORD_CHARS} characters)."
        )
    return password_check(password)


def remote_warning(host: str, port: int, max_upload_mb: float) -> str:
    return (
        f"warning: serving on http://{host}:{port}, reachable from other machines. Every visitor must log in with "
        f"the access password (any user name); traffic is plain HTTP, not encrypted: use a trusted network or an "
        f"HTTPS proxy. Uploads are limited to {max_upload_mb:g} MB."
    )
