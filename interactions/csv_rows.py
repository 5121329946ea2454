"""CSV streamed a row at a time (the consent export, the interaction records), safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable, Iterator

# A spreadsheet runs a cell that begins with one of these as a formula (OWASP's "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """Customers and agents write names, notes and messages; a leading `'` makes a spreadsheet show, not run, them."""
    return f"'{cell}" if cell.startswith(FORMULA_TRIGGERS) else cell


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """The header, then each row with every cell made spreadsheet-safe, one line at a time."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(spreadsheet_safe(cell) for cell in row)
