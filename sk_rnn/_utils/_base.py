"""What every sk_rnn estimator shares: its documentation link and its state."""

from __future__ import annotations

from .._version import __version__
from ._plain import PlainStateMixin

#: Where the API pages live; ``{version}`` is "latest" for a development
#: release, else the release (the pages are ``generated/sk_rnn.<Name>.html``,
#: as the docs build writes them).
DOC_URL = "https://sk-rnn.readthedocs.io/en/{version}/generated/"


def _doc_version() -> str:
    return "latest" if "dev" in __version__ else __version__


class SkRnnEstimatorMixin(PlainStateMixin):
    """Link the HTML repr to sk_rnn's API pages; plain pickle/skops state.

    scikit-learn's HTML representation links each estimator to
    ``_doc_link_template`` formatted with ``estimator_name`` when the class's
    top-level module is ``_doc_link_module``: the documented extension point
    (see scikit-learn's "Developing scikit-learn estimators"). The API pages
    document every estimator under ``sk_rnn`` (``sk_rnn.LSTMRegressor``),
    whichever subpackage defines it, so the template names ``sk_rnn`` rather
    than the ``estimator_module`` scikit-learn derives (``sk_rnn.neural``).
    """

    _doc_link_module = "sk_rnn"

    @property
    def _doc_link_template(self):
        return DOC_URL.format(version=_doc_version()) + "sk_rnn.{estimator_name}.html"
