"""What panels and views draw with: the track and its dots, the camera, scenes, colours, text, the UI scale, the
layout and the fonts.
"""
