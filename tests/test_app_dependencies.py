"""The app dependency graph (DESIGN.md §3): apps depend downward, never in a cycle.

Every module of src/levier is parsed with `ast`, imports inside functions included, and each
import of another app is checked against the map below, which docs/architecture.md renders.
A new edge means deciding where it belongs: add it here and in the doc, or move the code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import levier

SRC = Path(levier.__file__).parent
DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"

# The base layer, bottom-up: each may import only the ones before it, and every other app
# may import all three. contacts tells its dependents of a merge or change by a signal.
BASE = ("journal", "core", "contacts")

# What each app above the base layer may import besides it. Every edge listed here is used
# by the code (a stale one fails), so this is also the graph as it stands.
ABOVE_BASE: dict[str, frozenset[str]] = {
    "mailing": frozenset(),
    "cases": frozenset({"mailing"}),  # outgoing mail goes through the outbox
    # a case reference found in a message, and that link on the enquiry's page
    "enquiries": frozenset({"cases", "mailing"}),
    "documents": frozenset({"cases", "mailing"}),
    "campaigns": frozenset({"cases", "documents", "mailing"}),
    # the friendly letter (mailing), and the classifier's version for the public
    # algorithm register (enquiries)
    "controls": frozenset({"cases", "enquiries", "mailing"}),
    "exchange": frozenset({"enquiries"}),  # the partners' API files enquiries
    "portal": frozenset({"cases", "enquiries"}),
    "privacy": frozenset({"cases", "enquiries"}),  # reads only, for the DPO's audit
    # automation calls other apps' services; no app imports it (each declares its schedule
    # steps in its own schedule.py, which automation discovers)
    "automation": frozenset({"cases", "controls", "documents"}),
    # reads the journal with the cases and enquiries it is about; writes nothing of theirs;
    # exports the control proposals' list with its own form and selector (controls);
    # scheduled reports: rendered to PDF (documents), sent through the outbox (mailing)
    "insights": frozenset({"cases", "controls", "documents", "enquiries", "mailing"}),
    # the history honours each automation's switch-on day (automation.registry)
    "demo": frozenset(
        {
            "automation",
            "campaigns",
            "cases",
            "controls",
            "documents",
            "enquiries",
            "insights",
            "mailing",
        }
    ),
}

# Imports that go against the order, each kept for a named reason; (module, app it imports).
EXCEPTIONS: dict[tuple[str, str], str] = {
    # The agent's home page ("My work") is served by core, the UI shell, and shows the
    # agent's cases and enquiries. Removing it means a registry of home lists that cases
    # and enquiries fill in their ready(); until then this view is the one upward import.
    ("core/views.py", "cases"): "the agent's home page lists their cases",
    ("core/views.py", "enquiries"): "the agent's home page lists their enquiries",
}

MODEL_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def apps_in_tree() -> list[str]:
    return sorted(path.parent.name for path in SRC.glob("*/apps.py"))


def allowed(app: str) -> frozenset[str]:
    if app in BASE:
        return frozenset(BASE[: BASE.index(app)])
    return frozenset(BASE) | ABOVE_BASE[app]


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """Every module `source` imports, at any depth (in functions too), relative ones resolved
    against `package`; each `from x import y` counts as x and x.y (y may be a module).
    `import_module("...")` and a model named by a string ("cases.Case") count too."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            value = str(node.args[0].value)
            if name == "import_module":
                found.append((node.lineno, value))
            elif name in MODEL_FIELDS and re.fullmatch(r"[a-z_]+\.[A-Z]\w*", value):
                found.append((node.lineno, "levier." + value))
    return found


def app_edges() -> list[tuple[str, int, str, str]]:
    """(module path under src/levier, line, importing app, imported app) for every import of
    one app by another; the project's own modules (settings, urls, cli) wire apps together
    and are left out."""
    apps = set(apps_in_tree())
    edges = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        app = relative.parts[0]
        if app not in apps:
            continue
        package = ".".join(["levier", *relative.parent.parts])
        for line, module in imported_modules(path.read_text(), package):
            parts = module.split(".")
            if parts[0] == "levier" and len(parts) > 1 and parts[1] in apps and parts[1] != app:
                edges.append((relative.as_posix(), line, app, parts[1]))
    return sorted(set(edges))


def violations(edges: list[tuple[str, int, str, str]]) -> list[str]:
    found = []
    for module, line, app, target in edges:
        if target in allowed(app) or (module, target) in EXCEPTIONS:
            continue
        if app in BASE:
            rule = f"{app} is in the base layer and imports no app above it"
        else:
            rule = f"{app} may import only {', '.join(sorted(allowed(app)))}"
        found.append(
            f"src/levier/{module}:{line} imports {target}, against the rule: {rule} "
            "(DESIGN.md §3; the map in tests/test_app_dependencies.py, docs/architecture.md)"
        )
    return sorted(set(found))


def cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """The cycles of `graph`, each as the path that closes it."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def allowed_graph() -> dict[str, frozenset[str]]:
    return {app: allowed(app) for app in apps_in_tree()}


def test_every_app_is_placed_in_the_graph():
    apps = set(apps_in_tree())
    assert {"cases", "contacts", "core", "journal"} <= apps
    placed = set(BASE) | set(ABOVE_BASE)
    assert apps - placed == set(), "place each new app in ABOVE_BASE (and docs/architecture.md)"
    assert placed - apps == set()


def test_no_import_goes_against_the_graph():
    assert violations(app_edges()) == []


def test_the_allowed_graph_has_no_cycle():
    assert cycles(allowed_graph()) == []


def test_every_allowed_edge_and_exception_is_still_used():
    used = {(app, target) for _, _, app, target in app_edges()}
    stale = [
        f"{app} -> {target}"
        for app, targets in ABOVE_BASE.items()
        for target in sorted(targets)
        if (app, target) not in used
    ]
    assert stale == [], "remove these edges from ABOVE_BASE and docs/architecture.md"
    used_modules = {(module, target) for module, _, _, target in app_edges()}
    assert [key for key in EXCEPTIONS if key not in used_modules] == []


def documented_graph() -> dict[str, frozenset[str]]:
    """The table "| `app` | `other`, `other` |" under the doc's dependency graph heading."""
    text = DOC.read_text()
    section = text.split("## App dependency graph", 1)[1].split("\n## ", 1)[0]
    graph = {}
    for row in re.findall(r"^\| `(\w+)` \|([^|]*)\|", section, flags=re.MULTILINE):
        app, targets = row
        graph[app] = frozenset(re.findall(r"`(\w+)`", targets))
    return graph


def test_the_documented_graph_is_the_map():
    expected = {app: allowed(app) for app in BASE} | {app: ABOVE_BASE[app] for app in ABOVE_BASE}
    assert documented_graph() == expected
    section = DOC.read_text().split("## App dependency graph", 1)[1].split("\n## ", 1)[0]
    for module, _ in EXCEPTIONS:
        assert f"`{module}`" in section, f"name the exception {module} in docs/architecture.md"


def test_the_walk_finds_lazy_relative_dynamic_and_model_string_imports():
    source = (
        "from levier.core.models import Agent\n"
        "def merge():\n"
        "    from levier.cases.models import Case\n"
        "    import levier.mailing.outbox\n"
        "    return importlib.import_module('levier.campaigns.models')\n"
        "from .. import enquiries\n"
        "case = models.ForeignKey('cases.Case', on_delete=models.PROTECT)\n"
    )
    assert sorted(imported_modules(source, "levier.contacts")) == [
        (1, "levier.core.models"),
        (1, "levier.core.models.Agent"),
        (3, "levier.cases.models"),
        (3, "levier.cases.models.Case"),
        (4, "levier.mailing.outbox"),
        (5, "levier.campaigns.models"),
        (6, "levier"),
        (6, "levier.enquiries"),
        (7, "levier.cases.Case"),
    ]


def test_a_violation_names_the_module_the_line_and_the_rule():
    edges = [
        ("contacts/services.py", 12, "contacts", "cases"),
        ("portal/views.py", 3, "portal", "mailing"),
    ]
    assert violations(edges) == [
        "src/levier/contacts/services.py:12 imports cases, against the rule: contacts is in the "
        "base layer and imports no app above it (DESIGN.md §3; the map in "
        "tests/test_app_dependencies.py, docs/architecture.md)",
        "src/levier/portal/views.py:3 imports mailing, against the rule: portal may import only "
        "cases, contacts, core, enquiries, journal (DESIGN.md §3; the map in "
        "tests/test_app_dependencies.py, docs/architecture.md)",
    ]


def test_a_cycle_in_the_map_is_found():
    graph = {"cases": frozenset({"mailing"}), "mailing": frozenset({"core"}),
             "core": frozenset({"cases"})}  # fmt: skip
    assert cycles(graph) == [["cases", "mailing", "core", "cases"]]
