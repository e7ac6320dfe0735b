"""The benchmark's result table: each test adds its rows; the whole table is printed at the end of the run."""
from __future__ import annotations

from dataclasses import dataclass

from tests.bench.meter import Window

HEADER = ("operation", "requests (read/write)", "RRU", "WRU", "budget", "ok")


@dataclass
class Row:
    operation: str
    requests: str
    rru: str
    wru: str
    budget: str
    ok: str

    def cells(self) -> tuple[str, ...]:
        return (self.operation, self.requests, self.rru, self.wru, self.budget, self.ok)


ROWS: list[Row] = []
NOTES: list[str] = []


def add(operation: str, window: Window, *, budget: str = "-", ok: bool | None = None) -> Row:
    """Add (and print) the row of one measured operation."""
    row = Row(operation, f"{window.requests} ({window.reads}/{window.writes})", f"{window.rru:g}", str(window.wru), budget,
              "-" if ok is None else ("yes" if ok else "NO"))
    ROWS.append(row)
    print("\n" + format_rows([row], header=False))
    return row


def note(text: str) -> None:
    """Add (and print) a line printed under the table."""
    NOTES.append(text)
    print("\n" + text)


def format_rows(rows: list[Row], *, header: bool = True) -> str:
    cells = [HEADER, *(r.cells() for r in rows)] if header else [r.cells() for r in rows]
    widths = [max(len(c[i]) for c in [HEADER, *cells]) for i in range(len(HEADER))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    if header:
        lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def table() -> str:
    return format_rows(ROWS) + ("\n\n" + "\n".join(NOTES) if NOTES else "")
