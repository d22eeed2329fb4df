"""Edits of the FAQ draft that keep the editors' comments and layout (ruamel round trip).

Every edit is checked before it is written: the edited file is validated together with the rest
of the draft, and an edit that would add a problem is refused with :class:`ValidationFailed`
(``path:line: what; fix``) and leaves the file as it was. Files are replaced atomically.

Functions take the draft folder (``Workspace.draft_dir``) and return what they changed:
:func:`domain_new`, :func:`add_entry`, :func:`add_phrasings`, :func:`update_entry`,
:func:`remove_entry`, :func:`update_domain`, :func:`find_entry`.
"""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from editorial.errors import DomainExists, EditorialError, EntryNotFound, ValidationFailed
from editorial.workspace import validate_dir, write_atomic
from retrieval.corpus import AUDIENCES, corpus_files

__all__ = [
    "ENTRY_FIELDS",
    "add_entry",
    "add_phrasings",
    "check_and_write",
    "domain_new",
    "dump_yaml",
    "entries_of",
    "entry_map",
    "field_position",
    "find_entry",
    "load_yaml",
    "remove_entry",
    "same_value",
    "update_domain",
    "update_entry",
    "yaml_value",
]

CODE_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# the order fields are written in (the order of the shipped files)
ENTRY_FIELDS = ("id", "audience", "questions", "answer", "source", "updated", "valid_until", "tags")
DOMAIN_FIELDS = ("code", "name", "agency", "description", "audience")

_TEMPLATE = """\
# FAQ — {name}{agency_line}
# Tệp này là BẢN NHÁP: lưu tệp không thay đổi gì với người dân. Kiểm tra bằng
# `bin/assistant faq validate`, thử bằng `bin/assistant faq preview "câu hỏi"`, rồi công bố bằng
# `bin/assistant faq publish --message "…"`. Hướng dẫn: docs/editors-guide.md.
domain:
  code: {code}
  name: {name}
  agency: {agency}
  description: {description}
  audience: {audience}
# Mỗi mục: id (chữ thường không dấu, nối bằng '-'), ít nhất 3 cách hỏi (có dấu, không dấu, viết
# tắt), câu trả lời ngắn (dưới ~700 ký tự), nguồn, ngày cập nhật YYYY-MM-DD. Ví dụ:
#
#  - id: {prefix}-vi-du
#    questions:
#      - Câu hỏi đầy đủ, có dấu?
#      - cách hỏi thường ngày, có viết tắt ko
#      - cau hoi khong dau
#    answer: |-
#      Câu trả lời ngắn gọn, đúng, có địa chỉ hoặc số điện thoại nơi làm thủ tục.
#    source: "Tên văn bản hoặc cơ quan — https://…"
#    updated: {today}
#    audience: citizen   # citizen | staff | all (mặc định: như lĩnh vực)
#
# Lĩnh vực chỉ được công bố khi có ít nhất một mục.
entries: []
"""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long answers or descriptions
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load_yaml(path: Path) -> Any:
    """Round-trip load of a draft file (comments kept); a syntax error names ``path:line``."""
    try:
        return _yaml().load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise EditorialError(f"{path}:1: cannot read the file ({exc})") from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ValidationFailed(
            [f"{path}:{line}: YAML syntax error: {getattr(exc, 'problem', exc)}; fix it first"],
            what=str(path),
        ) from exc


_ENTRY_START = re.compile(r"(?m)^(?P<prev>[^\n]*\S[^\n]*)\n(?P<item>  - id: )")


def dump_yaml(doc: Any) -> str:
    """The document as text; entries are separated by a blank line like the shipped files."""
    out = io.StringIO()
    _yaml().dump(doc, out)
    text = out.getvalue()

    def _blank_before(match: re.Match[str]) -> str:
        if match.group("prev").rstrip() == "entries:":
            return match.group(0)
        return f"{match.group('prev')}\n\n{match.group('item')}"

    return _ENTRY_START.sub(_blank_before, text)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def entry_map(fields: Mapping[str, Any]) -> CommentedMap:
    """A new entry with its fields in the usual order and answers as ``|-`` blocks."""
    entry = CommentedMap()
    for key in ENTRY_FIELDS:
        if key in fields and fields[key] not in (None, "", [], ()):
            entry[key] = yaml_value(key, fields[key])
    unknown = set(fields) - set(ENTRY_FIELDS)
    if unknown:
        raise EditorialError(
            f"unknown entry field(s) {', '.join(sorted(unknown))}; use {', '.join(ENTRY_FIELDS)}"
        )
    return entry


def yaml_value(key: str, value: Any) -> Any:
    if key == "questions":
        seq = CommentedSeq(_nfc(str(q)) for q in value)
        return seq
    if key == "tags":
        seq = CommentedSeq(str(t) for t in value)
        seq.fa.set_flow_style()
        return seq
    if key == "answer":
        return LiteralScalarString(_nfc(str(value)))
    if key in ("updated", "valid_until"):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            return str(value)  # kept as written: validation names the line and the fix
    return _nfc(str(value)) if isinstance(value, str) else value


def _edit(draft_dir: Path, path: Path, mutate: Callable[[Any], Any], *, what: str) -> Path:
    """Load ``path``, apply ``mutate``, refuse new problems, write atomically."""
    doc = load_yaml(path) if path.exists() else None
    result = mutate(doc)
    text = result if isinstance(result, str) else dump_yaml(doc)
    check_and_write(draft_dir, {path.name: text}, what=what)
    return path


def check_and_write(draft_dir: Path, texts: Mapping[str, str], *, what: str) -> None:
    """Write new texts of draft files (name -> text) unless they add a validation problem."""
    before = set(validate_dir(draft_dir).errors) if corpus_files(draft_dir) else set()
    with tempfile.TemporaryDirectory(prefix="faq-edit-") as tmp:
        for other in corpus_files(draft_dir):
            if other.name not in texts:
                (Path(tmp) / other.name).write_text(
                    other.read_text(encoding="utf-8"), encoding="utf-8"
                )
        for name, text in texts.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        after = [e.replace(tmp, str(draft_dir)) for e in validate_dir(Path(tmp)).errors]
    new = [e for e in after if e not in before]
    if new:
        raise ValidationFailed(new, what=what)
    for name, text in texts.items():
        write_atomic(Path(draft_dir) / name, text)


def domain_new(
    draft_dir: Path,
    code: str,
    *,
    name: str,
    agency: str = "",
    description: str = "",
    audience: str = "citizen",
) -> Path:
    """Scaffold ``<draft>/<code>.yml`` with a commented template (no entries yet)."""
    if not CODE_RE.match(code):
        raise EditorialError(
            f"domain code {code!r} must be ASCII snake_case of the Vietnamese name, "
            "e.g. nong_nghiep"
        )
    if audience not in AUDIENCES:
        raise EditorialError(f"audience {audience!r}: use one of {', '.join(AUDIENCES)}")
    if not _nfc(name):
        raise EditorialError('the domain needs a name (--name "Nông nghiệp")')
    draft_dir = Path(draft_dir)
    path = draft_dir / f"{code}.yml"
    if path.exists():
        raise DomainExists(f"{path} already exists; edit it, or choose another code")
    draft_dir.mkdir(parents=True, exist_ok=True)
    agency = _nfc(agency) or f"Cơ quan phụ trách {_nfc(name).lower()}"
    text = _TEMPLATE.format(
        code=code,
        name=_nfc(name),
        agency=_quote(agency),
        agency_line=f" ({agency})",
        description=_quote(_nfc(description) or _nfc(name)),
        audience=audience,
        prefix=code.replace("_", "-"),
        today=date.today().isoformat(),
    )
    path.write_text(text, encoding="utf-8")  # new file: nothing to keep, nothing serves it
    return path


def _quote(text: str) -> str:
    """A plain YAML scalar when safe, else a double-quoted one."""
    out = io.StringIO()
    _yaml().dump({"v": text}, out)
    return out.getvalue().split(":", 1)[1].strip()


def entries_of(doc: Any, path: Path) -> CommentedSeq:
    if not isinstance(doc, CommentedMap) or not isinstance(doc.get("entries"), list):
        raise EditorialError(f"{path}:1: expected top-level 'domain:' and 'entries:' keys")
    entries = doc["entries"]
    if not isinstance(entries, CommentedSeq):  # `entries: []` of a new domain is a plain list
        entries = doc["entries"] = CommentedSeq(entries)
    return entries


def find_entry(draft_dir: Path, faq_id: str) -> Path:
    """The draft file that holds the entry ``faq_id``."""
    for path in corpus_files(draft_dir):
        doc = load_yaml(path)
        entries = doc.get("entries") if isinstance(doc, CommentedMap) else None
        if isinstance(entries, list) and any(
            isinstance(e, Mapping) and e.get("id") == faq_id for e in entries
        ):
            return path
    raise EntryNotFound(f"no entry with id {faq_id!r} in {draft_dir}; check the id")


def _entry_in(doc: Any, path: Path, faq_id: str) -> CommentedMap:
    for entry in entries_of(doc, path):
        if isinstance(entry, CommentedMap) and entry.get("id") == faq_id:
            return entry
    raise EntryNotFound(f"no entry with id {faq_id!r} in {path}")


def add_entry(draft_dir: Path, domain: str, fields: Mapping[str, Any]) -> Path:
    """Append an entry (``id``, ``questions``, ``answer``, ``source``, ``updated``…) to a domain."""
    draft_dir = Path(draft_dir)
    path = draft_dir / f"{domain}.yml"
    if not path.exists():
        raise EditorialError(f"{path}: no such domain; create it with 'domain new {domain}'")
    values = dict(fields)
    values.setdefault("updated", date.today())

    def mutate(doc: Any) -> None:
        entries_of(doc, path).append(entry_map(values))

    return _edit(draft_dir, path, mutate, what=f"the new entry {values.get('id')!r}")


def add_phrasings(draft_dir: Path, faq_id: str, phrasings: Iterable[str]) -> list[str]:
    """Add new ways of asking to an entry (already present ones are skipped); returns the added."""
    draft_dir = Path(draft_dir)
    path = find_entry(draft_dir, faq_id)
    added: list[str] = []

    def mutate(doc: Any) -> None:
        entry = _entry_in(doc, path, faq_id)
        questions = entry.get("questions")
        if not isinstance(questions, CommentedSeq):
            questions = entry["questions"] = CommentedSeq(questions or [])
        seen = {_nfc(str(q)).casefold() for q in questions}
        for text in phrasings:
            clean = _nfc(text)
            if clean and clean.casefold() not in seen:
                questions.append(clean)
                seen.add(clean.casefold())
                added.append(clean)

    _edit(draft_dir, path, mutate, what=f"the phrasings of {faq_id!r}")
    return added


def update_entry(draft_dir: Path, faq_id: str, fields: Mapping[str, Any]) -> Path:
    """Set fields of an entry (``None`` removes an optional field); comments stay."""
    draft_dir = Path(draft_dir)
    path = find_entry(draft_dir, faq_id)
    unknown = set(fields) - set(ENTRY_FIELDS)
    if unknown:
        raise EditorialError(
            f"unknown entry field(s) {', '.join(sorted(unknown))}; use {', '.join(ENTRY_FIELDS)}"
        )

    def mutate(doc: Any) -> None:
        entry = _entry_in(doc, path, faq_id)
        for key, value in fields.items():
            if value is None:
                entry.pop(key, None)
            elif key in entry and same_value(entry[key], value):
                continue  # unchanged: keep its quoting and comments
            elif key in entry:
                entry[key] = yaml_value(key, value)
            else:
                entry.insert(field_position(entry, key), key, yaml_value(key, value))

    return _edit(draft_dir, path, mutate, what=f"the entry {faq_id!r}")


def same_value(current: Any, value: Any) -> bool:
    if isinstance(current, list):
        return [str(x) for x in current] == [str(x) for x in value]
    if isinstance(current, date) or isinstance(value, date):
        return str(current) == str(value)
    return str(current) == (_nfc(value) if isinstance(value, str) else str(value))


def field_position(entry: CommentedMap, key: str) -> int:
    order = ENTRY_FIELDS.index(key)
    keys = list(entry)
    for i, existing in enumerate(keys):
        if existing in ENTRY_FIELDS and ENTRY_FIELDS.index(existing) > order:
            return i
    return len(keys)


def remove_entry(draft_dir: Path, faq_id: str) -> Path:
    """Delete an entry from its domain file (a domain keeps at least one entry)."""
    draft_dir = Path(draft_dir)
    path = find_entry(draft_dir, faq_id)

    def mutate(doc: Any) -> None:
        entries = entries_of(doc, path)
        entries.pop(next(i for i, e in enumerate(entries) if e.get("id") == faq_id))

    return _edit(draft_dir, path, mutate, what=f"removing {faq_id!r}")


def update_domain(draft_dir: Path, code: str, fields: Mapping[str, Any]) -> Path:
    """Change the domain header (name, agency, description, audience)."""
    draft_dir = Path(draft_dir)
    path = draft_dir / f"{code}.yml"
    if not path.exists():
        raise EditorialError(f"{path}: no such domain")
    bad = set(fields) - set(DOMAIN_FIELDS[1:])
    if bad:
        raise EditorialError(
            f"domain field(s) {', '.join(sorted(bad))} cannot be set; use name, agency, "
            "description, audience (the code is the file name)"
        )

    def mutate(doc: Any) -> None:
        head = doc.get("domain") if isinstance(doc, CommentedMap) else None
        if not isinstance(head, CommentedMap):
            raise EditorialError(f"{path}:1: expected a 'domain:' mapping")
        for key, value in fields.items():
            if not same_value(head.get(key, ""), value):
                head[key] = _nfc(str(value))

    return _edit(draft_dir, path, mutate, what=f"the domain {code!r}")
