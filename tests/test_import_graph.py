"""The import graph of thermal_keras/ and data_loaders/ has no circle and imports up the floors only
where :data:`UPWARD_IMPORTS` says why (the floors are drawn in docs/layout.md).

The graph is read from the source with ``ast`` (nothing is imported): a node per module (a package is
its ``__init__.py``), an edge per ``import`` statement anywhere in a file, at module level and inside
functions alike (a lazy import still ties the two modules together). ``from a.b import c`` is an edge
to the module ``a.b.c`` when there is one, else to ``a.b``. Not counted: the import of parent
packages that Python performs before a submodule (as import-linter does), and the registry's
``"module:attribute"`` names in :mod:`thermal_keras.families`, which are imported on use.
"""

import ast
from pathlib import Path

import pytest

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


# The floors, lowest first: a module may import from its own floor and those below. A module belongs
# to the floor of the longest prefix that names it (``thermal_keras.sr.cli`` is a command, ``thermal_keras.sr``
# a family). docs/layout.md draws the same picture.
FLOORS = (
    ("data_loaders",),  # 0 datasets: file layouts, the synthetic world, decoding and validation
    ("thermal_keras.lazy", "thermal_keras.config", "thermal_keras.io", "thermal_keras.image_io",  # 1 base
     "thermal_keras.luma", "thermal_keras.outputs", "thermal_keras.reports", "thermal_keras.precision",
     "thermal_keras.distribute", "thermal_keras.model_files", "thermal_keras.families", "thermal_keras.layers",
     "thermal_keras.portable", "thermal_keras.losses", "thermal_keras.networks", "thermal_keras.priors",
     "thermal_keras.reconstruction", "thermal_keras.visualize"),
    ("thermal_keras.data", "thermal_keras.gan", "thermal_keras.training", "thermal_keras.metrics",  # 2 library
     "thermal_keras.features", "thermal_keras.presets.library", "thermal_keras.presets.card"),
    ("thermal_keras.translation", "thermal_keras.pix2pix", "thermal_keras.cyclegan", "thermal_keras.sr",  # 3
     "thermal_keras.fusion"),  # the families
    ("thermal_keras.presets", "thermal_keras.deploy", "thermal_keras.export", "thermal_keras.figures",  # 4
     "thermal_keras.demo", "thermal_keras.metrics.folders"),  # services over every family
    ("thermal_keras", "thermal_keras.cli", "thermal_keras.commands", "thermal_keras.app",  # 5 front
     "thermal_keras.models", "thermal_keras.data.cli", "thermal_keras.pix2pix.cli", "thermal_keras.cyclegan.cli",
     "thermal_keras.sr.cli", "thermal_keras.fusion.cli", "thermal_keras.deploy.cli", "thermal_keras.presets.cli",
     "thermal_keras.presets.recipes"),  # commands, the facade, the demo
)

# Every import from a lower floor to a higher one, and why it stays (at most 4, issue 28).
UPWARD_IMPORTS = {
    ("thermal_keras.sr.inference", "thermal_keras.deploy.savedmodel"):
        "re-exports METADATA_FILE, metadata_file and write_saved_model, names sr.inference gave users "
        "before the one SavedModel writer moved to deploy/",
}


def floor_of(module: str) -> int:
    """The floor (index into :data:`FLOORS`) of the longest prefix naming ``module`` (the package
    ``thermal_keras`` itself names only its ``__init__``, so a new top-level module must be placed)."""
    best, length = None, -1
    for index, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            below = module.startswith(prefix + ".") and prefix != "thermal_keras"
            if (module == prefix or below) and len(prefix) > length:
                best, length = index, len(prefix)
    if best is None:
        raise KeyError(f"{module}: on no floor; add it to FLOORS and docs/layout.md")
    return best


def upward_imports(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """``{(importer, imported)}`` where the imported module sits on a higher floor."""
    return {(m, t) for m, targets in graph.items() for t in targets if floor_of(t) > floor_of(m)}


def test_imports_go_up_the_floors_only_where_a_reason_is_given():
    found = upward_imports(import_graph())
    assert len(UPWARD_IMPORTS) <= 4
    assert found == set(UPWARD_IMPORTS), ("imports up the floors without a reason: "
                                          f"{sorted(found - set(UPWARD_IMPORTS))}; listed but gone: "
                                          f"{sorted(set(UPWARD_IMPORTS) - found)}")


def test_the_package_never_imports_its_own_facade():
    users = sorted(m for m, targets in import_graph().items()
                   if "thermal_keras.models" in targets and m != "thermal_keras")
    assert not users, f"import the modules behind thermal_keras.models instead: {users}"


def test_the_floors_find_an_upward_import():
    graph = {"thermal_keras.training.run": {"thermal_keras.presets.evaluate", "thermal_keras.config"},
             "thermal_keras.config": set(), "thermal_keras.presets.evaluate": {"thermal_keras.training.run"}}
    assert upward_imports(graph) == {("thermal_keras.training.run", "thermal_keras.presets.evaluate")}
    assert floor_of("thermal_keras.sr.cli") == 5 and floor_of("thermal_keras.sr.inference") == 3
    with pytest.raises(KeyError, match="thermal_keras.new_module: on no floor"):
        floor_of("thermal_keras.new_module")


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
