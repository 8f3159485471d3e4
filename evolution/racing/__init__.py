"""The race and what it races: the network, tracks, the race (numpy and compiled), endless mode's levels. Imports
breeding/ only (and evolution/'s shared modules).
"""
