"""Files: checkpoints, genome files, replays, a run's folder and outputs, figures; all written atomically, none
unpickled.
"""
