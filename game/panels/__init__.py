"""The panels a view lays out: chart, stats and help, network, timeline, test-drive bars, settings, caption and
pointer; each draws in the rectangle it is given. Imports drawing/ only (and game's keys).
"""
