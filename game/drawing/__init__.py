"""What panels and views draw with: the track and its dots, the camera, scenes, the panels' frame, colours, text,
the UI scale, the layout and the fonts. The lowest layer of game/: it imports none of the other sub-packages.
"""
