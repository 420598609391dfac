"""The README's configuration table and command-line flags are generated (tests/readme_sections.py) and current."""

import pytest

from rag.config import Settings
from tests import readme_sections
from tests.readme_sections import README, current, rewrite, sections


def test_every_setting_has_a_description():
    missing = [name for name, field in Settings.model_fields.items() if not (field.description or "").strip()]
    assert not missing, f"Settings fields without Field(description=...): {missing}"


@pytest.mark.parametrize("name", sorted(sections()))
def test_readme_section_is_current(name):
    text = README.read_text()
    assert current(text, name) is not None, f"README.md lacks the <!-- {name}:start --> / end markers"
    assert current(text, name) == sections()[name], (
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
