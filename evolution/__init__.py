"""The numerical core of neuroracer: networks, tracks, races and strategies (no pygame). Its sub-packages are
layers, lowest first: breeding, racing, run, files, many; the modules here (errors, interrupts, atomic, outputs,
budget) are shared by all of them and import only each other.
"""
