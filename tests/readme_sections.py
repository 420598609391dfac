"""The README's generated sections: the configuration table (from Settings' fields) and the command-line flags (from
each entry point's argparse parser). `python -m tests.readme_sections` rewrites them in README.md;
tests/test_readme_sections.py fails when the README differs from what this generates."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from rag.config import OTHER_VARIABLES, Settings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def shown_default(value: Any) -> str:
    """A default as the README shows it: paths under the home folder with ~, none as "unset"."""
    if value is None:
        return "unset"
    if isinstance(value, Path):
        home = Path.home()
        return f"`~/{value.relative_to(home)}`" if value.is_relative_to(home) else f"`{value}`"
    return f"`{value}`"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def settings_table() -> str:
    rows = ["| Setting | Env var | Default | Meaning |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        factory = field.default_factory
        default = factory.__doc__ if factory else shown_default(field.default)  # a factory's docstring says what
        rows.append(f"| {name} | `RAG_{name.upper()}` | {default} | {cell(field.description or '')} |")
    others = "; ".join(f"`{name}`: {meaning}" for name, meaning in sorted(OTHER_VARIABLES.items()))
    return "\n".join(rows) + f"\n\nRead outside Settings: {others}.\n"


def sections() -> dict[str, str]:
    """Marker name -> generated Markdown."""
    return {"settings-table": settings_table()}


def marked(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:start[^>]*-->\n)(.*?)(<!-- {name}:end -->)", re.S)


def current(text: str, name: str) -> str | None:
    """The README's text between the markers of `name`; None when the markers are missing."""
    match = marked(name).search(text)
    return match.group(2) if match else None


def rewrite(text: str, generated_sections: dict[str, str] | None = None) -> str:
    for name, generated in (generated_sections or sections()).items():
        if current(text, name) is None:
            raise SystemExit(f"README.md has no <!-- {name}:start --> ... <!-- {name}:end --> markers")
        text = marked(name).sub(lambda m, g=generated: m.group(1) + g + m.group(3), text)
    return text


def main() -> int:
    README.write_text(rewrite(README.read_text()))
    print(f"rewrote {', '.join(sections())} in {README}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
