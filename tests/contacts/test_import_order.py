"""contacts is a base layer: it tells its dependents of a merge or change by a signal and
imports none of them, not even lazily inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import levier.contacts

HIGHER_APPS = (
    "levier.cases", "levier.enquiries", "levier.campaigns",
    "levier.mailing", "levier.documents", "levier.controls",
)  # fmt: skip
CONTACTS_DIR = Path(levier.contacts.__file__).parent


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """Every module `source` imports, at any depth (in functions too), relative ones resolved
    against `package`; each `from x import y` counts as x and x.y (y may be a module)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
        ):
            if node.args and isinstance(node.args[0], ast.Constant):
                found.append((node.lineno, str(node.args[0].value)))
    return found


def higher_imports(source: str, package: str) -> list[tuple[int, str]]:
    return sorted(
        (line, module)
        for line, module in imported_modules(source, package)
        if any(module == app or module.startswith(app + ".") for app in HIGHER_APPS)
    )


def test_no_module_of_contacts_imports_a_higher_app():
    files = sorted(CONTACTS_DIR.rglob("*.py"))
    assert any(path.name == "services.py" for path in files)
    offending = []
    for path in files:
        package = ".".join(["levier", "contacts", *path.relative_to(CONTACTS_DIR).parent.parts])
        offending += [
            f"{path.relative_to(CONTACTS_DIR)}:{line} imports {module}"
            for line, module in higher_imports(path.read_text(), package)
        ]
    assert offending == []


def test_the_walk_finds_lazy_relative_and_dynamic_imports():
    source = (
        "from levier.core.models import Agent\n"
        "def merge():\n"
        "    from levier.cases.models import Case\n"
        "    import levier.mailing.outbox\n"
        "    return importlib.import_module('levier.campaigns.models')\n"
        "from .. import enquiries\n"
    )
    assert higher_imports(source, "levier.contacts") == [
        (3, "levier.cases.models"),
        (3, "levier.cases.models.Case"),
        (4, "levier.mailing.outbox"),
        (5, "levier.campaigns.models"),
        (6, "levier.enquiries"),
    ]
