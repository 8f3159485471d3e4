"""A run and its past: the Evolution loop, its state and settings, its changes, history, archive, champions' drives,
reporters and words.
"""
