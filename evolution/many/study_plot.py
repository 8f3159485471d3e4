"""A study's figure: the share of seeds that learned within 60 generations, as heat maps over two settings,
one panel per strategy (matplotlib, imported only here, drawing to files with the Agg backend)."""

from __future__ import annotations

import io
import sys
from collections import defaultdict
from pathlib import Path

from evolution.atomic import write_atomic
from evolution.errors import InputError
from evolution.many.study import is_study_folder, read_summary

FIGURE = "study.png"


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def plot_study(folder: Path) -> list[Path]:
    """Draw folder/study.png from its summary.csv and return [its path]. Rows and columns are the first two
    settings other than the strategy (their values in order); a panel per strategy; a third setting or more
    is summed over (said in the title). InputError (one line) for a folder without a study's summary."""
    folder = Path(folder)
    if not is_study_folder(folder):
        raise InputError(f"{folder}: is not a study's folder (it has no study.json)")
    names, table = read_summary(folder)
    strategies = sorted({row["strategy"] for row in table}) if "strategy" in names else [""]
    others = [name for name in names if name != "strategy"]
    down, across = [*others, None, None][:2]
    summed = others[2:]

    def values(name: str | None) -> list[str]:
        if name is None:
            return [""]
        seen = list(dict.fromkeys(row[name] for row in table))
        return sorted(seen, key=_number) if all(isinstance(_number(v), float) for v in seen) else seen

    rows, columns = values(down), values(across)
    learned: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in table:
        key = (row.get("strategy", ""), row[down] if down else "", row[across] if across else "")
        learned[key][0] += int(row["within_60"])
        learned[key][1] += int(row["seeds"])

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width = 1.5 + (1.6 + 0.7 * len(columns)) * len(strategies)
    figure = Figure(
        figsize=(width, 2.0 + 0.5 * len(rows)), layout="constrained"
    )  # no pyplot, as evolution/files/plots.py
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, len(strategies), squeeze=False)
    image = None
    for panel, strategy in zip(axes[0], strategies):
        share = np.full((len(rows), len(columns)), np.nan)
        for i, r in enumerate(rows):
            for j, c in enumerate(columns):
                hits, seeds = learned.get((strategy, r, c), (0, 0))
                share[i, j] = hits / seeds if seeds else np.nan
        image = panel.imshow(share, vmin=0, vmax=1, cmap="viridis", aspect="auto")
        for i in range(len(rows)):
            for j in range(len(columns)):
                text = "-" if np.isnan(share[i, j]) else f"{100 * share[i, j]:.0f}%"
                dark = not np.isnan(share[i, j]) and share[i, j] < 0.6
                panel.text(j, i, text, ha="center", va="center", color="white" if dark else "black", fontsize=9)
        panel.set_xticks(range(len(columns)), columns)
        panel.set_yticks(range(len(rows)), rows)
        panel.set_xlabel(across or "")
        panel.set_ylabel((down or "") if panel is axes[0][0] else "")
        panel.set_title(strategy or "all runs")
    title = "share of seeds with a finisher within 60 generations"
    if summed:
        title += f" (summed over {', '.join(summed)})"
    figure.suptitle(title, fontsize=10)
    figure.colorbar(image, ax=list(axes[0]), shrink=0.9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return [write_atomic(folder / FIGURE, buffer.getvalue())]


def plot_command(folder: Path) -> int:
    """--plot FOLDER of a study: draw it and say where (InputError for a folder that is not a study's)."""
    for path in plot_study(folder):
        print(f"figure: {path}")
    sys.stdout.flush()
    return 0
