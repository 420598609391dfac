"""The tier tables (tests/tiers.py) name tests and fixtures that exist, so a rename cannot drop a marker silently."""

import ast
import tomllib
from pathlib import Path

from tests.tiers import ALL, FIXTURE_NEEDS, TEST_NEEDS, TIERS

ROOT = Path(__file__).resolve().parent.parent


def functions_in(path: Path) -> set[str]:
    return {n.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)}


def test_listed_tests_exist():
    for file, tests in TEST_NEEDS.items():
        assert (ROOT / file).is_file(), file
        missing = set(tests) - {ALL} - functions_in(ROOT / file)
        assert not missing, f"tests/tiers.py lists tests {file} does not have: {missing}"


def test_listed_fixtures_exist():
    for key in FIXTURE_NEEDS:
        module, _, name = key.rpartition(".")
        assert name in functions_in(ROOT / (module.replace(".", "/") + ".py")), f"no fixture {key}"


def test_only_registered_tiers_are_assigned():
    assigned = set().union(*FIXTURE_NEEDS.values(), *(n for tests in TEST_NEEDS.values() for n in tests.values()))
    assert assigned <= set(TIERS)


def test_the_tiers_are_the_registered_markers():
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    assert {m.split(":")[0] for m in markers} == set(TIERS)
