"""The one exception a user can cause: bad input, reported as a single line."""


class InputError(Exception):
    """A bad flag, value or file; its message is one line that names the problem."""


class Interrupted(BaseException):
    """A signal that ends the run (SIGINT, SIGTERM); it unwinds to the one way out, which saves first."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def status(self) -> int:
        """The exit status the shell expects after this signal: 128 + its number (130, 143)."""
        return 128 + self.signum
