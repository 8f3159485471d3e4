"""The window's fonts (DejaVu, with their licence) and icon: data files, a package so that an installed
neuroracer finds them beside its code."""
