"""The module paths of sk_rnn 0.2, for the files that name them.

sk_rnn 0.2 kept every module in one flat folder (``sk_rnn._lstm``,
``sk_rnn._series``, ...). Pickles, skops files and anything else that
stores a class by its import path name those modules, so each old path is
an alias of the module that now holds its classes: importing
``sk_rnn._lstm`` gives :mod:`sk_rnn.neural._estimator` itself (the same
module object, so a class found through either path is the same class).
Only the names listed in :data:`MODULES` resolve; nothing else is guessed.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

#: 0.2 module path -> the 0.3 module that holds what it held.
MODULES = {
    "sk_rnn._base": "sk_rnn._utils._base",
    "sk_rnn._blocks": "sk_rnn.series._blocks",
    "sk_rnn._cli": "sk_rnn.cli._main",
    "sk_rnn._cli_panel": "sk_rnn.cli._panel",
    "sk_rnn._compat": "sk_rnn._utils._compat",
    "sk_rnn._difference": "sk_rnn.preprocessing._difference",
    "sk_rnn._files": "sk_rnn._utils._files",
    "sk_rnn._fitting": "sk_rnn.neural._fitting",
    "sk_rnn._horizon": "sk_rnn.preprocessing._horizon",
    "sk_rnn._lag": "sk_rnn.preprocessing._lag",
    "sk_rnn._lstm": "sk_rnn.neural._estimator",
    "sk_rnn._modules": "sk_rnn.neural._module",
    "sk_rnn._net": "sk_rnn.neural._net",
    "sk_rnn._panel": "sk_rnn.series._panel",
    "sk_rnn._persistence": "sk_rnn.neural._persistence",
    "sk_rnn._pipeline": "sk_rnn.compose._pipeline",
    "sk_rnn._plain": "sk_rnn._utils._plain",
    "sk_rnn._predicting": "sk_rnn.neural._predicting",
    "sk_rnn._scaler": "sk_rnn.preprocessing._scaler",
    "sk_rnn._series": "sk_rnn.series._time",
    "sk_rnn._target": "sk_rnn.compose._target",
    "sk_rnn._training": "sk_rnn.neural._training",
    "sk_rnn._validation": "sk_rnn._utils._validation",
    "sk_rnn._windows": "sk_rnn.neural._windows",
}


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self.spec = module.__spec__
        return module

    def exec_module(self, module):
        """The target module is already executed; importlib has set its
        ``__spec__`` to the alias's, so give it its own back (its relative
        imports read it)."""
        module.__spec__ = self.spec


class LegacyModuleFinder(importlib.abc.MetaPathFinder):
    """Resolves the 0.2 module paths of :data:`MODULES` to their new modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MODULES:
            return None
        return importlib.util.spec_from_loader(fullname, _Alias(MODULES[fullname]))


def install() -> None:
    """Put the finder on ``sys.meta_path`` once (idempotent)."""
    if not any(isinstance(f, LegacyModuleFinder) for f in sys.meta_path):
        sys.meta_path.append(LegacyModuleFinder())


def old_names(cls) -> list[str]:
    """The 0.2 ``module.qualname`` paths under which ``cls`` was stored."""
    return [
        f"{old}.{cls.__qualname__}"
        for old, target in MODULES.items()
        if target == cls.__module__
    ]
