"""The score a strategy is told: a generation's training scores, its extra tracks and the safety term combined."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def selection_scores(
    scores: np.ndarray,
    finish: int,
    extra_scores: Sequence[np.ndarray] = (),
    extra_finishes: Sequence[int] = (),
    extra_safety: Sequence[np.ndarray] | None = None,
    safety_weight: float = 0.0,
) -> np.ndarray:
    """(P,) selection scores, higher is better.

    scores: (P,) int64 on the training track, which `finish` finishes. With no extra tracks they are the
    selection scores themselves, as in the blog. With K extra tracks (extra_scores: K arrays (P,), each
    finished by its extra_finishes entry), it is the mean over the K + 1 tracks of the share finished;
    with safety_weight > 0, each extra track a genome finishes also adds safety_weight times its safety
    there (extra_safety: K arrays (P,) in 0..1), so that among finishers the steadier rank first.
    The additions are made track by track in order, so the floats are the same however the races ran.
    """
    if len(extra_scores) != len(extra_finishes):
        raise ValueError("each extra track needs its scores and its finish")
    if safety_weight > 0 and (extra_safety is None or len(extra_safety) != len(extra_scores)):
        raise ValueError("a safety weight needs the safety on each extra track")
    if not len(extra_scores):
        return scores
    total = scores / finish
    for index, (track_scores, track_finish) in enumerate(zip(extra_scores, extra_finishes)):
        total += track_scores / track_finish
        if safety_weight > 0:
            total += safety_weight * extra_safety[index] * (track_scores >= track_finish)
    return total / (1 + len(extra_scores))
