import ast

from tests.conftest import ROOT


def test_no_core_module_imports_streamlit():
    offenders = []
    for package in ("geo", "events", "extract"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_geo_knows_nothing_of_events():
    sources = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "geo").rglob("*.py"))
    assert "from events" not in sources and "import events" not in sources
