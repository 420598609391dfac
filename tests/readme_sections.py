"""The README's generated sections: the configuration table (from Settings' fields) and the command-line flags (from
each entry point's argparse parser). `python -m tests.readme_sections` rewrites them in README.md;
tests/test_readme_sections.py fails when the README differs from what this generates."""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from pathlib import Path
from typing import Any
from unittest import mock

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


# command -> the module whose main() builds its parser
ENTRY_POINTS = {
    "python -m ingest": "ingest.__main__",
    "python -m rag": "rag.__main__",
    "python -m ui": "ui.__main__",
    "python -m evals": "evals.__main__",
    "python -m rag.models": "rag.models",
}
# benchmarks and data builders, listed after the entry points
SCRIPTS = sorted(
    f"python -m evals.{p.stem}"
    for p in (ROOT / "evals").glob("*.py")
    if p.stem.startswith(("bench_", "build_")) or p.stem in {"faults", "synthetic"}
)


class _Parser(Exception):
    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser


def parser_of(module: str) -> argparse.ArgumentParser:
    """The parser `module.main()` builds, caught at parse_args: nothing is parsed, loaded or run."""

    def caught(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        raise _Parser(self)

    main = importlib.import_module(module).main
    with mock.patch.object(argparse.ArgumentParser, "parse_args", caught), mock.patch.dict(os.environ):
        try:
            main()
        except _Parser as found:
            return found.parser
    raise AssertionError(f"{module}.main() returned without parsing its arguments")


def _default(action: argparse.Action) -> str:
    value = action.default
    if value is None or value is False or value == argparse.SUPPRESS or isinstance(action, argparse._StoreTrueAction):
        return ""
    if isinstance(value, Path) and value.is_absolute() and value.is_relative_to(ROOT):
        value = value.relative_to(ROOT)
    return f"`{value}`"


def flags_table(command: str, parser: argparse.ArgumentParser, summary: str | None = None) -> str:
    """One command's arguments; a parser with subcommands gives one table per subcommand."""
    formatter = parser._get_formatter()
    rows = []
    subcommands: dict[str, tuple[argparse.ArgumentParser, str | None]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            subcommands.update({name: (sub, helps.get(name)) for name, sub in action.choices.items()})
            continue
        name = formatter._format_action_invocation(action)
        if not action.option_strings:
            name = name.upper() if action.choices is None else name
        meaning = formatter._expand_help(action) if action.help else ""
        if action.required and action.option_strings:
            meaning = f"required; {meaning}" if meaning else "required"
        rows.append(f"| `{cell(name)}` | {_default(action)} | {cell(meaning)} |")
    first_paragraph = (summary or parser.description or "").strip().split("\n\n")[0]
    text = f"`{command}`: {' '.join(first_paragraph.split())}\n\n"
    if rows:
        text += "| Argument | Default | Meaning |\n|---|---|---|\n" + "\n".join(rows) + "\n\n"
    for name, (sub, help_text) in subcommands.items():
        text += flags_table(f"{command} {name}", sub, help_text)
    return text


def cli_flags() -> str:
    parts = [flags_table(command, parser_of(module)) for command, module in ENTRY_POINTS.items()]
    scripts = [flags_table(command, parser_of(command.split()[-1])) for command in SCRIPTS]
    details = "<details><summary>Benchmarks and data builders</summary>\n\n" + "".join(scripts) + "</details>\n"
    return "".join(parts) + details


GENERATORS = {"settings-table": settings_table, "cli-flags": cli_flags}  # marker name -> its Markdown


def sections() -> dict[str, str]:
    return {name: generate() for name, generate in GENERATORS.items()}


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
