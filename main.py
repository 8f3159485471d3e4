"""neuroracer: watch a population of tiny neural networks learn to race, by evolution.

python main.py                      open the window and watch evolution live
python main.py --load best.json     test-drive saved champions in the window
python main.py --headless ...       evolve (or, with --load, drive) without a window

The command line is read, checked and run by the app layer (app/); this file only starts it and hands it the
window (game/), which is imported when a window is asked for, so that headless runs start without pygame.
"""

from __future__ import annotations

import os
import signal
import sys

if __name__ == "__main__":  # Ctrl+C while the modules below load: nothing is written yet, so end quietly
    signal.signal(signal.SIGINT, lambda signum, frame: os._exit(128 + signum))

from app import command
from app.options import Options


def open_window(options: Options) -> int:
    """The window the options ask for (game/start.py)."""
    from game.start import open_window as start

    return start(options)


def main(argv: list[str] | None = None) -> int:
    """Run the command line (sys.argv's by default); the exit status (see app.command.main)."""
    return command.main(argv, window=open_window)


if __name__ == "__main__":
    sys.exit(main())
