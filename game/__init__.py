"""The live window: draws the state of evolution/ and turns keys into commands (pygame lives only here)."""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
