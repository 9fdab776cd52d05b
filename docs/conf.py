"""Sphinx configuration for sk_rnn's documentation."""

import os
import warnings

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import torch  # noqa: E402

import sk_rnn  # noqa: E402

torch.set_num_threads(1)  # small models: one thread is fastest (see Benchmarks)

project = "sk_rnn"
author = "the sk_rnn developers"
copyright = "2026, the sk_rnn developers"
release = sk_rnn.__version__
version = sk_rnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "myst_parser",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "ecosystem/*",  # included by ecosystem.rst; run as doctests by nox
]
html_theme = "pydata_sphinx_theme"
html_title = f"sk_rnn {release}"
html_theme_options = {
    "github_url": None,
    "navigation_with_keys": False,
    "show_toc_level": 2,
}

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "pandas": ("https://pandas.pydata.org/docs/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
    "torch": ("https://docs.pytorch.org/docs/stable/", None),
    "skorch": ("https://skorch.readthedocs.io/en/stable/", None),
}
# The build must not need the network: intersphinx inventories are fetched
# only when SK_RNN_DOCS_ONLINE=1; offline, the links are plain text.
if os.environ.get("SK_RNN_DOCS_ONLINE") != "1":
    intersphinx_mapping = {}

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "doc_module": ("sk_rnn",),
    "backreferences_dir": "generated",
    "reference_url": {"sk_rnn": None},
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]

# Examples train networks; keep their warnings from turning the build red
# only when they are about the environment, not the code.
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")
