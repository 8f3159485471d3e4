"""Many runs at once: side by side in lockstep, ghosts beside a run, sweeps over seeds, studies over settings. The
top layer of evolution/: it may import every other sub-package.
"""
