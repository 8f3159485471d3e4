"""The numerical core of neuroracer: networks, tracks, races and strategies (no pygame)."""
