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


def _imports(path):
    """Every module `path` imports, relative ones made absolute within its package."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append(f"{path.parent.name}.{node.module}" if node.level else node.module or "")
    return names


def test_the_store_interface_imports_no_database_module():
    imported = _imports(ROOT / "events" / "store.py")
    assert [n for n in imported if n.split(".")[0] in ("duckdb", "psycopg", "psycopg2", "sqlite3")] == []
    assert "events.duckdb_store" not in imported and "events.backends" not in imported


def test_no_environment_variable_of_the_product_exists_for_tests():
    sources = " ".join(p.read_text(encoding="utf-8") for package in ("events", "geo", "extract")
                       for p in (ROOT / package).rglob("*.py"))
    assert "CRASH_TEST" not in sources and "stdin.readline" not in sources


def test_every_error_the_events_core_defines_is_in_its_one_tree():
    defined = {}
    for path in sorted((ROOT / "events").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    getattr(base, "id", "").endswith(("Error", "Exception", "Refused")) for base in node.bases):
                defined[node.name] = path.name
    assert {name: module for name, module in defined.items() if module != "exc.py"} == {"_UsageError": "__main__.py"}
