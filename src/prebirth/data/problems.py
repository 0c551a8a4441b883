"""Problems found in a user's data, reported all at once and in words people can act on."""

from __future__ import annotations

from dataclasses import dataclass, asdict


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error) or worth checking (warning) in the input data.

    ``row`` is the 1-based row in the file counting the header as row 1 (so the first
    data row is 2), or an XML element path; blank when the problem is about a whole file.
    """

    level: str  # "error" | "warning"
    file: str
    row: str | int | None
    column: str | None
    value: str | None
    message: str
    fix: str = ""

    def describe(self) -> str:
        where = self.file or "(input)"
        if self.row not in (None, ""):
            where += f", row {self.row}" if not str(self.row).startswith(("Message", "/")) and "/" not in str(self.row) else f", element {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value not in (None, ""):
            text += f" (found {self.value!r})"
        if self.fix:
            text += f". To fix: {self.fix}"
        return text

    def as_dict(self) -> dict:
        return asdict(self)


class DataError(Exception):
    """Raised when the input data cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.level == "error"]
        super().__init__(
            f"{len(errors)} problem(s) in the input data:\n" + "\n".join(p.describe() for p in errors)
        )

    def __reduce__(self):
        # Pickled (to cross from a worker process to the build), it is made again from its
        # problems; the default would pass the message where the problems belong.
        return type(self), (self.problems,)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]


def error(file, row, column, value, message, fix="") -> Problem:
    return Problem("error", file, row, column, None if value is None else str(value), message, fix)


def warning(file, row, column, value, message, fix="") -> Problem:
    return Problem("warning", file, row, column, None if value is None else str(value), message, fix)
