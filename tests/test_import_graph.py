"""The import graph of thermal_keras/ and data_loaders/ has no circle.

The graph is read from the source with ``ast`` (nothing is imported): a node per module (a package is
its ``__init__.py``), an edge per ``import`` statement anywhere in a file, at module level and inside
functions alike (a lazy import still ties the two modules together). ``from a.b import c`` is an edge
to the module ``a.b.c`` when there is one, else to ``a.b``. Not counted: the import of parent
packages that Python performs before a submodule (as import-linter does), and the registry's
``"module:attribute"`` names in :mod:`thermal_keras.families`, which are imported on use.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("thermal_keras", "data_loaders")


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """``{dotted module name: file}`` for every ``.py`` file of the packages."""
    modules = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported_modules(path: Path, module: str, modules) -> set[str]:
    """The package modules the import statements of ``path`` (the module ``module``) reach."""

    def owner(name):  # the module a dotted name lives in (a.b.f -> a.b)
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(owner(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: up from this module's package
                parents = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parents + ([base] if base else []))
            for alias in node.names:  # a submodule by name, else a name defined in base
                full = f"{base}.{alias.name}"
                targets.add(full if full in modules else owner(base))
    return {t for t in targets if t and t != module}


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """``{module: the package modules it imports}``."""
    modules = module_files(root)
    return {module: imported_modules(path, module, modules) for module, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_circle():
    found = cycles(import_graph())
    assert not found, "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_data_loaders_imports_nothing_from_thermal_keras():
    graph = import_graph()
    up = {m: sorted(t for t in targets if t.startswith("thermal_keras"))
          for m, targets in graph.items() if m.startswith("data_loaders")}
    assert not any(up.values()), {m: t for m, t in up.items() if t}


def test_the_graph_sees_lazy_and_relative_imports_and_finds_a_circle(tmp_path):
    package = tmp_path / "thermal_keras"
    (package / "sub").mkdir(parents=True)
    (tmp_path / "data_loaders").mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from thermal_keras.sub import b\n")
    (package / "sub" / "__init__.py").write_text("from .c import value\n")
    (package / "sub" / "b.py").write_text("import thermal_keras.sub\n")
    (package / "sub" / "c.py").write_text("from thermal_keras import a\nvalue = 1\n")
    graph = import_graph(tmp_path)
    assert graph["thermal_keras.a"] == {"thermal_keras.sub.b"}
    assert graph["thermal_keras.sub"] == {"thermal_keras.sub.c"}
    assert cycles(graph) == [["thermal_keras.a", "thermal_keras.sub", "thermal_keras.sub.b", "thermal_keras.sub.c"]]
