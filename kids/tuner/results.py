"""What the tuner gives back: one record per instance, as results.jsonl, results.csv, a
table sorted by validation loss, and a figure of every instance's validation curve."""
import csv
import json
import math
import os

from akid.kids.logs import read_metrics
from akid.kids.tuner.runner import replace_file

NOT_METRICS = ("step", "epoch", "split", "loss", "lr", "images_per_s")
RESULTS_JSONL, RESULTS_CSV, CURVES_PNG = "results.jsonl", "results.csv", "val_curves.png"
_FIRST_COLUMNS = ("index", "repeat", "status", "final_val_loss", "best_val_loss", "best_val_step",
                  "final_train_loss", "steps", "wall_time")
_LAST_COLUMNS = ("opt_paras", "net_paras", "log_dir", "instance_dir", "devices", "returncode",
                 "error")


def metrics_summary(log_dir):
    """The numbers a tuner record keeps, read from `log_dir/metrics.jsonl`.

    Returns a dict with (when the log has them) `final_train_loss`,
    `final_val_loss` and `final_val_metrics` (the last records), `best_val_loss`,
    `best_val_metrics` and `best_val_step` (the val record of lowest loss), and
    `steps` (the last step logged). {} when there is no log.
    """
    try:
        records = read_metrics(log_dir)
    except OSError:
        return {}
    summary = {}

    def finite_loss(record, split):
        return record.get("split") == split and _is_number(record.get("loss"))

    train = [r for r in records if finite_loss(r, "train")]
    val = [r for r in records if finite_loss(r, "val")]
    if train:
        summary["final_train_loss"] = train[-1]["loss"]
    if val:
        best = min(val, key=lambda r: r["loss"])
        summary.update(final_val_loss=val[-1]["loss"], final_val_metrics=_metrics(val[-1]),
                       best_val_loss=best["loss"], best_val_metrics=_metrics(best),
                       best_val_step=best["step"])
    if records:
        summary["steps"] = max(r.get("step", 0) for r in records)
    return summary


def _metrics(record):
    return {k: v for k, v in record.items() if k not in NOT_METRICS and _is_number(v)}


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# -- files -------------------------------------------------------------------------

def write_results(records, work_dir):
    """Writes `work_dir/results.jsonl` (the records whole) and `results.csv` (flat: the
    metrics dicts and parameters spread into columns); each file replaced atomically."""
    replace_file(os.path.join(work_dir, RESULTS_JSONL),
                 lambda f: f.writelines(json.dumps(r, default=str) + "\n" for r in records))
    rows = [_flat(r) for r in records]
    middle = sorted({k for row in rows for k in row} - set(_FIRST_COLUMNS) - set(_LAST_COLUMNS))
    columns = [c for c in _FIRST_COLUMNS if any(c in row for row in rows)] + middle + \
        [c for c in _LAST_COLUMNS if any(c in row for row in rows)]

    def write_csv(f):
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    replace_file(os.path.join(work_dir, RESULTS_CSV), write_csv, newline="")


def read_results(work_dir):
    """The records a `tune` run wrote to `work_dir/results.jsonl`, as `Results`."""
    with open(os.path.join(work_dir, RESULTS_JSONL), encoding="utf-8") as f:
        return Results(json.loads(line) for line in f if line.strip())


def _flat(record):
    row = {}
    for key, value in record.items():
        if key in ("final_val_metrics", "best_val_metrics"):
            row.update({f"{key[:-len('metrics')]}{k}": v for k, v in value.items()})
        elif key in ("opt_paras", "net_paras"):
            row[key] = json.dumps(value, default=str)
            row.update({f"{key}.{k}": _cell(v) for k, v in value.items()})
        else:
            row[key] = _cell(value)
    return row


def _cell(value):
    return json.dumps(value, default=str) if isinstance(value, (dict, list, tuple)) else value


# -- reading them ----------------------------------------------------------------

def labels(records):
    """A short label per record: the parameters that differ between the records (all of
    them when there is one record), and the repeat when there are several."""
    params = [{**{f"{k}": v for k, v in r.get("opt_paras", {}).items()},
               **{f"{k}": v for k, v in r.get("net_paras", {}).items()}} for r in records]
    keys = list(dict.fromkeys(k for p in params for k in p))
    varying = [k for k in keys if len(records) == 1 or
               len({json.dumps(p.get(k), sort_keys=True, default=str) for p in params}) > 1]
    repeats = len({r.get("repeat", 0) for r in records}) > 1
    out = []
    for record, p in zip(records, params):
        parts = [f"{k}={_short(p[k])}" for k in varying if k in p]
        if repeats:
            parts.append(f"r{record.get('repeat', 0)}")
        out.append(" ".join(parts) or f"#{record.get('index', '?')}")
    return out


def _short(value):
    if isinstance(value, dict) and set(value) == {"type"}:
        return str(value["type"])
    return json.dumps(value, default=str) if isinstance(value, (dict, list)) else str(value)


def table(records):
    """The records as a text table, sorted by final validation loss (failures last)."""
    header, rows = _table_rows(records)
    widths = [max(len(row[c]) for row in [header, *rows]) for c in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
             for row in [header, *rows]]
    return "\n".join(lines)


def _table_rows(records):
    """(header, rows) of `table`: text cells, rows sorted by final validation loss."""
    names = labels(records)
    order = sorted(range(len(records)), key=lambda i: (
        records[i].get("status") != "ok", records[i].get("final_val_loss") is None,
        records[i].get("final_val_loss") or 0.0, records[i].get("index", i)))
    metric_keys = list(dict.fromkeys(k for r in records
                                     for k in (r.get("final_val_metrics") or {})))[:3]
    header = ["#", "status", "val_loss", "best_val", *metric_keys, "train_loss", "steps",
              "time_s", "parameters"]
    rows = []
    for i in order:
        r = records[i]
        metrics = r.get("final_val_metrics") or {}
        rows.append([str(r.get("index", i)), r.get("status", "?"), _num(r.get("final_val_loss")),
                     _num(r.get("best_val_loss")), *[_num(metrics.get(k)) for k in metric_keys],
                     _num(r.get("final_train_loss")), _num(r.get("steps"), "{}"),
                     _num(r.get("wall_time"), "{:.1f}"), names[i]])
    return header, rows


class Results(list):
    """The records of a `tune` run: a plain list of dicts, which a notebook shows as the
    table `table(records)` prints (sorted by validation loss), an IPython shell as its text."""

    def _repr_html_(self):
        from akid.kids.observer.display import html_table
        ok = sum(r.get("status") == "ok" for r in self)
        return html_table(*_table_rows(self), caption=f"tuning: {ok} of {len(self)} "
                                                       f"instance(s) ok, best first")

    def _repr_pretty_(self, printer, cycle):
        printer.text(table(self) if self else "Results([])")


def _num(value, fmt="{:.4g}"):
    return fmt.format(value) if _is_number(value) else "-"


# -- the figure ------------------------------------------------------------------

def plot_results(results_or_work_dir, save_to=None):
    """Draws every instance's validation curves (loss, and up to two eval metrics) on
    one figure, one line per instance labelled by its parameters; returns the PNG path.
    In a notebook the picture is also shown, once, as the Observer's are.

    Args:
      results_or_work_dir: the records `tune` returned, or its work_dir.
      save_to: the PNG path; default `<work_dir>/val_curves.png`.

    Example:
      results = tune(setup, opt_paras_list, net_paras_list)
      plot_results(results)   # -> "tune/20250101-120000/val_curves.png"
    """
    from akid.kids.observer.display import Pictures, show  # (also: Agg when headless)
    from akid.kids.observer.mosaics import new_figure, save

    if isinstance(results_or_work_dir, (str, os.PathLike)):
        work_dir = os.fspath(results_or_work_dir)
        records = read_results(work_dir)
    else:
        records = list(results_or_work_dir)
        work_dir = os.path.dirname(records[0]["instance_dir"]) if records else None
    curves = []
    for record, name in zip(records, labels(records)):
        log_dir = record.get("log_dir")
        val = [r for r in _read(log_dir) if r.get("split") == "val"]
        if val:
            curves.append((name, val))
    if not curves:
        raise ValueError("plot_results: no instance has validation records to draw; "
                         "did any of them run long enough to validate?")
    metric_keys = list(dict.fromkeys(k for _, val in curves for r in val
                                     for k in _metrics(r)))[:2]
    panels = ["loss", *metric_keys]
    fig = new_figure(5.0 * len(panels) + 2.0, 4.0)
    axes = fig.subplots(1, len(panels), squeeze=False).ravel()
    for ax, key in zip(axes, panels):
        for name, val in curves:
            points = sorted((r["step"], r[key]) for r in val if _is_number(r.get(key)))
            if points:
                ax.plot(*zip(*points), marker="o", markersize=3, linewidth=1.3, label=name)
        ax.set_title(f"validation {key}")
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    fig.suptitle(f"tuning: {len(curves)} instance(s)")
    if save_to is None:
        if work_dir is None:
            raise ValueError("plot_results: give save_to= when the records have no instance_dir")
        save_to = os.path.join(work_dir, CURVES_PNG)
    path = save(fig, save_to)
    show(Pictures([path], [fig]))
    return path


def _read(log_dir):
    try:
        return read_metrics(log_dir) if log_dir else []
    except OSError:
        return []
