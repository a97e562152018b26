"""automation calls the other apps; no other app imports it (registration from above)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "levier"


def test_no_app_imports_automation():
    offenders = []
    for path in SRC.rglob("*.py"):
        # demo seeds every app: its history reads each automation's switch-on day
        if path.relative_to(SRC).parts[0] in {"automation", "demo"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [f"{path.relative_to(SRC)}: {n}" for n in names
                          if n.startswith("levier.automation")]  # fmt: skip
    assert offenders == []
