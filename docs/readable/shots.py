"""Screenshots of tests/test_readable.py's scripted lesson at the four sizes of issue 21, one per step.

xvfb-run -a -s "-screen 0 3840x2160x24" env SDL_VIDEODRIVER=x11 python -m docs.readable.shots OUT_FOLDER
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from game.window import save_screenshot
from tests.test_readable import SIZES, lesson, problems


def main(out: Path) -> int:
    out = out.resolve()
    os.chdir(tempfile.mkdtemp())  # the lesson's saves go to a scratch folder
    for size in SIZES:
        for what, window in lesson(size):
            name = f"{size[0]}x{size[1]}-{what.replace(' ', '-').replace('.', '_')}.png"
            save_screenshot(window.screen, out / name)
            print(name, "ok" if not problems(window) else problems(window)[:2], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "shots")))
