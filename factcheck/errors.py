"""Errors a user can act on: the CLI prints them as one line, never a traceback."""


class FactcheckError(Exception):
    """Something the user can fix; the message names the input, the problem and the way out."""


class IngestError(FactcheckError):
    """One article file cannot be read; the run goes on with the others."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}; skipped")
        self.path, self.problem = path, problem
