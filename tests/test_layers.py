"""The layers import one way only: evolution <- app <- game <- main, with bench beside main; no module edits
sys.path. Every import is counted, those inside functions and under TYPE_CHECKING too."""

import ast
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

PROJECT = {"app", "assets", "bench", "evolution", "game", "main", "tests"}
MAY_NOT_IMPORT = {  # a layer and the project's parts it must never import
    "evolution": {"app", "game", "main", "bench", "tests"},
    "app": {"game", "main", "bench", "tests"},
    "game": {"main", "bench", "tests"},
    "main": {"bench", "tests"},
    "bench": {"tests"},
}


def modules_of(layer: str) -> list:
    return [ROOT / "main.py"] if layer == "main" else sorted((ROOT / layer).rglob("*.py"))


def imported(path) -> set[str]:
    """The project's top-level packages a module imports, anywhere in it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & PROJECT


@pytest.mark.parametrize("layer", sorted(MAY_NOT_IMPORT))
def test_a_layer_imports_nothing_above_it(layer):
    wrong = {str(path.relative_to(ROOT)): sorted(imported(path) & MAY_NOT_IMPORT[layer]) for path in modules_of(layer)}
    assert not {name: found for name, found in wrong.items() if found}


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from main import parse\n    import game.window\n")
    assert imported(module) == {"main", "game"}


@pytest.mark.parametrize("layer", sorted(MAY_NOT_IMPORT))
def test_no_module_edits_sys_path(layer):
    edits = []
    for path in modules_of(layer):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and ast.unparse(node) in ("sys.path.insert", "sys.path.append"):
                edits.append(str(path.relative_to(ROOT)))
    assert not edits


def test_no_script_edits_sys_path():
    # the docs' screenshot scripts run as modules from the repository root (python -m docs.lab.shoot), the tests
    # and the benchmarks too: none needs the project put on the path by hand
    edits = []
    for folder in ("docs", "tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text()
            if path.name != "test_layers.py" and ("sys.path.insert" in text or "sys.path[" in text):
                edits.append(str(path.relative_to(ROOT)))
    assert not edits


def test_the_docs_scripts_import(tmp_path):
    # a screenshot script that no longer imports (a module moved) is found here, not when a page needs new images
    scripts = sorted(".".join(path.relative_to(ROOT).with_suffix("").parts) for path in (ROOT / "docs").rglob("*.py"))
    assert len(scripts) >= 5
    code = f"import importlib\nfor name in {scripts!r}:\n    importlib.import_module(name)\n"
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


# evolution/'s sub-packages, lowest first: each imports only those before it (and the shared modules at
# evolution/'s top: errors, interrupts, atomic, outputs, budget, which import only each other)
EVOLUTION_ORDER = ("breeding", "racing", "run", "files", "many")


def test_evolutions_sub_packages_are_layers():
    base = {path.stem for path in (ROOT / "evolution").glob("*.py")} - {"__init__"}
    assert {"errors", "atomic", "budget"} <= base
    found = []
    for path in sorted((ROOT / "evolution").rglob("*.py")):
        parts = path.relative_to(ROOT / "evolution").with_suffix("").parts
        here = parts[0] if len(parts) > 1 else None  # None: a shared module at the top
        allowed = set(base) if here is None else set(base) | set(EVOLUTION_ORDER[: EVOLUTION_ORDER.index(here) + 1])
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                pieces = name.split(".")
                ours = pieces[0] == "evolution" and len(pieces) > 1 and pieces[1] in {*EVOLUTION_ORDER, *base}
                if ours and pieces[1] not in allowed:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert not found, "\n".join(found)


# game/'s sub-packages, lowest first, over its shared modules (the keys' table, the sessions a view steps) and under
# its top (the window, which opens every view, and what starts it): a view is given the window it is shown in and
# may name its type (under TYPE_CHECKING), nothing more
GAME_ORDER = ("drawing", "panels", "takeaway", "views")
GAME_BASE = {"keys", "session"}
GAME_TOP = {"window", "start", "frame_runner"}


def imports_with_place(path) -> list[tuple[str, int, bool]]:
    """(module imported, line, whether only for type checking) for every import of a module."""
    found = []

    def visit(node, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            only = typing_only or (isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, only) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module, child.lineno, only))
                found.extend((f"{child.module}.{alias.name}", child.lineno, only) for alias in child.names)
            else:
                visit(child, only)

    visit(ast.parse(path.read_text(), str(path)), False)
    return found


def test_games_sub_packages_are_layers():
    assert {path.stem for path in (ROOT / "game").glob("*.py")} - {"__init__"} == GAME_BASE | GAME_TOP
    found = []
    for path in sorted((ROOT / "game").rglob("*.py")):
        parts = path.relative_to(ROOT / "game").with_suffix("").parts
        if parts[0] in GAME_TOP:
            continue
        here = parts[0] if len(parts) > 1 else None  # None: a shared module
        lower = set() if here is None else set(GAME_ORDER[: GAME_ORDER.index(here) + 1])
        for name, line, typing_only in imports_with_place(path):
            pieces = name.split(".")
            if pieces[0] != "game" or len(pieces) < 2 or pieces[1] in lower | GAME_BASE:
                continue
            if pieces[1] in GAME_TOP and typing_only and here is not None:
                continue  # the window's type, for a view's or the takeaway's hints
            if pieces[1] in {*GAME_ORDER, *GAME_TOP}:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not found, "\n".join(found)


def test_main_py_only_starts_the_program():
    tree = ast.parse((ROOT / "main.py").read_text())
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert functions == ["open_window", "main"]
    assert len((ROOT / "main.py").read_text().splitlines()) < 60
