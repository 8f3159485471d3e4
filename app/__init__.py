"""The app layer: the command line turned into typed options, and runs assembled, run headless and shut down.

It sits between evolution/ (the numerical core) and game/ (the window), and imports neither game/ nor main.py:
the window's modes are handed to it by main.py (app.command.main's `window`).
"""
