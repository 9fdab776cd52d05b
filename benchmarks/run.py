"""Run the benchmark cases, one process each, and write the results table.

    python -m benchmarks.run                 # seed, large, threads, scale, predict, gpu
    python -m benchmarks.run --cases large   # one case
    python -m benchmarks.run --report        # only rebuild results/README.md

Each case writes ``benchmarks/results/<case>.json``; the table in
``benchmarks/results/README.md`` is built from those files.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from ._common import RESULTS

CASES = ["seed", "large", "threads", "scale", "predict", "gpu"]


def _load(name):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _env_line(result) -> str:
    env = result["environment"]
    device = env.get("gpu", env["device"])
    return (
        f"{env['date']}, {device}, {env['cpu_count']} CPUs, torch {env['torch']}, "
        f"skorch {env['skorch']}, scikit-learn {env['sklearn']}"
    )


def report() -> str:
    lines = ["# Benchmark results", ""]
    lines += ["Rebuild with `python -m benchmarks.run` (or `make bench`).", ""]
    seed = _load("seed")
    if seed:
        s, h, k = seed["sk_rnn"], seed["hand_pytorch_loop"], seed["plain_skorch_loop"]
        cfg = seed["config"]
        full = f"{cfg['repeats']} x {cfg['epochs']} epochs"
        lines += [f"## Seed experiment ({full}, batch 1, stateful)", ""]
        lines += [f"_{_env_line(seed)}_", ""]
        lines += ["| runner | wall time | per epoch of one model | vs sk_rnn |"]
        lines += ["|---|---|---|---|"]
        per_model_epoch = s["wall_seconds_median"] / (cfg["repeats"] * cfg["epochs"])
        lines.append(
            f"| sk_rnn `{s['command']}` (median of {len(s['wall_seconds_runs'])}) "
            f"| {s['wall_seconds_median']:.1f} s "
            f"| {1000 * per_model_epoch:.2f} ms | 1x |"
        )
        lines.append(
            f"| hand-written PyTorch loop, one model at a time (extrapolated) "
            f"| {h['extrapolated_seconds'] / 60:.1f} min | "
            f"{1000 * h['seconds_per_epoch']:.1f} ms | "
            f"{seed['speedup_vs_hand_loop']:.0f}x slower |"
        )
        v = seed.get("vectorised_hand_loop")
        if v:
            lines.append(
                f"| hand-written PyTorch loop, the {cfg['repeats']} seeds batched "
                f"(extrapolated) | {v['extrapolated_seconds']:.1f} s | "
                f"{1000 * v['seconds_per_epoch'] / cfg['repeats']:.2f} ms | see below |"
            )
        lines.append(
            f"| plain skorch loop, one model at a time (extrapolated) "
            f"| {k['extrapolated_seconds'] / 60:.1f} min | "
            f"{1000 * k['seconds_per_epoch']:.1f} ms | "
            f"{seed['speedup_vs_skorch']:.0f}x slower |"
        )
        if v:
            f = seed["sk_rnn_fit_only"]
            lines += [
                "",
                f"Like with like, one epoch of all {cfg['repeats']} seeds, training "
                f"only (medians of 3 alternating runs of {cfg['timing_epochs']} "
                f"epochs): the batched hand-written loop "
                f"{1000 * v['seconds_per_epoch']:.1f} ms, sk_rnn's fit "
                f"{1000 * f['seconds_per_epoch']:.1f} ms: sk_rnn is "
                f"{seed['speedup_vs_vectorised_hand_loop_per_epoch']:.2f}x the "
                "hand loop's speed.",
            ]
            t = seed.get("sk_rnn_fit_only_torch_batch_loop")
            if t:
                lines[-1] += (
                    f" Through torch's batch loop instead of the fused NumPy "
                    f"epoch, sk_rnn's fit takes {1000 * t['seconds_per_epoch']:.1f} "
                    "ms."
                )
            whole = seed.get("speedup_whole_command_vs_vectorised_hand_loop")
            if whole:
                lines += [
                    "",
                    f"The whole command ({s['wall_seconds_median']:.1f} s: start-up, "
                    f"training, forecasts) against the batched hand loop's "
                    f"{cfg['epochs']} training epochs alone "
                    f"({v['extrapolated_seconds']:.1f} s): {whole:.2f}x faster.",
                ]
        r = s["rmse"]
        lines += ["", "Test RMSE (sales units) of the sk_rnn run:", ""]
        lines += ["| count | mean | std | min | 25% | 50% | 75% | max | persistence |"]
        lines += ["|---|---|---|---|---|---|---|---|---|"]
        lines.append(
            f"| {r['count']} | {r['mean']:.1f} | {r['std']:.1f} | {r['min']:.1f} | "
            f"{r['25%']:.1f} | {r['50%']:.1f} | {r['75%']:.1f} | {r['max']:.1f} | "
            f"{s['persistence_rmse']:.3f} |"
        )
        if h["rmse_full_runs"]:
            values = ", ".join(f"{v:.1f}" for v in h["rmse_full_runs"])
            lines += ["", f"Hand-written loop, full-length runs: RMSE {values}.", ""]
    large = _load("large")
    if large:
        lines += ["## Large problem (stateless)", ""]
        c = large["config"]
        lines += [
            f"{c['windows']:,} windows x {c['steps']} steps, hidden {c['hidden']}, "
            f"batch {c['batch_size']}; medians over {c['rounds']} alternating "
            f"rounds of {c['epochs']} epochs. _{_env_line(large)}_",
            "",
            "| torch threads | sk_rnn s/epoch | hand-written loop s/epoch | ratio |",
            "|---|---|---|---|",
        ]
        for run in large["runs"]:
            lines.append(
                f"| {run['threads']} | {run['sk_rnn_median']:.3f} | "
                f"{run['hand_loop_median']:.3f} | {run['ratio']:.3f} |"
            )
        lines.append("")
    threads = _load("threads")
    if threads:
        c = threads["config"]
        lines += ["## Threads under load", ""]
        lines += [
            f"Fit of {c['windows']:,} windows, {c['epochs']} epoch(s), the default "
            f"threads (n_threads=None) against n_threads=1, quiet and with "
            f"{c['busy']} busy processes on the cores; medians of {c['rounds']} "
            f"alternating rounds. `python -m benchmarks.threads`. "
            f"_{_env_line(threads)}_",
            "",
            "| case | busy processes | default s (threads chosen) | 1 thread s "
            "| default / 1 thread |",
            "|---|---|---|---|---|",
        ]
        for name, case in threads["cases"].items():
            for run in case["runs"]:
                lines.append(
                    f"| {name} (steps {case['steps']}, hidden {case['hidden']}, "
                    f"batch {case['batch_size']}) | {run['busy_processes']} | "
                    f"{run['default_median']:.2f} ({run['default_threads_chosen']}) "
                    f"| {run['one_thread_median']:.2f} | "
                    f"{run['ratio_default_to_one_thread']:.2f} |"
                )
        lines.append("")
    scale = _load("scale")
    if scale:
        c = scale["config"]
        lines += ["## Scale: stateful streams, one per series", ""]
        lines += [
            f"One epoch, hidden {c['hidden']}, chunks of {c['batch_size']} rows of "
            "every series per optimiser step, one thread; synthetic monthly-like "
            "series of 50 to 300 values. `python -m benchmarks.scale`. "
            f"_{_env_line(scale)}_",
            "",
            "| series | rows | seconds per epoch | peak memory MiB | data MiB |",
            "|---|---|---|---|---|",
        ]
        for run in scale["runs"]:
            lines.append(
                f"| {run['n_series']:,} | {run['rows']:,} | "
                f"{run['epoch_seconds'][-1]:.1f} | {run['peak_rss_mb']:,.0f} | "
                f"{run['data_mb']:,.0f} |"
            )
        lines.append("")
    predict = _load("predict")
    if predict:
        one, big = predict["one_row"], predict["million_rows"]
        lines += ["## Prediction (hidden 64, windows of 24 steps)", ""]
        lines += [f"_{_env_line(predict)}_", ""]
        lines += [
            f"- one row: median {one['median_ms']:.3f} ms, p90 {one['p90_ms']:.3f} ms "
            f"over {one['calls']} calls (module forward alone: "
            f"{one['module_forward_median_ms']:.3f} ms)",
            f"- {big['rows']:,} rows: {big['seconds']:.1f} s "
            f"({big['rows_per_second']:,.0f} rows/s); input {big['input_mb']:.0f} MiB, "
            f"output {big['output_mb']:.1f} MiB, peak memory added by predict "
            f"{big['peak_rss_added_by_predict_mb']:.0f} MiB",
            "",
        ]
    stopping = _load("early_stopping")
    if stopping:
        lines += ["## Early stopping: holdout or refit (test RMSE)", ""]
        lines += [f"_{_env_line(stopping)}_; `python -m benchmarks.early_stopping`", ""]
        lines += ["| series | off (400 epochs) | holdout | refit | persistence |"]
        lines += ["|---|---|---|---|---|"]
        table = {}
        for row in stopping["rows"]:
            table.setdefault(row["series"], {})[row["mode"]] = row["rmse"]
        for name, got in table.items():
            lines.append(
                f"| {name} | {got['False']:.3f} | {got['holdout']:.3f} | "
                f"{got['refit']:.3f} | {got['persistence']:.3f} |"
            )
        lines.append("")
    lines += _m3_report(_load("m3"), _load("m3_validation"))
    gpu = _load("gpu")
    if gpu:
        lines += ["## GPU", ""]
        if gpu.get("skipped"):
            lines += [f"Skipped: {gpu['skipped']} ({gpu['environment']['date']}).", ""]
        else:
            lines += [f"_{_env_line(gpu)}_", ""]
            seed_gpu, large_gpu = _load("seed_cuda"), _load("large_cuda")
            predict_gpu = _load("predict_cuda")
            if seed_gpu:
                wall = seed_gpu["sk_rnn"]["wall_seconds_median"]
                lines.append(
                    f"- seed (30 x 3000, batch 1, stateful): {wall:.1f} s; a "
                    "23-row series in batches of 1 is launch-bound, so the CPU "
                    "is the better device for it"
                )
            if large_gpu:
                run = large_gpu["runs"][0]
                lines.append(
                    f"- large: sk_rnn {run['sk_rnn_median']:.3f} s/epoch, "
                    f"hand-written nn.LSTM loop {run['hand_loop_median']:.3f} s/epoch "
                    f"(ratio {run['ratio']:.2f})"
                )
            if predict_gpu:
                one, big = predict_gpu["one_row"], predict_gpu["million_rows"]
                lines.append(
                    f"- predict: one row {one['median_ms']:.2f} ms; "
                    f"{big['rows']:,} rows in {big['seconds']:.1f} s"
                )
            lines.append("")
    return "\n".join(lines)


FREQUENCIES = ["yearly", "quarterly", "monthly", "other"]


def _m3_table(m3, done, title_published=True) -> list[str]:
    methods = list(next(iter(m3["frequencies"].values()))["methods"])
    header = " | ".join(f"{f} (h={m3['frequencies'][f]['horizon']})" for f in done)
    lines = [f"| method | {header} | overall | MASE overall | fit + predict |"]
    lines += ["|---" * (len(done) + 4) + "|"]
    overall = m3.get("overall") or {}
    for method in methods:
        cells = [
            f"{m3['frequencies'][f]['methods'][method]['smape']:.2f}" for f in done
        ]
        total = overall.get(method)
        seconds = sum(
            m3["frequencies"][f]["methods"][method]["fit_predict_seconds"] for f in done
        )
        lines.append(
            f"| {method} | {' | '.join(cells)} | "
            f"{total['smape']:.2f} | {total['mase']:.3f} | {seconds:.0f} s |"
            if total
            else f"| {method} | {' | '.join(cells)} | | | {seconds:.0f} s |"
        )
    if title_published:
        for name, published in m3["published_smape"].items():
            cells = [f"{published[f]:.2f}" for f in done]
            lines.append(
                f"| {name}, published | {' | '.join(cells)} | "
                f"{published['overall']:.2f} | | |"
            )
    return lines + [""]


def _member_text(member: dict) -> str:
    extra = {k: v for k, v in member.items() if k not in ("engine", "lags", "seed")}
    more = "".join(f", {k} {v}" for k, v in extra.items())
    return f"{member['engine']} lags {member['lags']}{more}"


def _run_dates(result, done) -> list[str]:
    """Where ``--merge`` ran some frequencies again: when each one ran."""
    dates = {
        f: result["frequencies"][f].get("environment", result["environment"])["date"]
        for f in done
    }
    if len(set(dates.values())) < 2:
        return []
    said = "; ".join(f"{f} {date}" for f, date in dates.items())
    return [f"Frequencies run separately (`--merge`), each with its peers: {said}.", ""]


def _m3_report(m3, validation) -> list[str]:
    """The M3 table: sMAPE per frequency, overall, and fit + predict time;
    the recipe and its validation scores."""
    if not m3:
        return []
    lines = ["## M3 competition (3003 series, sMAPE 0-200)", ""]
    lines += [f"_{_env_line(m3)}_; `make bench-m3` (`python -m benchmarks.m3`)", ""]
    done = [f for f in FREQUENCIES if f in m3["frequencies"]]
    lines += _run_dates(m3, done)
    lines += [
        "Overall: the mean over all forecast points (each series weighs its "
        "horizon), the competition's basis and that of the published figures. "
        "Every forecast is in `m3_forecasts.csv.gz` (`method, series, step, "
        "forecast`).",
        "",
    ]
    lines += _m3_table(m3, done)
    monthly = m3["frequencies"].get("monthly", {}).get("methods", {})
    if monthly:
        times = ", ".join(
            f"{name} {row['fit_predict_seconds']:.0f} s"
            for name, row in monthly.items()
        )
        lines += [f"Monthly (1428 series) fit + predict: {times}.", ""]
    recipe = m3.get("recipe")
    if recipe:
        parts = []
        for f in done:
            members = recipe[f]["members"]
            kinds = {}
            for member in members:
                text = _member_text(member)
                kinds[text] = kinds.get(text, 0) + 1
            listed = ", ".join(f"{n} x {text}" for text, n in kinds.items())
            combine = recipe[f].get("combine", "median")
            parts.append(f"{f}: {combine} of {len(members)} ({listed})")
        lines += [
            "sk_rnn: per frequency, the median (or mean) of global networks on "
            "the log of each series, each series' seasonal pattern removed where "
            "the Theta method's test finds one (quarterly, monthly; `season "
            "False`: not removed, `seasonal_test False`: removed from every "
            "series); "
            + "; ".join(parts)
            + ". Chosen on the last h training values of every series "
            "(`--holdout`; the test values are never read) and, since the "
            "preprocessing variants, on a second, earlier block (`--origin`).",
            "",
        ]
    if validation:
        vdone = [f for f in FREQUENCIES if f in validation["frequencies"]]
        lines += [
            "Validation (`python -m benchmarks.m3 --holdout`: each series' last h "
            f"training values), _{_env_line(validation)}_:",
            "",
        ]
        lines += _run_dates(validation, vdone)
        lines += _m3_table(validation, vdone, title_published=False)
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", nargs="+", choices=CASES, default=CASES)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--report", action="store_true", help="only rebuild the table")
    args = parser.parse_args(argv)
    if not args.report:
        for case in args.cases:
            print(f"== {case}", flush=True)
            command = [sys.executable, "-m", f"benchmarks.{case}"]
            subprocess.run(command + (["--quick"] if args.quick else []), check=True)
    table = report()
    (RESULTS / "README.md").write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
