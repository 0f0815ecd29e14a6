"""The layout's rules, read from the source with ast: the pure core imports only the standard
library, numpy and itself; the edges never import the app; no import cycle; no module over 400
lines (in the program, its tests, benchmarks and fixtures); and the quick commands (and the
control commands a desktop shortcut runs) load neither the model stack nor Qt.

Imports are read wherever they are written: at module level, inside functions, and under
`if TYPE_CHECKING:`. Package `__init__` modules import nothing, so the explicit imports are the
whole graph (importing `a.b.c` also runs `a/__init__` and `a/b/__init__`, which add no edges).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE

PACKAGE = REPO / "posture"
MAX_LINES = 400
SIZED_FOLDERS = ("posture", "tests", "benchmarks", "fixtures")
MODEL_STACK = ("mediapipe", "cv2", "matplotlib", "PySide6")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path) -> set[str]:
    """Every module `path` imports, by its full name (a name imported from a package counts
    as its submodule when there is one)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            assert node.module is not None
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if f"{node.module}.{alias.name}" in MODULES)
    return found


GRAPH = {name: {m for m in imports(path) if m in MODULES} for name, path in MODULES.items()}


def test_the_rules_see_every_layer():
    assert {"posture.core.pipeline", "posture.io.estimator", "posture.app.cli"} <= MODULES.keys()
    assert "posture.core.score" in GRAPH["posture.core.pipeline"]  # imports are read


def test_core_imports_only_the_standard_library_numpy_and_itself():
    allowed = set(sys.stdlib_module_names) | {"numpy"}
    wrong = {name: sorted(m for m in imports(path)
                          if m.split(".")[0] not in allowed
                          and not (m == "posture.core" or m.startswith("posture.core.")))
             for name, path in MODULES.items() if name.startswith("posture.core")}
    assert {name: found for name, found in wrong.items() if found} == {}


def test_the_edges_never_import_the_app():
    wrong = {name: sorted(m for m in imports(path) if m.startswith("posture.app"))
             for name, path in MODULES.items() if name.startswith("posture.io")}
    assert {name: found for name, found in wrong.items() if found} == {}


def test_the_program_never_imports_the_tests():
    assert {name for name, path in MODULES.items()
            if any(m.split(".")[0] in ("tests", "benchmarks", "fixtures")
                   for m in imports(path))} == set()


def test_package_init_modules_import_nothing():
    assert {name: sorted(imports(path)) for name, path in MODULES.items()
            if path.name == "__init__.py" and imports(path)} == {}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, or with a self-import
    (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}, "b": set()}) == [["a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_over_400_lines():
    sizes = {str(path.relative_to(REPO)): len(path.read_text().splitlines())
             for folder in SIZED_FOLDERS for path in sorted((REPO / folder).rglob("*.py"))}
    assert {"posture/app/cli.py", "tests/conftest.py", "benchmarks/cost.py",
            "fixtures/make_fixtures.py"} <= sizes.keys()  # every folder is read
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


LOADED = """
import json, sys
from posture.app.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["config"], ["config", "--json"],
                                  ["stretches"], ["stretches", "butterfly", "--json"],
                                  ["report"], ["report", "--days", "30", "--json"],
                                  ["profiles"], ["profiles", "--json"],
                                  ["profiles", "delete", "nothing"],
                                  ["status"], ["status", "--json"], ["pause", "10m"],
                                  ["pause", "5x"], ["resume"], ["show"], ["quit"],
                                  ["autostart", "status"], ["calibrate", "--restore", "desk"]])
def test_quick_commands_load_no_model_stack(args, posture_home):
    proc = subprocess.run([sys.executable, "-c", LOADED, *args], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout.splitlines()[-1]))
    assert "posture.app.cli" in loaded
    assert loaded.isdisjoint(MODEL_STACK), sorted(loaded.intersection(MODEL_STACK))


def test_a_report_chart_does_load_matplotlib(posture_home, tmp_path):
    """Charts are drawn with matplotlib, loaded only when one is asked for."""
    proc = subprocess.run([sys.executable, "-c", LOADED, "report", "--out",
                           str(tmp_path / "week.png")], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "matplotlib" in set(json.loads(proc.stdout.splitlines()[-1]))


def test_analyze_does_load_the_model_stack(posture_home):
    """The check above can fail: a command that needs the model loads it."""
    proc = subprocess.run([sys.executable, "-c", LOADED, "analyze",
                           str(SAMPLE), "--fps", "1"],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert {"mediapipe", "cv2"} <= set(json.loads(proc.stdout.splitlines()[-1]))
