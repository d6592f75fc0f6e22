"""The package's imports keep its floors: no cycle, nothing imported from a higher floor.

minikeras is built in four floors (see DESIGN.md, "Three floors", plus the base under them):

    0  base        state and helpers every floor shares: settings, Variable, the stateless
                   scope, seeds, BLAS, autograd's internals
    1  core        pure functions: ops, activations, initializers, losses, metrics, optimizer
                   rules, the registries' shared code, utils
    2  engine      the training loop that differentiates the model: trainers, callbacks
    3  shell       the Keras-facing objects: layers, models, the `K` namespace, datasets, the
                   root package, `python -m minikeras`

The rule: a module may import modules of its own floor and of lower floors, never of a higher
one, and the graph of all imports has no cycle. Imports inside functions count as edges too
(a lazy import hides a dependency without removing it), and each one of a minikeras module must
be listed, with its reason, in LAZY_IMPORTS_ALLOWED. Optional third-party imports inside
functions (matplotlib, ...) are not checked.

Every module is read with `ast`, never imported. `import minikeras.ops.nn` also runs
`minikeras/ops/__init__.py`, so an import adds an edge to each package above the module it names
(except the root `minikeras`, always loaded first, and the importer's own packages, which Python
has already started loading).
"""

import ast
from collections import namedtuple
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "minikeras"

# floor -> modules; a name covers the module and every module under it (`minikeras.ops` covers
# `minikeras.ops.nn`). The root package `minikeras` stands only for its own `__init__`.
FLOORS = {
    0: (
        "minikeras.tree",
        "minikeras.config",
        "minikeras.variables",
        "minikeras.stateless_scope",
        "minikeras.random_seed",
        "minikeras.tensor",
        "minikeras.keras_mask",  # the masks tensors carry: layers set them, losses read them
        "minikeras.blas",
        "minikeras.allocator",
        "minikeras.autograd_internals",
        "minikeras.naming",
        "minikeras.keras_names",  # the not-implemented errors every Keras-facing module raises
        "minikeras.object_registration",  # the registry of user objects every floor reads
    ),
    1: (
        "minikeras.ops",
        "minikeras.activations",
        "minikeras.initializers",
        "minikeras.regularizers",
        "minikeras.constraints",
        "minikeras.losses",
        "minikeras.metrics",
        "minikeras.optimizers",
        "minikeras.serialization",
        "minikeras.random",  # keras.random: samplers over the global generator
        "minikeras.utils",  # to_categorical, normalize, Progbar, get_file: they import no higher
        "minikeras.preprocessing",  # image transforms, Tokenizer, pad_sequences (utils uses it)
    ),
    2: (
        "minikeras.trainers",
        "minikeras.callbacks",
    ),
    3: (
        "minikeras.layers",
        "minikeras.models",
        "minikeras.backend",  # the public `K` namespace, not a backend under the core
        "minikeras.datasets",
        "minikeras.saving",
        "minikeras.compat",
        "minikeras.tensorflow_shim",  # `import tensorflow as tf` under `python -m minikeras`
        "minikeras.__main__",
        "minikeras",
    ),
}

# (importer, imported module) -> why this import must stay inside a function. Ideally empty: a
# lazy import usually hides a cycle or an upward dependency that belongs to another floor.
LAZY_IMPORTS_ALLOWED = {}

Edge = namedtuple("Edge", "importer imported path line lazy")


# --------------------------------------------------------------------------- reading the package
def module_files(package_dir=PACKAGE_DIR):
    """`{module name: path}` of every module of the package under `package_dir`."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def floor_of(module):
    """The floor of `module`, by the longest name in FLOORS that covers it (None if none does)."""
    best, best_floor = "", None
    for floor, names in FLOORS.items():
        for name in names:
            covers = module == name or (name != "minikeras" and module.startswith(name + "."))
            if covers and len(name) > len(best):
                best, best_floor = name, floor
    return best_floor


def _is_type_checking(test):
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree):
    """`(node, lazy)` for every import statement; imports under `if TYPE_CHECKING:` never run."""
    found = []

    def visit(nodes, lazy):
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.append((node, lazy))
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                visit(node.orelse, lazy)
            else:
                in_function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                visit(ast.iter_child_nodes(node), lazy or in_function)

    visit([tree], False)
    return found


def _ancestors(module):
    """The packages above `module`, nearest first, without the root `minikeras`."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, 1, -1)]


def _imported_modules(node, importer, is_package, modules):
    """`[(module, implied)]`: the modules an import statement runs; `implied` marks the package
    whose `__init__` `from P import submodule` runs without reading anything from it."""
    if isinstance(node, ast.Import):
        return [(alias.name, False) for alias in node.names]
    base = node.module or ""
    if node.level:  # a relative import: resolve it against the importer's package
        package = importer.split(".") if is_package else importer.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([base] if base else []))
    found = [(base, True)]
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        # A submodule, or a name that `base`'s `__init__` defines (then `base` is read).
        found.append((submodule, False) if submodule in modules else (base, False))
    return found


def import_edges(package_dir=PACKAGE_DIR):
    """Every import edge between minikeras modules, as `Edge`s (explicit and implied)."""
    modules = module_files(package_dir)
    edges = []
    for importer, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        # Python starts loading a module's own packages (and the root) before the module.
        already_loading = set(_ancestors(importer)) | {importer, "minikeras"}
        for node, lazy in _imports(tree):
            for module, implied in _imported_modules(node, importer, path.name == "__init__.py",
                                                     modules):
                if module != "minikeras" and not module.startswith("minikeras."):
                    continue
                targets = [(module, implied)] + [(package, True) for package in _ancestors(module)]
                for target, target_implied in targets:
                    if target == importer or (target_implied and target in already_loading):
                        continue
                    edges.append(Edge(importer, target, path, node.lineno, lazy))
    return edges


# --------------------------------------------------------------------------- the three rules
def _where(edge, package_dir):
    return f"{edge.path.relative_to(package_dir.parent)}:{edge.line}"


def upward_imports(edges, package_dir=PACKAGE_DIR):
    """Lines naming each edge to a higher floor, or to a module FLOORS does not place."""
    problems = []
    for edge in edges:
        low, high = floor_of(edge.importer), floor_of(edge.imported)
        if low is None or high is None:
            unplaced = edge.importer if low is None else edge.imported
            problems.append(f"{_where(edge, package_dir)}: {unplaced} has no floor in FLOORS")
        elif high > low:
            problems.append(f"{_where(edge, package_dir)}: {edge.importer} (floor {low}) imports "
                            f"{edge.imported} (floor {high})")
    return sorted(set(problems))


def import_cycles(edges, package_dir=PACKAGE_DIR):
    """One line per strongly connected group of modules: a cycle through them, edge by edge."""
    graph = {}
    for edge in edges:
        graph.setdefault(edge.importer, {}).setdefault(edge.imported, edge)
        graph.setdefault(edge.imported, {})
    problems = []
    for group in _strongly_connected(graph):
        if len(group) < 2:
            continue
        cycle = _cycle_in(graph, group)
        steps = [f"{a} -> {b} ({_where(graph[a][b], package_dir)})"
                 for a, b in zip(cycle, cycle[1:])]
        problems.append(f"cycle among {sorted(group)}:\n    " + "\n    ".join(steps))
    return problems


def _strongly_connected(graph):
    """Tarjan's strongly connected components of `{node: {successor: ...}}` (iterative)."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph[succ]))))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    groups.append(group)
    return groups


def _cycle_in(graph, group):
    """A closed path `[a, ..., a]` through modules of one strongly connected group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:  # breadth first: the shortest way back to `start`
        node = queue.pop(0)
        for succ in sorted(graph[node]):
            if succ == start:
                return paths[node] + [start]
            if succ in group and succ not in paths:
                paths[succ] = paths[node] + [succ]
                queue.append(succ)
    raise AssertionError(f"no cycle through {start}")


def unlisted_lazy_imports(edges, package_dir=PACKAGE_DIR):
    """Lines naming each import of a minikeras module inside a function that is not allowed,
    and each allowed one that no longer exists."""
    lazy = [edge for edge in edges if edge.lazy]
    problems = sorted({f"{_where(e, package_dir)}: {e.importer} imports {e.imported} inside a "
                       "function" for e in lazy if (e.importer, e.imported) not in
                       LAZY_IMPORTS_ALLOWED})
    seen = {(e.importer, e.imported) for e in lazy}
    problems += [f"LAZY_IMPORTS_ALLOWED lists {pair}, which is no longer imported lazily: remove it"
                 for pair in LAZY_IMPORTS_ALLOWED if pair not in seen]
    return problems


# --------------------------------------------------------------------------- the tests
def _write_package(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "minikeras"


def test_the_walk_finds_every_kind_of_edge(tmp_path):
    """A check of the checker on a small package: an empty edge list would pass every rule."""
    package = _write_package(tmp_path, {
        "minikeras/__init__.py": "from minikeras import ops, layers\nimport numpy\n",
        "minikeras/config.py": "",
        "minikeras/ops/__init__.py": "from minikeras.ops.nn import relu\n",
        "minikeras/ops/nn.py": "from minikeras.ops import math\nfrom . import math as m\n"
                               "from .. import config\n",
        "minikeras/ops/math.py": "import minikeras.config\n",
        "minikeras/layers/__init__.py": "from typing import TYPE_CHECKING\n"
                                        "if TYPE_CHECKING:\n    from minikeras import models\n"
                                        "def get():\n    from minikeras.ops.nn import relu\n"
                                        "    import matplotlib\n",
    })
    edges = {(e.importer, e.imported): e for e in import_edges(package)}
    assert set(edges) == {
        ("minikeras", "minikeras.ops"),  # from minikeras import ops: a submodule
        ("minikeras", "minikeras.layers"),
        ("minikeras.ops", "minikeras.ops.nn"),  # not to itself
        ("minikeras.ops.nn", "minikeras.ops.math"),  # not to ops: it is loading already
        ("minikeras.ops.nn", "minikeras.config"),  # relative, two levels up
        ("minikeras.ops.math", "minikeras.config"),
        ("minikeras.layers", "minikeras.ops.nn"),  # lazy; TYPE_CHECKING's models is no edge
        ("minikeras.layers", "minikeras.ops"),  # ops/__init__ runs before ops.nn
    }
    assert edges[("minikeras.layers", "minikeras.ops.nn")].lazy
    assert edges[("minikeras.layers", "minikeras.ops.nn")].line == 5
    assert not edges[("minikeras.ops.nn", "minikeras.ops.math")].lazy


def test_the_rules_report_file_line_and_cycle(tmp_path, monkeypatch):
    package = _write_package(tmp_path, {
        "minikeras/__init__.py": "",
        "minikeras/activations.py": "\ndef get():\n    from minikeras import layers\n",
        "minikeras/layers/__init__.py": "from minikeras.layers.base import Layer\n",
        "minikeras/layers/base.py": "from minikeras import layers\n",  # a name of its package
    })
    edges = import_edges(package)
    assert upward_imports(edges, package) == [
        "minikeras/activations.py:3: minikeras.activations (floor 1) imports minikeras.layers "
        "(floor 3)"]
    assert import_cycles(edges, package) == [
        "cycle among ['minikeras.layers', 'minikeras.layers.base']:\n"
        "    minikeras.layers -> minikeras.layers.base (minikeras/layers/__init__.py:1)\n"
        "    minikeras.layers.base -> minikeras.layers (minikeras/layers/base.py:1)"]
    assert unlisted_lazy_imports(edges, package) == [
        "minikeras/activations.py:3: minikeras.activations imports minikeras.layers inside a "
        "function"]
    monkeypatch.setitem(LAZY_IMPORTS_ALLOWED, ("minikeras.activations", "minikeras.layers"), "")
    monkeypatch.setitem(LAZY_IMPORTS_ALLOWED, ("minikeras.ops", "minikeras.config"), "")
    assert unlisted_lazy_imports(edges, package) == [
        "LAZY_IMPORTS_ALLOWED lists ('minikeras.ops', 'minikeras.config'), which is no longer "
        "imported lazily: remove it"]


def test_every_module_has_a_floor():
    assert [module for module in module_files() if floor_of(module) is None] == []


def test_no_module_imports_a_higher_floor():
    problems = upward_imports(import_edges())
    assert not problems, "imports from a higher floor (move the code down, or the module up):\n" \
        + "\n".join(problems)


def test_the_import_graph_has_no_cycle():
    problems = import_cycles(import_edges())
    assert not problems, "import cycles:\n" + "\n".join(problems)


def test_every_lazy_import_is_listed_with_its_reason():
    problems = unlisted_lazy_imports(import_edges())
    assert not problems, ("imports of minikeras modules inside functions (move them to module "
                          "level, or list them in LAZY_IMPORTS_ALLOWED with the reason):\n"
                          + "\n".join(problems))
