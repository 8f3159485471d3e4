"""The window's views, one mode each (evolving, side by side, test drive, editor, replay, saves, then and now,
lessons), with on_show/on_hide, update, draw and their commands. The top layer under the window: it may import
drawing/, panels/ and takeaway/, and names the window only as a type.
"""
