"""The one-page HTML report of a run (:meth:`qbhw.runs.Run.report`).

``write_report(run, path)`` writes into the directory ``path``:

``index.html``
    One self-contained page (HTML and an inline style sheet; no script, no font or image from the
    network) that opens in any browser and prints cleanly:

    1. *Title*: the protocol, the run's status and how many points are done.
    2. *Parameters*: the base parameters of the protocol, the swept ones marked with their values.
    3. *Sweep* (runs with a sweep): the protocol's main figure of merit against the swept parameters.
    4. *Points*: one row per point of the grid — index, swept values, status, attempts, completion time
       (UTC), compute time, job ids; the figures of merit of its analysis, each with its 95 % interval
       when the analysis gives one (the ``intervals`` of the results, or a ``<name>_ci95`` field); the
       fit — model, each parameter's value ± standard error with its 95 % interval, χ²_red and the
       quality, highlighted (with its flags) when it is not ``"good"``; the point's error, analysis
       error and notes. Rows of failed points and of fits that are not good are highlighted.
    5. *Figures*: one PNG per point that has data.
    6. *Provenance*: backend, its options and a summary of its snapshot (the full snapshot folded in a
       ``<details>`` element), package versions, git revision, creation time, host, seeds, grid.

``point-0000.png`` …
    The figure of each point: the run's own figure (``run.figures[i]``, drawn when the point was
    computed) copied when it exists and is a PNG, otherwise drawn now from the stored data and analysis
    with the protocol's ``plot`` (a :class:`matplotlib.figure.Figure` rendered straight to PNG bytes;
    pyplot and matplotlib's global backend are never touched). A point without data has no figure.

``sweep-<quantity>.png``
    Runs with a sweep: the figure of :func:`qbhw.results.plots.plot_sweep` for the protocol's main
    figure of merit (``quantity``, e.g. ``sweep-max_average_power.png``) — a line with 95 % error bars
    over one swept parameter, a heat map over two, one heat map per value of the others beyond. When it
    cannot be drawn (no point analysed yet, too many panels) the section says why instead.

Every file is written atomically (:func:`qbhw.serialization.atomic_write_bytes`), so a report being
rewritten is never seen half-written; rewriting a report replaces it. All text from the run (parameter
values, error messages, flags, host names) is HTML-escaped.

The run is passed in (any object with the attributes of :class:`qbhw.runs.Run`); this module does not
import :mod:`qbhw.runs`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import html
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..serialization import atomic_write_bytes, atomic_write_text, to_jsonable

__all__ = ["REPORT_FILE", "write_report"]

#: name of the page inside the report directory
REPORT_FILE = "index.html"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: results fields that are not figures of merit
_NOT_MERIT = ("protocol", "fit", "notes", "intervals")
#: longest list shown in full; longer ones are summarised
_LIST_MAX = 12
#: largest snapshot (characters of JSON) shown in full
_SNAPSHOT_MAX = 200_000


# ---------------------------------------------------------------------------------------------
# formatting
def _e(value: Any) -> str:
    """``value`` as escaped HTML text."""
    return html.escape(str(value), quote=True)


def _num(x: Any, digits: int = 6) -> str:
    """A number in ``digits`` significant digits; integral floats keep a ``.0`` (``1.0``, not ``1``)."""
    if x is None:
        return "—"
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "−inf"
    s = f"{v:.{digits}g}"
    if not any(c in s for c in ".en"):
        s += ".0"
    return s


def _err(x: Any) -> str:
    """A standard error (2 significant digits)."""
    return _num(x, 2)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _summary(value: Any, *, limit: int = _LIST_MAX) -> str:
    """Plain-text summary of a parameter value (long numeric lists by count, range and step)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, Mapping):
        if value.get("format") and "name" in value:  # a serialised object (device, …): by name
            return f"{value.get('name')} ({value.get('format')})"
        text = json.dumps(to_jsonable(dict(value)), default=str, ensure_ascii=False)
        return text if len(text) <= 160 else text[:157] + "…"
    if isinstance(value, (list, tuple)):
        if len(value) <= limit:
            return ", ".join(_summary(v) for v in value) if value else "(none)"
        if all(_is_number(v) for v in value):
            arr = np.asarray(value, dtype=float)
            steps = np.diff(arr)
            step = ""
            if steps.size and np.allclose(steps, steps[0], rtol=1e-9, atol=1e-12 * max(1.0, np.max(np.abs(arr)))):
                step = f", step {_num(steps[0])}"
            return f"{len(value)} values, {_num(arr[0])} … {_num(arr[-1])}{step}"
        return f"{len(value)} values: {_summary(value[0])}, {_summary(value[1])}, … {_summary(value[-1])}"
    if _is_number(value):
        return _num(value)
    if value is None:
        return "None"
    return str(value)


def _time(iso: str | None) -> str:
    """An ISO-8601 time as ``YYYY-MM-DD hh:mm:ss`` (UTC), the full value in a tooltip."""
    if not iso:
        return "—"
    short = str(iso).replace("T", " ")[:19]
    return f'<span title="{_e(iso)}">{_e(short)}</span>'


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _ci(ci: Any) -> str:
    if ci is None:
        return ""
    try:
        lo, hi = ci
    except (TypeError, ValueError):
        return ""
    return f"[{_num(lo)}, {_num(hi)}]"


def _error_block(label: str, text: str | None, cls: str = "err") -> str:
    """An error or note: its first line visible, the rest (a traceback) folded."""
    if not text:
        return ""
    lines = str(text).strip().splitlines() or [""]
    head = f'<div class="{cls}"><b>{_e(label)}:</b> {_e(lines[0])}'
    if len(lines) > 1:
        head += f'<details><summary>details</summary><pre>{_e(chr(10).join(lines[1:]))}</pre></details>'
    return head + "</div>"


# ---------------------------------------------------------------------------------------------
# figures
def _png_of(run: Any, i: int, module_box: list) -> tuple[bytes | None, str | None]:
    """The PNG of point ``i`` (the stored figure, else drawn now) and a note when there is none."""
    figures = getattr(run, "figures", None) or []
    src = figures[i] if i < len(figures) else None
    if src is not None:
        try:
            png = Path(src).read_bytes()
            if png.startswith(_PNG_MAGIC):
                return png, None
        except OSError:
            pass
    data = run.data[i] if i < len(run.data) else None
    if data is None:
        return None, None
    results = run.analysis[i] if i < len(run.analysis) else None
    try:
        if not module_box:
            module_box.append(run.module)
        fig = module_box[0].plot(data, results)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        return buf.getvalue(), None
    except Exception as exc:  # noqa: BLE001 - a figure never costs the report
        return None, f"figure could not be drawn: {type(exc).__name__}: {exc}"


# ---------------------------------------------------------------------------------------------
# sections
_CSS = """
:root { --fg:#1d2330; --muted:#5b6475; --line:#d7dbe3; --head:#f2f4f8; --good:#1d7a3a; --goodbg:#e3f4e8;
        --poor:#8a5a00; --poorbg:#fff3d6; --bad:#a8221b; --badbg:#fde4e1; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--fg);
       margin: 0 auto; padding: 1.2rem 1.6rem 3rem; max-width: 1600px; }
h1 { font-size: 1.55rem; margin: 0 0 .3rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .6rem;
     border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.sub { color: var(--muted); margin: 0; } nav { margin: .6rem 0 0; } nav a { margin-right: 1rem; }
a { color: #1f5fbf; } code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .86em; }
pre { white-space: pre-wrap; word-break: break-word; margin: .2rem 0; max-height: 24rem; overflow: auto;
      background: #f7f8fa; padding: .4rem; border: 1px solid var(--line); }
table { border-collapse: collapse; margin: .2rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { overflow-x: auto; max-width: 100%; }
table.points td { font-size: .9em; } table.points th { font-size: .85em; }
table.points thead tr:first-child th { text-align: center; background: #e6e9f0; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .85em; font-weight: 600;
         border: 1px solid currentColor; white-space: nowrap; }
.s-done, .q-good { color: var(--good); background: var(--goodbg); }
.s-running, .s-submitted, .s-pending, .s-incomplete, .q-poor { color: var(--poor); background: var(--poorbg); }
.s-failed, .q-bad { color: var(--bad); background: var(--badbg); }
tr.warn > td { background: #fffaf0; } tr.fail > td { background: #fff5f4; }
.ci { color: var(--muted); white-space: nowrap; }
.fit { min-width: 18rem; } .fit ul { margin: .15rem 0; padding-left: 1.1rem; } .fixed { color: var(--muted); }
.flags { margin: .2rem 0; padding: .2rem .4rem .2rem 1.4rem; border-left: 3px solid var(--bad);
         background: var(--badbg); color: var(--bad); }
.flags.q-poor { border-left-color: var(--poor); background: var(--poorbg); color: var(--poor); }
.err { color: var(--bad); max-width: 40rem; } .note { color: var(--poor); max-width: 40rem; }
.figs { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 1rem; }
figure { margin: 0; border: 1px solid var(--line); padding: .4rem; background: #fff; }
figure img { width: 100%; height: auto; display: block; } figure.sweep { max-width: 760px; }
figcaption { font-size: .88em; color: var(--muted); }
.muted { color: var(--muted); }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85em; }
@media print { .scroll { overflow: visible; } details { display: block; } figure { break-inside: avoid; } }
"""


def _status_badge(status: Any) -> str:
    s = str(status)
    return f'<span class="badge s-{_e(s)}">{_e(s)}</span>'


def _parameters_section(run: Any) -> str:
    manifest = run.manifest
    base = dict(manifest.get("parameters") or {})
    sweep = dict(manifest.get("sweep") or {})
    rows = []
    for name, value in base.items():
        if name in ("format", "protocol"):
            continue
        if name in sweep:
            values = sweep[name]
            swept = (f'<b>swept</b> ({len(values)} value{"s" if len(values) != 1 else ""}): '
                     f'<span class="sweep-values">{_e(_summary(values))}</span>')
            rows.append(f'<tr><th>{_e(name)}</th><td>{swept}<br><span class="muted">base: '
                        f'{_e(_summary(value))}</span></td></tr>')
        else:
            rows.append(f"<tr><th>{_e(name)}</th><td>{_e(_summary(value))}</td></tr>")
    for name, values in sweep.items():  # a swept name missing from the base (should not happen; shown anyway)
        if name not in base:
            rows.append(f'<tr><th>{_e(name)}</th><td><b>swept</b>: <span class="sweep-values">'
                        f'{_e(_summary(values))}</span></td></tr>')
    grid = manifest.get("grid") or {}
    order = ", ".join(str(x) for x in (grid.get("order") or sweep))
    size = grid.get("size", len(run.points))
    lines = ['<section id="parameters"><h2>Parameters</h2>',
             f'<p class="sub">{_e(size)} point{"s" if size != 1 else ""}'
             + (f"; grid over {_e(order)} (the last varies fastest)" if sweep else "; no sweep") + "</p>",
             '<table class="params"><tbody>', *rows, "</tbody></table></section>"]
    return "\n".join(lines)


def _merit_names(analysis: Sequence[Any]) -> list[str]:
    names: list[str] = []
    for res in analysis:
        if res is None:
            continue
        fields = [f.name for f in dataclasses.fields(res)] if dataclasses.is_dataclass(res) else list(vars(res))
        for name in fields:
            if name in _NOT_MERIT or name in names:
                continue
            if name.endswith("_ci95") and name[:-5] in fields:
                continue  # shown with its value
            names.append(name)
    return names


def _merit_cell(res: Any, name: str) -> str:
    if res is None or not hasattr(res, name):
        return '<td class="muted">—</td>'
    value = getattr(res, name)
    intervals = getattr(res, "intervals", None) or {}
    iv = intervals.get(name) if isinstance(intervals, Mapping) else None
    if iv is None and not _is_number(value):  # text, tuples, None
        return '<td class="muted">—</td>' if value is None else f"<td>{_e(_summary(value))}</td>"
    if not _is_number(value):
        value = _get(iv, "value", value)
    parts = [_e(_num(value))]
    if iv is not None:
        stderr, ci, method = _get(iv, "stderr"), _get(iv, "ci95"), _get(iv, "method")
        if stderr is not None:
            parts.append(f"± {_e(_err(stderr))}")
        if ci is not None:
            title = f' title="95 % interval ({_e(method)})"' if method else ' title="95 % interval"'
            parts.append(f'<span class="ci"{title}>{_e(_ci(ci))}</span>')
    else:
        ci = getattr(res, f"{name}_ci95", None)
        if ci is not None:
            parts.append(f'<span class="ci" title="95 % interval">{_e(_ci(ci))}</span>')
    return f'<td class="n">{" ".join(parts)}</td>'


def _fit_cell(res: Any) -> tuple[str, str | None]:
    """The fit's cell and its quality (``None`` when there is no fit)."""
    if res is None:
        return '<td class="muted">—</td>', None
    fit = getattr(res, "fit", None)
    if fit is None:
        return '<td class="muted">no fit</td>', None
    quality = str(getattr(fit, "quality", "?"))
    out = [f'<td class="fit"><div><code>{_e(getattr(fit, "model_name", ""))}</code></div><ul>']
    for name, est in (getattr(fit, "parameter_estimates", None) or {}).items():
        value, stderr, ci = _get(est, "value"), _get(est, "stderr"), _get(est, "ci95")
        vary, derived = bool(_get(est, "vary", False)), bool(_get(est, "derived", False))
        if not vary and not derived:
            out.append(f'<li class="fixed">{_e(name)} = {_e(_num(value))} (fixed)</li>')
            continue
        text = f"{_e(name)} = {_e(_num(value))}"
        if stderr is not None:
            text += f" ± {_e(_err(stderr))}"
        scaled = _get(est, "stderr_scaled")
        if scaled is not None and quality == "poor":  # a misspecified model: show the χ²-scaled error too
            text += f' <span class="badge q-poor" title="stderr × √χ²_red">± {_e(_err(scaled))} scaled</span>'
        if ci is not None:
            method = _get(est, "ci_method", "")
            text += f' <span class="ci" title="95 % interval ({_e(method)})">95 % {_e(_ci(ci))}</span>'
        if derived:
            text += ' <span class="muted">(derived)</span>'
        if _get(est, "at_bound", False):
            text += ' <span class="badge q-poor">at bound</span>'
        out.append(f"<li>{text}</li>")
    out.append("</ul>")
    out.append(f'χ²<sub>red</sub> = {_e(_num(getattr(fit, "redchi", None), 3))} '
               f'<span class="badge q-{_e(quality)}">{_e(quality)}</span>')
    flags = tuple(getattr(fit, "flags", ()) or ())
    if quality != "good" and flags:
        out.append(f'<ul class="flags q-{_e(quality)}">' + "".join(f"<li>{_e(f)}</li>" for f in flags) + "</ul>")
    elif quality != "good":
        out.append(f'<ul class="flags q-{_e(quality)}"><li>{_e(getattr(fit, "message", "") or quality)}</li></ul>')
    out.append("</td>")
    return "".join(out), quality


def _points_section(run: Any, merit: list[str], fig_names: dict[int, str], fig_notes: dict[int, str]) -> str:
    sweep_names = list(run.manifest.get("sweep") or {})
    head = (["#"] + sweep_names + ["status", "attempts", "completed (UTC)", "time (s)", "job ids"] + merit
            + ["fit", "errors and notes"])
    rows = []
    for i, point in enumerate(run.points):
        res = run.analysis[i] if i < len(run.analysis) else None
        try:
            values = point.parameters.to_dict()
        except AttributeError:
            values = dict(point.parameters or {})
        fit_td, quality = _fit_cell(res)
        cls = "fail" if point.status == "failed" else ("warn" if (quality not in (None, "good")
                                                                   or point.analysis_error) else "")
        idx = f'<a href="#fig-{point.index}">{_e(point.index)}</a>' if i in fig_names else _e(point.index)
        cells = [f'<td class="n">{idx}</td>']
        cells += [f'<td class="n">{_e(_summary(values.get(n)))}</td>' for n in sweep_names]
        cells.append(f"<td>{_status_badge(point.status)}</td>")
        cells.append(f'<td class="n">{_e(point.attempts)}</td>')
        cells.append(f"<td>{_time(point.completed_at)}</td>")
        elapsed = getattr(point, "elapsed_s", None)
        cells.append(f'<td class="n">{_e(_num(elapsed, 3)) if elapsed is not None else "—"}</td>')
        jobs = tuple(point.job_ids or ())
        cells.append("<td>" + ("<br>".join(f"<code>{_e(j)}</code>" for j in jobs) if jobs else "—") + "</td>")
        cells += [_merit_cell(res, n) for n in merit]
        cells.append(fit_td)
        notes = [_error_block("error", point.error), _error_block("analysis error", point.analysis_error)]
        for note in (getattr(res, "notes", None) or []) if res is not None else []:
            notes.append(_error_block("note", note, "note"))
        fit = getattr(res, "fit", None) if res is not None else None
        for note in (getattr(fit, "notes", None) or []) if fit is not None else []:
            notes.append(_error_block("fit note", note, "note"))
        if i in fig_notes:
            notes.append(_error_block("figure", fig_notes[i], "note"))
        cells.append("<td>" + "".join(n for n in notes if n) + "</td>")
        rows.append(f'<tr id="point-{_e(point.index)}" class="{cls}">' + "".join(cells) + "</tr>")
    counts: dict[str, int] = {}
    for p in run.points:
        counts[p.status] = counts.get(p.status, 0) + 1
    summary = ", ".join(f"{_status_badge(k)} {v}" for k, v in sorted(counts.items()))
    return "\n".join([
        '<section id="points"><h2>Points</h2>',
        (f'<p class="sub">{summary}. Figures of merit with their 95 % interval [low, high] when the analysis '
         "gives one; fit parameters as value ± standard error.</p>"),
        '<div class="scroll"><table class="points"><thead><tr>'
        + f'<th colspan="{6 + len(sweep_names)}">point</th>'
        + (f'<th colspan="{len(merit)}">figures of merit</th>' if merit else "")
        + '<th colspan="2">analysis</th></tr><tr>'
        + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>",
        *rows, "</tbody></table></div></section>"])


def _sweep_png(run: Any) -> tuple[str | None, bytes | None, str | None]:
    """``(file name, PNG, note)`` of the sweep figure (all ``None`` for a run without a sweep)."""
    if not (run.manifest.get("sweep") or {}):
        return None, None, None
    from .plots import default_quantity, plot_sweep

    try:
        quantity = default_quantity(run)
        fig = plot_sweep(run, quantity)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        return f"sweep-{quantity}.png", buf.getvalue(), None
    except Exception as exc:  # noqa: BLE001 - a figure never costs the report
        return None, None, f"sweep figure could not be drawn: {type(exc).__name__}: {exc}"


def _sweep_section(name: str | None, note: str | None) -> str:
    if name is None and note is None:
        return ""
    body = (f'<figure class="sweep"><a href="{_e(name)}"><img src="{_e(name)}" alt="{_e(name)}"></a>'
            f"<figcaption>{_e(name[len('sweep-'):-len('.png')])} against the swept parameters (95 % "
            "intervals where the analysis gives them)</figcaption></figure>") if name else ""
    return f'<section id="sweep"><h2>Sweep</h2>\n{body}{_error_block("figure", note, "note")}\n</section>'


def _figures_section(run: Any, fig_names: dict[int, str]) -> str:
    sweep_names = list(run.manifest.get("sweep") or {})
    items = []
    for i, point in enumerate(run.points):
        name = fig_names.get(i)
        if name is None:
            continue
        try:
            values = point.parameters.to_dict()
        except AttributeError:
            values = dict(point.parameters or {})
        caption = f"point {point.index}" + ("".join(f", {n} = {_summary(values.get(n))}" for n in sweep_names))
        items.append(f'<figure id="fig-{_e(point.index)}"><a href="{_e(name)}"><img src="{_e(name)}" '
                     f'alt="{_e(caption)}" loading="lazy"></a><figcaption><a href="#point-{_e(point.index)}">'
                     f"{_e(caption)}</a></figcaption></figure>")
    body = '<div class="figs">' + "\n".join(items) + "</div>" if items else '<p class="muted">No figures (no point has data).</p>'
    return f'<section id="figures"><h2>Figures</h2>\n{body}\n</section>'


def _json_text(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=1, sort_keys=True, default=str, ensure_ascii=False)


def _snapshot_html(snapshot: Any) -> str:
    if snapshot is None:
        return '<span class="muted">none (the backend has no device snapshot)</span>'
    if not isinstance(snapshot, Mapping):
        return _e(_summary(snapshot))
    rows = []

    def add(prefix: str, d: Mapping) -> None:
        for key, value in d.items():
            if isinstance(value, Mapping) and prefix == "":
                if key == "device":
                    add("device.", value)
                else:
                    rows.append((f"{key}", f"{len(value)} entries"))
            elif isinstance(value, Mapping) or isinstance(value, (list, tuple)) and len(value) > 6:
                rows.append((f"{prefix}{key}", f"{len(value)} entries"))
            else:
                text = _summary(value)
                rows.append((f"{prefix}{key}", text if len(text) <= 120 else text[:117] + "…"))

    add("", snapshot)
    text = _json_text(snapshot)
    if len(text) > _SNAPSHOT_MAX:
        text = text[:_SNAPSHOT_MAX] + f"\n… ({len(text) - _SNAPSHOT_MAX} more characters in the run's manifest)"
    table = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return (f'<table class="snapshot"><tbody>{table}</tbody></table>'
            f"<details><summary>full snapshot (JSON)</summary><pre>{_e(text)}</pre></details>")


def _provenance_section(run: Any) -> str:
    m = run.manifest
    options = m.get("backend_options") or {}
    seeds = m.get("seeds") or {}
    grid = m.get("grid") or {}
    snapshot = getattr(run, "backend_snapshot", None)
    if snapshot is None:
        snapshot = m.get("backend_snapshot")
    rows = [
        ("protocol", f"{m.get('protocol')} ({m.get('protocol_module', '')})"),
        ("backend", f"{m.get('backend')} (kind: {m.get('backend_kind')})"),
        ("backend options", json.dumps(to_jsonable(options), sort_keys=True, default=str) if options else "(none)"),
        ("git revision", m.get("git_revision") or "(not a git checkout)"),
        ("created at (UTC)", m.get("created_at")),
        ("host", m.get("host")),
        ("run seed", seeds.get("run_seed")),
        ("per-point seeds", seeds.get("per_point")),
        ("grid", f"{grid.get('size')} points, order {', '.join(map(str, grid.get('order') or [])) or '(no sweep)'}"),
        ("run directory", str(getattr(run, "path", ""))),
        ("run format", m.get("format")),
    ]
    session = getattr(run, "session", None) or {}
    if session:
        last = (f"{session.get('computed', 0)} computed, {session.get('failed', 0)} failed, "
                f"{_num(session.get('elapsed_s'), 3)} s, store {_num(session.get('store_ms_per_point'), 3)} ms/point")
        rows.append(("last session", last))
    versions = m.get("versions") or {}
    vrows = "".join(f'<tr><th>{_e(k)}</th><td class="version" data-package="{_e(k)}">'
                    f'{_e(v if v is not None else "not installed")}</td></tr>' for k, v in versions.items())
    return "\n".join([
        '<section id="provenance"><h2>Provenance</h2>',
        '<table class="provenance"><tbody>',
        *(f"<tr><th>{_e(k)}</th><td>{_e('—' if v is None else v)}</td></tr>" for k, v in rows),
        "</tbody></table>",
        "<h3>Backend snapshot</h3>", _snapshot_html(snapshot),
        "<h3>Package versions</h3>", f'<table class="versions"><tbody>{vrows}</tbody></table>',
        "</section>"])


# ---------------------------------------------------------------------------------------------
def write_report(run: Any, path) -> Path:
    """Write the report of ``run`` (a :class:`qbhw.runs.Run`) into the directory ``path``: ``index.html``,
    one ``point-NNNN.png`` per point with data and, for a sweep, ``sweep-<quantity>.png`` (see the module
    docstring). Returns the HTML file."""
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    fig_names: dict[int, str] = {}
    fig_notes: dict[int, str] = {}
    module_box: list = []
    for i, point in enumerate(run.points):
        png, note = _png_of(run, i, module_box)
        if note:
            fig_notes[i] = note
        if png is not None:
            name = f"point-{int(point.index):04d}.png"
            atomic_write_bytes(out / name, png)
            fig_names[i] = name
    sweep_name, sweep_png, sweep_note = _sweep_png(run)
    if sweep_png is not None:
        atomic_write_bytes(out / sweep_name, sweep_png)

    n_points = len(run.points)
    n_done = sum(1 for p in run.points if p.status == "done")
    protocol = str(run.manifest.get("protocol", getattr(run, "protocol", "?")))
    status = str(getattr(run, "status", None) or "unknown")
    merit = _merit_names(run.analysis)
    generated = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    page = "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(protocol)} run: {_e(status)}, {n_done}/{n_points} points done</title>",
        f"<style>{_CSS}</style></head><body>",
        f'<header><h1>{_e(protocol)} <span class="muted">run</span> {_status_badge(status)}</h1>',
        (f'<p class="sub">{n_done} / {n_points} points done · backend <code>{_e(run.manifest.get("backend"))}</code>'
         f' · created {_e(run.manifest.get("created_at", ""))}</p>'),
        ('<nav><a href="#parameters">Parameters</a>'
         + ('<a href="#sweep">Sweep</a>' if sweep_name or sweep_note else "")
         + '<a href="#points">Points</a><a href="#figures">Figures</a>'
         '<a href="#provenance">Provenance</a></nav></header>'),
        _parameters_section(run),
        _sweep_section(sweep_name, sweep_note),
        _points_section(run, merit, fig_names, fig_notes),
        _figures_section(run, fig_names),
        _provenance_section(run),
        f"<footer>Written {_e(generated)} by qbhw.results.report from {_e(getattr(run, 'path', ''))}.</footer>",
        "</body></html>", ""])
    return atomic_write_text(out / REPORT_FILE, page)
