"""``faq export --xlsx`` / ``faq import --xlsx``: the draft as a workbook, one sheet per domain.

Layout of a sheet (what export writes and import expects)::

    A1 code        B1 nong_nghiep          (the domain header, one field per row)
    A2 name        B2 Nông nghiệp
    A3 agency …   A4 description …   A5 audience …
    row 7          id | questions | answer | source | updated | audience | tags | valid_until
    row 8…         one entry per row; questions one per line (Alt+Enter), tags comma-separated

Every cell is text (dates as ``YYYY-MM-DD``), so export → import is lossless. Import applies the
workbook to the draft through the same YAML round trip as every other edit: unchanged entries and
fields are not touched (their comments stay), changed fields are set, new entries are appended,
rows deleted from a sheet are removed from the domain. The result is validated like
``faq validate``; any new problem refuses the whole import and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from editorial.errors import SpreadsheetError, ValidationFailed
from editorial.yamledit import (
    check_and_write,
    dump_yaml,
    entries_of,
    entry_map,
    field_position,
    load_yaml,
    same_value,
    yaml_value,
)
from retrieval.corpus import CorpusError, CorpusFile, corpus_files, load_file

__all__ = ["COLUMNS", "HEAD_FIELDS", "export_xlsx", "import_xlsx"]

HEAD_FIELDS = ("code", "name", "agency", "description", "audience")
COLUMNS = ("id", "questions", "answer", "source", "updated", "audience", "tags", "valid_until")
_HEADER_ROW = 7
_WIDTHS = {"A": 26, "B": 60, "C": 80, "D": 40, "E": 12, "F": 10, "G": 20, "H": 12}


def _set(sheet: Worksheet, row: int, column: int, value: str) -> None:
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    cell.data_type = "s"  # text, even when it starts with "=" (never a formula)
    cell.number_format = "@"
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _row(entry: Any) -> list[str]:
    return [
        entry.id,
        "\n".join(entry.questions),
        entry.answer,
        entry.source,
        entry.updated.isoformat(),
        entry.audience,
        ", ".join(entry.tags),
        entry.valid_until.isoformat() if entry.valid_until else "",
    ]


def export_xlsx(draft_dir: Path, xlsx: Path, *, domains: Iterable[str] = ()) -> int:
    """Write the draft's domains (all, or those named) to ``xlsx``; returns the sheet count."""
    wanted = set(domains)
    files: list[CorpusFile] = []
    problems: list[str] = []
    for path in corpus_files(draft_dir):
        if wanted and path.stem not in wanted:
            continue
        try:
            files.append(load_file(path)[0])
        except CorpusError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationFailed(problems, what="the draft (fix it before exporting)")
    missing = wanted - {f.domain.code for f in files}
    if missing:
        raise SpreadsheetError(f"no domain {', '.join(sorted(missing))} in {draft_dir}")
    book = Workbook()
    book.remove(book.active)
    for cfile in files:
        sheet = book.create_sheet(cfile.domain.code[:31])
        head = cfile.domain
        for r, key in enumerate(HEAD_FIELDS, start=1):
            sheet.cell(row=r, column=1, value=key).font = Font(bold=True)
            _set(sheet, r, 2, str(getattr(head, key)))
        for c, key in enumerate(COLUMNS, start=1):
            sheet.cell(row=_HEADER_ROW, column=c, value=key).font = Font(bold=True)
        for r, entry in enumerate(cfile.entries, start=_HEADER_ROW + 1):
            for c, value in enumerate(_row(entry), start=1):
                _set(sheet, r, c, value)
        for letter, width in _WIDTHS.items():
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = f"B{_HEADER_ROW + 1}"
    xlsx = Path(xlsx)
    xlsx.parent.mkdir(parents=True, exist_ok=True)
    book.save(xlsx)
    return len(files)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").strip()


def _read_sheet(sheet: Worksheet, where: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    head: dict[str, str] = {}
    for r, key in enumerate(HEAD_FIELDS, start=1):
        if _text(sheet.cell(row=r, column=1).value) != key:
            raise SpreadsheetError(
                f"{where}!A{r}: expected {key!r}; keep the layout 'faq export' writes"
            )
        head[key] = _text(sheet.cell(row=r, column=2).value)
    columns = [_text(sheet.cell(row=_HEADER_ROW, column=c).value) for c in range(1, 9)]
    if tuple(columns) != COLUMNS:
        raise SpreadsheetError(
            f"{where}!A{_HEADER_ROW}: the header row must be {', '.join(COLUMNS)}; "
            "keep the layout 'faq export' writes"
        )
    entries = []
    for r in range(_HEADER_ROW + 1, sheet.max_row + 1):
        values = [_text(sheet.cell(row=r, column=c).value) for c in range(1, 9)]
        if not any(values):
            continue
        row = dict(zip(COLUMNS, values, strict=True))
        entries.append(
            {
                "id": row["id"],
                "questions": [q.strip() for q in row["questions"].split("\n") if q.strip()],
                "answer": row["answer"],
                "source": row["source"],
                "updated": row["updated"],
                "audience": row["audience"] or head["audience"] or "citizen",
                "tags": [t.strip() for t in row["tags"].split(",") if t.strip()],
                "valid_until": row["valid_until"] or None,
                "_row": r,
            }
        )
    return head, entries


def import_xlsx(draft_dir: Path, xlsx: Path) -> list[str]:
    """Apply a workbook to the draft (validated first; all or nothing); returns what changed."""
    draft_dir = Path(draft_dir)
    try:
        book = load_workbook(xlsx, data_only=True)
    except (OSError, InvalidFileException, KeyError, ValueError) as exc:
        raise SpreadsheetError(f"{xlsx}: cannot read the workbook ({exc})") from exc
    texts: dict[str, str] = {}
    changes: list[str] = []
    rows: dict[str, str] = {}  # entry id -> "sheet!row", for messages
    for sheet in book.worksheets:
        where = f"{xlsx}:{sheet.title}"
        head, entries = _read_sheet(sheet, where)
        code = head["code"]
        if not code:
            raise SpreadsheetError(f"{where}!B1: the domain code is empty")
        for entry in entries:
            rows[entry["id"]] = f"{sheet.title}!A{entry.pop('_row')}"
        path = draft_dir / f"{code}.yml"
        doc = load_yaml(path) if path.exists() else _new_doc()
        changed = _apply(doc, path, head, entries)
        if changed:
            texts[path.name] = dump_yaml(doc)
            changes.extend(f"{code}: {c}" for c in changed)
    if texts:
        try:
            check_and_write(draft_dir, texts, what=f"the import of {xlsx}")
        except ValidationFailed as exc:
            raise ValidationFailed(
                [_with_row(p, rows) for p in exc.problems], what=f"the import of {xlsx}"
            ) from exc
    return changes


def _with_row(problem: str, rows: dict[str, str]) -> str:
    for entry_id, where in rows.items():
        if f"'{entry_id}'" in problem:
            return f"{problem} (bảng tính: {where})"
    return problem


def _new_doc() -> CommentedMap:
    doc = CommentedMap()
    doc["domain"] = CommentedMap()
    doc["entries"] = CommentedSeq()
    return doc


def _apply(
    doc: CommentedMap, path: Path, head: dict[str, str], rows: list[dict[str, Any]]
) -> list[str]:
    """Make ``doc`` say what the sheet says, touching only what differs; returns the changes."""
    changes: list[str] = []
    domain = doc["domain"]
    for key in HEAD_FIELDS:
        if not same_value(domain.get(key, ""), head[key]):
            domain[key] = yaml_value(key, head[key])
            changes.append(f"domain {key}")
    default_audience = head["audience"] or "citizen"
    entries = entries_of(doc, path)
    by_id = {e.get("id"): e for e in entries if isinstance(e, CommentedMap)}
    wanted_ids = [row["id"] for row in rows]
    for old_id in [i for i in by_id if i not in wanted_ids]:
        entries.remove(by_id.pop(old_id))
        changes.append(f"removed {old_id}")
    for row in rows:
        current = by_id.get(row["id"])
        if current is None:
            fields = {
                k: v for k, v in row.items() if not (k == "audience" and v == default_audience)
            }
            new = entry_map(fields)
            entries.append(new)
            by_id[row["id"]] = new
            changes.append(f"added {row['id']}")
            continue
        changed = _update(current, row, default_audience)
        if changed:
            changes.append(f"{row['id']}: {', '.join(changed)}")
    order = [by_id[i] for i in wanted_ids]
    if list(entries) != order:
        entries[:] = order
        changes.append("order")
    return changes


def _update(entry: CommentedMap, row: dict[str, Any], default_audience: str) -> list[str]:
    changed = []
    for key in COLUMNS[1:]:
        value = row[key]
        current = entry.get(key)
        if key == "audience" and current is None:
            current = default_audience
        empty = value in (None, "", [])
        if current is None and empty:
            continue
        if current is not None and not empty and same_value(current, value):
            continue
        if empty:
            entry.pop(key, None)
        elif key in entry:
            entry[key] = yaml_value(key, value)
        else:
            entry.insert(field_position(entry, key), key, yaml_value(key, value))
        changed.append(key)
    return changed
