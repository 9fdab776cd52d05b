"""How SeriesPipeline fits its transforming steps."""

from __future__ import annotations

from sklearn import get_config


def fit_steps(head, X, y, head_params, memory, verbose):
    """Fit the transforming steps one by one; the last one's output.

    Not by ``Pipeline.fit_transform``, which ``mlflow.sklearn.autolog()``
    patches and would log as the model; but ``memory``, ``verbose`` and
    metadata routing are Pipeline's own machinery (autolog sees those).
    """
    if memory is not None or verbose or get_config().get("enable_metadata_routing"):
        return head.fit_transform(X, y, **head_params)
    names = [name for name, _ in head.steps]
    per_step: dict = {name: {} for name in names}
    for key, value in head_params.items():
        name, _, param = key.partition("__")
        if name not in per_step or not param:
            raise ValueError(
                f"SeriesPipeline.fit got the fit parameter {key!r}; expected "
                f"'step__parameter' with a step among {names}."
            )
        per_step[name][param] = value
    Xt = X
    for name, step in head.steps:
        if step is None or step == "passthrough":
            continue
        if hasattr(step, "fit_transform"):
            Xt = step.fit_transform(Xt, y, **per_step[name])
        else:
            Xt = step.fit(Xt, y, **per_step[name]).transform(Xt)
    return Xt
