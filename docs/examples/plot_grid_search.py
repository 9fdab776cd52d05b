"""
Tuning with GridSearchCV
========================

Every step of the composition is a scikit-learn estimator, so
:class:`~sklearn.model_selection.GridSearchCV` can tune the window length,
the recurrent cell and the number of units together, scored walk-forward with
:class:`~sklearn.model_selection.TimeSeriesSplit`. Each candidate is refitted
on every training block, scalers included, so nothing leaks from the test
months.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sk_rnn import make_forecaster
from sk_rnn.datasets import load_shampoo
from sk_rnn.model_selection import persistence_forecast

X, y = load_shampoo(return_X_y=True)
X_search, y_search = X.iloc[:-6], y.iloc[:-6]  # the last 6 months stay unseen

# %%
# Stateless training with small batches keeps the 36 fits of this grid fast;
# the names follow scikit-learn's ``step__parameter`` convention.
search = GridSearchCV(
    make_forecaster(
        stateful=False, batch_size=4, max_epochs=150, lr=0.01, random_state=0
    ),
    {
        "regressor__lagfeaturizer__lags": [1, 3],
        "regressor__lstmregressor__cell": ["lstm", "gru", "rnn"],
        "regressor__lstmregressor__hidden_size": [4, 8],
    },
    cv=TimeSeriesSplit(n_splits=3, test_size=5),
    scoring="neg_root_mean_squared_error",
)
search.fit(X_search, y_search)

results = pd.DataFrame(search.cv_results_)
table = pd.DataFrame(
    {
        "lags": results["param_regressor__lagfeaturizer__lags"],
        "cell": results["param_regressor__lstmregressor__cell"],
        "units": results["param_regressor__lstmregressor__hidden_size"],
        "RMSE": -results["mean_test_score"],
        "std": results["std_test_score"],
        "fit s": results["mean_fit_time"],
    }
).sort_values("RMSE")
table.round(2)

# %%
# The folds' persistence RMSE, for scale:
folds = list(TimeSeriesSplit(n_splits=3, test_size=5).split(X_search))
persistence = np.mean(
    [
        np.sqrt(
            np.mean(
                (y_search.iloc[test] - persistence_forecast(X_search.iloc[test])) ** 2
            )
        )
        for _, test in folds
    ]
)
labels = [
    f"{c} {u}u lags {lag}"
    for c, u, lag in zip(table.cell, table.units, table.lags, strict=True)
]
fig, ax = plt.subplots(figsize=(8, 4))
ax.barh(labels, table["RMSE"], xerr=table["std"], color="tab:blue", alpha=0.7)
ax.axvline(persistence, color="tab:red", ls="--", label="persistence")
ax.invert_yaxis()
ax.set_xlabel("walk-forward RMSE (sales)")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The best estimator is refitted on all search months; it forecasts the six
# months it has never seen, continuing the series from the last one it saw.
print(search.best_params_)
forecast = search.best_estimator_.predict(X.iloc[-6:])
pd.DataFrame({"actual": y.iloc[-6:], "forecast": forecast.round(1)})
