"""The project's import loops: groups of modules that import each other round, and the largest class.

python -m bench.imports [--repo PATH]

Reads every module of evolution/, game/, app/, bench/ and main.py as text (nothing is run, so it works on any
commit of the project) and prints each loop, a strongly connected group of modules in the graph of their
imports; once counting every import, then counting only those that run when a module is loaded (not those
inside a function or under TYPE_CHECKING). Then the sub-packages (evolution.run, game.views, ...; a module at a
package's top, such as game.window, counts as one of its own) that import each other both ways, with how many
modules on each side do, the lines of main.py and the classes with the most methods.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

PACKAGES = ("evolution", "game", "app", "bench")


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(root: Path, path: Path, modules: set[str], at_load: bool) -> set[str]:
    """The project's modules that `path` imports (at_load: only the imports that run when it is loaded)."""
    tree = ast.parse(path.read_text(), str(path))
    package = module_name(root, path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(root, path)
    found = set()

    def visit(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            deferred = inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                deferred = True
            if at_load and deferred:
                continue
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parent = package.split(".")
                    parent = parent[: len(parent) - child.level + 1]
                    base = ".".join([*parent, base]) if base else ".".join(parent)
                names = [base] + [f"{base}.{alias.name}" for alias in child.names]
            else:
                visit(child, deferred)
                continue
            for name in names:
                while name and name not in modules:
                    name = name.rpartition(".")[0]
                if name and name != module_name(root, path):
                    found.add(name)

    visit(tree, False)
    return found


def loops(root: Path, at_load: bool) -> list[list[str]]:
    paths = [root / "main.py"] + [p for package in PACKAGES for p in sorted((root / package).rglob("*.py"))]
    names = [module_name(root, path) for path in paths]
    index = {name: i for i, name in enumerate(names)}
    rows, cols = [], []
    for path, name in zip(paths, names):
        for other in imports(root, path, set(names), at_load):
            rows.append(index[name])
            cols.append(index[other])
    graph = csr_matrix(([1] * len(rows), (rows, cols)), shape=(len(names), len(names)))
    _, labels = connected_components(graph, directed=True, connection="strong")
    groups: dict[int, list[str]] = {}
    for name, label in zip(names, labels):
        groups.setdefault(int(label), []).append(name)
    return sorted((sorted(group) for group in groups.values() if len(group) > 1), key=len, reverse=True)


def group_of(name: str) -> str:
    """A module's sub-package, or a top-level module itself: evolution.run.evolve -> evolution.run; game.window ->
    game.window."""
    return ".".join(name.split(".")[:2])


def both_ways(root: Path) -> list[tuple[str, str, int, int]]:
    """(group a, group b, modules of a importing b, modules of b importing a) for groups importing each other
    (every import counted: under TYPE_CHECKING too)."""
    paths = [p for package in ("evolution", "game") for p in sorted((root / package).rglob("*.py"))]
    names = {module_name(root, path) for path in paths}
    importers: dict[tuple[str, str], set[str]] = {}
    for path in paths:
        name = module_name(root, path)
        for other in imports(root, path, names, False):
            a, b = group_of(name), group_of(other)
            if a != b and a.split(".")[0] == b.split(".")[0]:
                importers.setdefault((a, b), set()).add(name)
    pairs = [(a, b) for a, b in importers if a < b and (b, a) in importers]
    return [(a, b, len(importers[a, b]), len(importers[b, a])) for a, b in sorted(pairs)]


def largest_classes(root: Path, count: int = 3) -> list[tuple[int, str]]:
    found = []
    for package in ("evolution", "game", "app"):
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef):
                    methods = sum(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) for item in node.body)
                    found.append((methods, f"{module_name(root, path)}.{node.name}"))
    return sorted(found, reverse=True)[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    root = parser.parse_args(argv).repo.resolve()
    for at_load, words in ((False, "every import"), (True, "imports run at load")):
        found = loops(root, at_load)
        print(f"{words}: {len(found)} loops, {sum(map(len, found))} modules in them")
        for group in found:
            print(f"  {len(group)}: {', '.join(group)}")
    pairs = both_ways(root)
    print(f"sub-packages importing each other: {len(pairs)} pairs")
    for a, b, forth, back in pairs:
        print(f"  {a} <-> {b}: {forth} modules of {a} import {b}, {back} the other way")
    print(f"main.py: {len((root / 'main.py').read_text().splitlines())} lines")
    for methods, name in largest_classes(root):
        print(f"class {name}: {methods} methods")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
