"""The project's metadata says what `make` installs."""

import re
import tomllib

from tests.conftest import ROOT


def _pins(path):
    pins = set()
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            pins.add(re.sub(r"\s+", "", line))
    return pins


def test_pyproject_dependencies_are_the_pinned_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = set(project["dependencies"]) | {d for extra in project["optional-dependencies"].values()
                                                for d in extra}
    assert declared == _pins("requirements.txt")


def test_checks_are_pinned_for_make_test():
    assert {pin.split("==")[0] for pin in _pins("requirements-dev.txt")} >= {"ruff", "mypy"}
    assert all("==" in pin for pin in _pins("requirements-dev.txt"))


def test_licence_and_notice_ship():
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "data/gazetteer/ATTRIBUTION.md" in (ROOT / "NOTICE").read_text(encoding="utf-8")
