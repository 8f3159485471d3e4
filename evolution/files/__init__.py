"""What is written of runs and read back: checkpoints, replays, a run's folder, figures, crash reports; all written
atomically, none unpickled. Imports breeding/, racing/ and run/, never many/.
"""
