"""The package's architecture: which group may import which.

Groups, lowest first: ``_utils`` (and ``exceptions``, ``metrics``,
``datasets``, ``_version``) <- ``series`` <- ``preprocessing`` <- ``compose``;
``series`` <- ``neural``; then ``model_selection``, ``callbacks``, the
``_forecaster`` recipe, ``cli`` and the package itself. A group imports only
its own modules and the groups below it (also inside functions), ``compose``
never imports ``neural`` (torch), and module-level imports have no cycle.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "sk_rnn"

#: group -> the groups it may import (besides itself)
ALLOWED = {
    "_version": set(),
    "exceptions": set(),
    "metrics": set(),
    "datasets": set(),
    "_utils": {"_version"},
    "series": {"_utils", "exceptions"},
    "preprocessing": {"_utils", "exceptions", "series"},
    "compose": {"_utils", "exceptions", "series", "preprocessing"},
    "neural": {"_utils", "_version", "exceptions", "series"},
}
BASE = set(ALLOWED)
ALLOWED |= {
    "model_selection": BASE,
    "callbacks": BASE,
    "_forecaster": BASE,
    "cli": BASE | {"_forecaster", "model_selection"},
    "__main__": {"cli"},
    "__init__": BASE,
}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        yield path, parts


def _imports(path, parts, top_level_only=False):
    """The sk_rnn modules ``path`` imports, as tuples of parts."""
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            target = base + tuple(node.module.split(".")) if node.module else base
            if node.module:
                yield target
            else:
                for alias in node.names:
                    yield base + (alias.name,)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sk_rnn"
        ):
            yield tuple(node.module.split(".")[1:])


def _group(parts):
    return parts[0] if parts else "__init__"


@pytest.mark.parametrize(
    "path, parts",
    list(_modules()),
    ids=lambda v: "/".join(v) if isinstance(v, tuple) else "",
)
def test_a_module_imports_only_its_group_and_the_groups_below(path, parts):
    group = _group(parts)
    for target in _imports(path, parts):
        other = _group(target)
        assert other == group or other in ALLOWED[group], (
            f"{'/'.join(parts)} imports {'.'.join(target)}: {group} may import "
            f"{sorted(ALLOWED[group])}"
        )


def test_module_level_imports_have_no_cycle():
    graph = {}
    for path, parts in _modules():
        name = parts[:-1] if parts[-1] == "__init__" else parts
        graph[name] = {
            t for t in _imports(path, parts, top_level_only=True) if t != name
        }
    state = {}

    def visit(node, trail):
        if state.get(node) == "done":
            return
        assert state.get(node) != "open", " -> ".join(map(".".join, trail + [node]))
        state[node] = "open"
        for target in graph.get(node, ()):
            visit(target, trail + [node])
        state[node] = "done"

    for node in graph:
        visit(node, [])


def test_the_checks_see_a_violation(tmp_path, monkeypatch):
    """The import reader finds a relative, an absolute and a lazy import."""
    module = tmp_path / "m.py"
    module.write_text(
        "from ..neural import x\nfrom sk_rnn.series import y\n"
        "def f():\n    from .. import cli\n"
    )
    found = set(_imports(module, ("compose", "m")))
    assert found == {("neural",), ("series",), ("cli",)}


def test_no_module_is_above_900_lines():
    sizes = {"/".join(p): len(path.read_text().splitlines()) for path, p in _modules()}
    assert max(sizes.values()) <= 900, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]


def test_importing_sk_rnn_and_its_torch_free_groups_imports_no_torch():
    code = (
        "import sys, sk_rnn, sk_rnn.preprocessing, sk_rnn.compose, "
        "sk_rnn.model_selection, sk_rnn.metrics, sk_rnn.datasets; "
        "assert 'torch' not in sys.modules and 'skorch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
