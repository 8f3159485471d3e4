"""The race and what it races: the network, tracks, the race (numpy and compiled), endless mode, ghosts."""
