"""The one exception a user can cause: bad input, reported as a single line."""


class InputError(Exception):
    """A bad flag, value or file; its message is one line that names the problem."""
