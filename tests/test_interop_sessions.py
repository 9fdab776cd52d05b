"""Every interoperability test module and docs example is run by CI.

The peers' tests skip in the main environment, so a module without a nox
session (or a session CI does not call) would never fail anywhere.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _peers() -> set:
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(target, ast.Name) and target.id == "PEERS":
            return set(ast.literal_eval(node.value))
    raise AssertionError("noxfile.py defines no PEERS")


def test_each_interop_module_has_a_session_constraints_and_a_docs_example():
    modules = {
        p.stem[len("test_") :] for p in (ROOT / "tests/interop").glob("test_*.py")
    }
    peers = _peers()
    assert modules == peers
    for peer in peers:
        assert (ROOT / f"tests/interop/constraints/{peer}.txt").is_file(), peer
        example = ROOT / f"docs/ecosystem/{peer}.rst"
        assert ">>> " in example.read_text(), peer
        assert (
            f".. include:: ecosystem/{peer}.rst"
            in (ROOT / "docs/ecosystem.rst").read_text()
        )
        pins = (ROOT / f"tests/interop/constraints/{peer}.txt").read_text()
        assert re.search(r"^torch==2\.13\.0$", pins, re.M), peer  # the CPU build


def test_ci_runs_the_sessions():
    ci = (ROOT / ".ci/run").read_text()
    assert re.search(r"^make interop$", ci, re.M)
    assert re.search(r"^interop:.*\n\t.*nox", (ROOT / "Makefile").read_text(), re.M)
