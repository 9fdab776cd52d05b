"""docs/user_guide.rst runs as written: its doctests and its plot blocks.

``make test`` collects ``tests`` and ``sk_rnn`` only, and the docs build runs
the ``.. plot::`` blocks but not the ``>>>`` examples; this runs both.
"""

import doctest
import re
import textwrap
from pathlib import Path

GUIDE = Path(__file__).parents[1] / "docs" / "user_guide.rst"


def _plot_blocks(text: str) -> list[str]:
    """The code of every ``.. plot::`` directive, in order (options dropped)."""
    blocks = []
    for match in re.finditer(r"^\.\. plot::\n((?:[ \t]+.*\n|\n)+)", text, re.M):
        body = [
            line
            for line in match.group(1).splitlines()
            if not line.strip().startswith(":")
        ]
        blocks.append(textwrap.dedent("\n".join(body)))
    return blocks


def test_the_user_guide_examples_run_as_written():
    result = doctest.testfile(
        str(GUIDE),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.failed == 0, "see the doctest report above"
    assert result.attempted >= 20


def test_the_user_guide_plots_run_as_written():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    blocks = _plot_blocks(GUIDE.read_text())
    assert len(blocks) == 4
    namespace = {}  # the blocks share one context, as the directive's :context:
    try:
        for k, code in enumerate(blocks):
            exec(compile(code, f"{GUIDE.name}, plot {k + 1}", "exec"), namespace)
    finally:
        plt.close("all")


def test_the_user_guide_has_no_python_block_that_is_not_run():
    """Python in the guide is a doctest (run above) or a plot (run above);
    shell commands are console blocks."""
    text = GUIDE.read_text()
    assert not re.search(r"code-block:: (python|py)\b", text)
    literal = re.findall(r"::\n\n((?:[ \t]+.*\n|\n)+)", text)
    assert all(">>>" not in block and "import " not in block for block in literal)
