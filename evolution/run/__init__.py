"""A run, its past and what it records of itself: the Evolution loop, its state and settings, its changes, history,
archive, champions' drives, the record of its start, its genome files, reporters and words. Imports breeding/ and
racing/, never files/ or many/.
"""
