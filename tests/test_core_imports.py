"""``core`` is the ground floor: no module in it imports a domain app, so every app can build on it."""

import ast
from pathlib import Path

import core

DOMAIN_APPS = {"reforms", "delegation", "staffing", "finance", "stats", "audit", "demo"}
CORE = Path(core.__file__).parent


def imported_modules(path):
    """Every module a file imports, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def domain_imports(root):
    return sorted(
        f"{path.relative_to(root.parent)}: {module}"
        for path in root.rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in DOMAIN_APPS
    )


def test_no_module_of_core_imports_a_domain_app():
    assert domain_imports(CORE) == []


def test_the_check_finds_an_import_inside_a_function(tmp_path):
    """The check itself can fail: a lazy import of a domain app in a function is found."""
    package = tmp_path / "core"
    package.mkdir()
    (package / "views.py").write_text("def home():\n    from stats.selectors import alert_list\n")
    assert domain_imports(package) == ["core/views.py: stats.selectors"]
