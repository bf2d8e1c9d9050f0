"""The stage breakdown as a small PNG: when each stage ran, per phase and mode (median runs).

matplotlib is optional: without it the benchmark prints and writes JSON, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.measure.phases import STAGES
from benchmarks.measure.report import PHASE_TITLES

_BAR_HEIGHT = 0.35
_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c")


def write_chart(modes: Sequence[dict[str, Any]], title: str, path: Path) -> bool:
    """Write the chart to `path`; False when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: PLC0415 - optional dependency

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        return False
    phases = ("daily", "reference")
    figure, axes = plt.subplots(len(phases), 1, figsize=(11, 6.5))
    for axis, phase in zip(axes, phases, strict=True):
        for offset, (mode, colour) in enumerate(zip(modes, _COLOURS, strict=False)):
            stages = mode["phases"][phase]["stages"]
            rows = [(index, stages[stage]) for index, stage in enumerate(STAGES) if stage in stages]
            axis.barh(
                [index + offset * _BAR_HEIGHT for index, _ in rows],
                [figures["end"] - figures["start"] for _, figures in rows],
                left=[figures["start"] for _, figures in rows],
                height=_BAR_HEIGHT,
                color=colour,
                label=f"{mode['mode']} (total {mode['phases'][phase]['total_seconds']:.1f} s)",
            )
            axis.axvline(mode["phases"][phase]["total_seconds"], color=colour, linestyle="--")
        axis.set_yticks([index + _BAR_HEIGHT / 2 for index in range(len(STAGES))], STAGES)
        axis.invert_yaxis()
        axis.set_xlim(left=0)
        axis.set_title(PHASE_TITLES[phase], fontsize=9)
        axis.set_xlabel("seconds since the first S3 put")
        axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True
