"""sk_rnn inside other libraries: one nox session, one environment, per peer.

The peers pin versions that cannot share one environment (darts and sktime
need pandas < 3.1), so each runs ``tests/interop/test_<peer>.py`` and the
peer's example in the documentation (``docs/ecosystem/<peer>.rst``, a
doctest) in its own virtual environment, pinned by
``tests/interop/constraints/<peer>.txt``
(torch 2.13.0 is the CPU build, as in ``constraints.txt``). ``make interop``
(called by ``.ci/run``) runs them all; ``nox -s darts`` runs one.
"""

from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True

HERE = Path(__file__).parent
#: peer -> the packages its tests need (beside sk_rnn and pytest)
PEERS = {
    "skforecast": ["skforecast"],
    "sktime": ["sktime"],
    "darts": ["darts"],
    "mapie": ["mapie"],
    "optuna": ["optuna", "optuna-integration"],
    "mlflow": ["mlflow", "skops"],
    "skops": ["skops"],
}


def _run(session, peer):
    constraints = f"tests/interop/constraints/{peer}.txt"
    pip = ["--disable-pip-version-check", "--quiet", "-c", constraints]
    # torch first, alone: pip then takes the CPU wheel rather than a CUDA build
    session.install(*pip, "torch==2.13.0")
    session.install(*pip, ".", "pytest", *PEERS[peer])
    session.run(
        "python", "-m", "pytest", f"tests/interop/test_{peer}.py",
        f"docs/ecosystem/{peer}.rst", "--doctest-glob=*.rst",
        "-p", "no:cacheprovider", "-o", "filterwarnings=", "-q",
        env={"SK_RNN_INTEROP": peer, "SCIPY_ARRAY_API": "1"},
    )  # fmt: skip


def _session(peer):
    def run(session):
        _run(session, peer)

    run.__doc__ = f"sk_rnn inside {peer}: tests/interop/test_{peer}.py and its docs."
    return nox.session(name=peer, python="3.11")(run)


for _peer in PEERS:
    globals()[f"interop_{_peer}"] = _session(_peer)
