"""The README's configuration table and command-line flags are generated (tests/readme_sections.py) and current."""

import argparse
import sys
import types

import pytest

from rag.config import Settings
from tests import readme_sections
from tests.readme_sections import GENERATORS, README, current, flags_table, parser_of, rewrite


def test_every_setting_has_a_description():
    missing = [name for name, field in Settings.model_fields.items() if not (field.description or "").strip()]
    assert not missing, f"Settings fields without Field(description=...): {missing}"


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_readme_section_is_current(name):
    text = README.read_text()
    assert current(text, name) is not None, f"README.md lacks the <!-- {name}:start --> / end markers"
    assert current(text, name) == GENERATORS[name](), (
        f"README.md's {name} differs from the code: run `.venv/bin/python -m tests.readme_sections`"
    )


def test_the_check_sees_a_stale_section():
    """A README whose table lost a setting differs from the generated one, and rewriting restores it."""
    stale = "intro\n<!-- settings-table:start -->\n| old | table |\n<!-- settings-table:end -->\nrest\n"
    assert current(stale, "settings-table") != readme_sections.settings_table()
    fixed = rewrite(stale, {"settings-table": readme_sections.settings_table()})
    assert current(fixed, "settings-table") == readme_sections.settings_table()
    assert fixed.startswith("intro\n")
    assert fixed.endswith("rest\n")
    assert "RAG_ANSWER_THRESHOLD" in fixed
    assert "RAG_UI_PASSWORD" in fixed


def test_a_new_flag_shows_in_its_table(monkeypatch):
    """The parser is caught where main() parses, before anything runs; each argument is a row."""
    ran = []

    def main():
        parser = argparse.ArgumentParser(prog="python -m planted", description="A planted CLI.")
        parser.add_argument("--depth", type=int, default=3, help="how deep")
        parser.add_argument("--dry-run", action="store_true")
        parser.parse_args()
        ran.append(True)

    monkeypatch.setitem(sys.modules, "planted", types.SimpleNamespace(main=main))
    table = flags_table("python -m planted", parser_of("planted"))
    assert "| `--depth DEPTH` | `3` | how deep |" in table
    assert "| `--dry-run` |  |  |" in table
    assert table.startswith("`python -m planted`: A planted CLI.")
    assert not ran
