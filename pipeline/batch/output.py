"""The output file, written atomically: CSV grows chunk by chunk beside the partial file, other formats are
converted from the partial file at the end.

CSV (the common case) is built where the rows are computed — a worker process formats its own
chunk's CSV text — and the parent only appends those bytes to ``OUT.partial.body`` (header first),
which is renamed onto the output when every row is done: no second pass over the partial file at the
end. The body is never trusted across runs: ``--resume`` rebuilds it from the partial file (whose
complete lines are the finished rows) before continuing. XLSX, JSONL and Parquet are written from
the partial file in a temporary file that then replaces the output in one rename.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterable

from pipeline.artifacts import umask_mode
from pipeline.batch.partial import read_partial
from pipeline.batch.spec import KEPT, Layout, OutputSpec
from pipeline.writers import CsvCells, OutputFormat, csv_header, write_rows

_PLAIN = frozenset({str, bool, int, float, type(None)})  # what a value is after a JSON round trip


def _as_stored(value):
    """``value`` as the partial file gives it back (a numpy float as a float, a tuple as a list, …)."""
    return value if type(value) in _PLAIN else json.loads(json.dumps(value, ensure_ascii=False))


def chunk_csv(records: list[dict], layout: Layout, fmt: OutputFormat) -> bytes:
    """A chunk's output records as CSV rows (UTF-8): the same bytes a CSV written from the partial file has."""
    cells = _CELLS.get(fmt.excel) or _CELLS.setdefault(fmt.excel, CsvCells(fmt.excel, prepare=_as_stored))
    return cells.text(records, layout.keys, fmt.delimiter).encode("utf-8")


_CELLS: dict[bool, CsvCells] = {}  # per ``excel``: values of other types are first made what the partial file holds


class CsvBody:
    """``OUT.partial.body``: the CSV output while it grows; :meth:`commit` makes it the output."""

    def __init__(self, path: Path, layout: Layout, fmt: OutputFormat):
        self.path, self.layout, self.fmt = path, layout, fmt
        self._fh: BinaryIO | None = None

    def start(self, partial: Path, done: int) -> int:
        """Header, then the ``done`` rows of the partial file (resuming); return how many are errors."""
        self._fh = open(self.path, "wb")
        self._fh.write(csv_header(self.layout.names, self.fmt))
        errors = 0
        if done:
            batch: list[dict] = []
            for r in read_partial(partial):
                errors += bool(r.get("error"))
                batch.append(r)
                if len(batch) >= 2048:
                    self.append(chunk_csv(batch, self.layout, self.fmt))
                    batch.clear()
            self.append(chunk_csv(batch, self.layout, self.fmt))
        return errors

    def append(self, text: bytes) -> None:
        self._fh.write(text)

    def commit(self, out_path: Path) -> None:
        fh, self._fh = self._fh, None
        with fh:
            fh.flush()
            os.fsync(fh.fileno())
        self.path.chmod(umask_mode(0o666))  # a shared drive's users must be able to read the output
        os.replace(self.path, out_path)

    def close(self) -> None:
        """Leave an unfinished body (it is rebuilt on ``--resume``)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def finalize(partial: Path, out_path: Path, out_format: OutputFormat, kept: dict[str, str],
             spec: OutputSpec) -> int:
    """Write the target file from the partial one, atomically; return the number of error rows."""
    rows = ({**r, **{out: r.get(KEPT + src) for src, out in kept.items()}} for r in read_partial(partial))
    return write_output(rows, out_path, out_format, spec, kept)


def write_output(rows: Iterable[dict], out_path: Path, out_format: OutputFormat | str, spec: OutputSpec,
                 kept: dict[str, str] | None = None) -> int:
    """Write output ``rows`` to ``out_path`` atomically (temporary file, then one rename); count error rows.

    ``kept``: input columns carried beside the results (source name → output name), after ``id``.
    """
    if isinstance(out_format, str):
        out_format = OutputFormat(out_format, "\t" if out_path.suffix.lower() == ".tsv" else ",")
    layout = Layout.of(spec, kept)
    fd, tmp_name = tempfile.mkstemp(prefix="." + out_path.name + ".", suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        errors = write_rows(rows, tmp, out_format, layout.names, layout.types)
        tmp.chmod(umask_mode(0o666))  # a shared drive's users must be able to read the output
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return errors
