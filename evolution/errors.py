"""The exceptions that end a run: bad input (one line), a signal, and an error after the start (RunFailed)."""

MAX_TEXT = 200  # longer values are cut in messages


def shown(text: str) -> str:
    """A value as a message quotes it: shortened if long."""
    return repr(text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…")


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


class RunFailed(Exception):
    """An error raised after a run started, carried to the program's end once the run's way out has saved what
    it could; error is the original exception, evolution the run whose state the way out saves (or None), kept
    what the way out kept, in words for the user."""

    def __init__(self, error: BaseException, evolution=None, kept: str = "what the run had was saved") -> None:
        super().__init__(str(error))
        self.error = error
        self.evolution = evolution
        self.kept = kept
