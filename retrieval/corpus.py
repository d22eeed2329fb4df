"""Load and validate the FAQ corpus (`data/faq/<domain>.yml`), one file per domain.

Every problem is reported as `path:line: what is wrong; how to fix it`. A broken file is
refused as a whole; the other files keep loading. When a `previous` corpus is given (hot
reload) and the broken file was valid in it, that file's previous entries keep serving.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError

from retrieval.errors import RetrievalError
from vitext import fold

__all__ = [
    "AUDIENCES",
    "Corpus",
    "CorpusError",
    "CorpusFile",
    "Domain",
    "FaqEntry",
    "LoadReport",
    "corpus_files",
    "load_corpus",
    "load_file",
]

logger = logging.getLogger(__name__)

AUDIENCES = ("citizen", "staff", "all")
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CODE_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_MAX_ANSWER_CHARS = 700
_MIN_QUESTIONS = 3
_NEAR_DUP_JACCARD = 0.9
_PARSED_MAX = 256  # valid files remembered by (name, sha256 of the bytes)
_PARSED: dict[tuple[str, str], tuple[CorpusFile, list[str]]] = {}
_PARSED_LOCK = threading.Lock()


class _Constructor(RoundTripConstructor):
    """Keeps dates as text so that a bad date is reported with its line, not raised mid-parse."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)


def _yaml() -> YAML:
    parser = YAML(typ="rt")
    parser.Constructor = _Constructor
    return parser


class CorpusError(RetrievalError):
    """A corpus file is invalid; `problems` lists every `path:line: ...` message."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Domain:
    code: str
    name: str
    agency: str
    description: str
    audience: str


@dataclass(frozen=True)
class FaqEntry:
    id: str
    domain: str
    questions: tuple[str, ...]
    answer: str
    source: str
    updated: date
    audience: str
    location: str  # "path:line" of the entry, for messages
    tags: tuple[str, ...] = ()
    valid_until: date | None = None
    question_lines: tuple[int, ...] = ()

    @property
    def content_hash(self) -> str:
        """Hash of what is embedded (the phrasings); unchanged hash → vectors are reused."""
        return hashlib.sha256(json.dumps(self.questions, ensure_ascii=False).encode()).hexdigest()

    def visible_to(self, role: str) -> bool:
        return self.audience == "all" or self.audience == role or role == "staff"


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    domain: Domain
    entries: tuple[FaqEntry, ...]


@dataclass(frozen=True)
class Corpus:
    files: tuple[CorpusFile, ...] = ()
    by_id: dict[str, FaqEntry] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, files: Iterable[CorpusFile]) -> Corpus:
        files = tuple(sorted(files, key=lambda f: f.path.name))
        return cls(files, {e.id: e for f in files for e in f.entries})

    @property
    def entries(self) -> tuple[FaqEntry, ...]:
        return tuple(e for f in self.files for e in f.entries)

    @property
    def domains(self) -> dict[str, Domain]:
        return {f.domain.code: f.domain for f in self.files}

    def file_for(self, path: Path) -> CorpusFile | None:
        return next((f for f in self.files if f.path.name == path.name), None)


@dataclass(frozen=True)
class LoadReport:
    corpus: Corpus
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    kept_previous: tuple[str, ...] = ()  # file names whose previous entries keep serving


def corpus_files(faq_dir: Path) -> list[Path]:
    """Domain files of a FAQ directory (`_*.yml` files are not domains)."""
    return sorted(p for p in Path(faq_dir).glob("*.yml") if not p.name.startswith("_"))


def _line(node: Any, key: Any) -> int:
    try:
        return (
            int(node.lc.key(key)[0]) + 1 if isinstance(key, str) else int(node.lc.item(key)[0]) + 1
        )
    except (AttributeError, KeyError, IndexError, TypeError):
        return int(getattr(getattr(node, "lc", None), "line", 0)) + 1


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


class _FileChecker:
    """Collects every problem of one file before deciding."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def err(self, line: int, msg: str) -> None:
        self.problems.append(f"{self.path}:{line}: {msg}")

    def text(self, node: Any, key: str, what: str, *, required: bool = True) -> str:
        value = node.get(key) if hasattr(node, "get") else None
        line = _line(node, key) if key in node else int(node.lc.line) + 1
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.err(line, f"{what} has no '{key}'; add a '{key}:' field")
            return ""
        if not isinstance(value, str):
            self.err(line, f"{what} field '{key}' must be text, got {value!r}")
            return ""
        if not unicodedata.is_normalized("NFC", value):
            self.err(line, f"{what} field '{key}' is not NFC-normalised; save the file as NFC")
        return value.strip()

    def audience(self, node: Any, what: str, default: str) -> str:
        value = node.get("audience", default)
        if value not in AUDIENCES:
            self.err(
                _line(node, "audience"),
                f"{what} has audience {value!r}; use one of {', '.join(AUDIENCES)}",
            )
            return default
        return str(value)


def _relocated(found: tuple[CorpusFile, list[str]], path: Path) -> tuple[CorpusFile, list[str]]:
    """A parsed file as if read from ``path`` (same name and text, another folder)."""
    cfile, warnings = found
    if cfile.path == path:
        return cfile, list(warnings)
    old, new = str(cfile.path), str(path)
    entries = tuple(
        replace(e, location=new + e.location[len(old) :]) if e.location.startswith(old) else e
        for e in cfile.entries
    )
    moved = [new + w[len(old) :] if w.startswith(old) else w for w in warnings]
    return CorpusFile(path, cfile.domain, entries), moved


def load_file(path: Path) -> tuple[CorpusFile, list[str]]:
    """Parse and validate one domain file; returns it with its warnings or raises CorpusError.

    Valid files are remembered by name and content (a bounded cache): a published version, or a
    reload after one edit, parses only the files whose text changed (ruamel is slow).
    """
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:  # deleted or renamed between listing and reading
        raise CorpusError([f"{path}:1: cannot read the file ({exc})"]) from exc
    key = (path.name, hashlib.sha256(raw_bytes).hexdigest())
    with _PARSED_LOCK:
        found = _PARSED.get(key)
    if found is not None:
        return _relocated(found, path)
    parsed = _parse_file(path, raw_bytes)
    with _PARSED_LOCK:
        _PARSED[key] = parsed
        while len(_PARSED) > _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
    return parsed[0], list(parsed[1])


def _parse_file(path: Path, raw_bytes: bytes) -> tuple[CorpusFile, list[str]]:
    chk = _FileChecker(path)
    try:
        raw = raw_bytes.decode("utf-8")
        doc = _yaml().load(raw)
    except UnicodeDecodeError as exc:
        raise CorpusError([f"{path}:1: file is not UTF-8 ({exc}); save it as UTF-8"]) from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise CorpusError(
            [f"{path}:{line}: YAML syntax error: {getattr(exc, 'problem', exc)}"]
        ) from exc
    if not hasattr(doc, "get") or "domain" not in doc or "entries" not in doc:
        raise CorpusError([f"{path}:1: expected top-level 'domain:' and 'entries:' keys"])
    head = doc["domain"]
    if not hasattr(head, "get"):
        raise CorpusError([f"{path}:{_line(doc, 'domain')}: 'domain:' must be a mapping"])
    code = chk.text(head, "code", "domain header")
    if code and code != path.stem:
        chk.err(
            _line(head, "code"),
            f"domain code {code!r} differs from the file name "
            f"{path.name!r}; rename the file to {code}.yml or fix the code",
        )
    elif code and not _CODE_RE.match(code):
        chk.err(_line(head, "code"), f"domain code {code!r} must be ASCII snake_case")
    domain = Domain(
        code=code or path.stem,
        name=chk.text(head, "name", "domain header"),
        agency=chk.text(head, "agency", "domain header"),
        description=chk.text(head, "description", "domain header", required=False),
        audience=chk.audience(head, "domain header", "citizen"),
    )
    items = doc["entries"]
    if not isinstance(items, list) or not items:
        raise CorpusError(
            [
                *chk.problems,
                f"{path}:{_line(doc, 'entries')}: 'entries:' must be a non-empty list of entries; "
                "add at least one entry (a new domain's file shows one in its comments)",
            ]
        )
    entries: list[FaqEntry] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        line = _line(items, i)
        if not hasattr(item, "get"):
            chk.err(line, "an entry must be a mapping with id, questions, answer, source, updated")
            continue
        entry = _entry(chk, item, domain, line)
        if entry is None:
            continue
        if entry.id in seen:
            chk.err(
                line,
                f"duplicate id {entry.id!r} (first at line {seen[entry.id]}); "
                "give each entry a unique id",
            )
            continue
        seen[entry.id] = line
        entries.append(entry)
    if chk.problems:
        raise CorpusError(chk.problems)
    return CorpusFile(path, domain, tuple(entries)), chk.warnings


def _entry(chk: _FileChecker, item: Any, domain: Domain, line: int) -> FaqEntry | None:
    before = len(chk.problems)
    eid = chk.text(item, "id", "entry")
    what = f"entry {eid!r}" if eid else "entry"
    if eid and not _ID_RE.match(eid):
        chk.err(_line(item, "id"), f"id {eid!r} must be ASCII kebab-case (a-z, 0-9, '-')")
    questions, qlines = [], []
    qnode = item.get("questions")
    if not isinstance(qnode, list) or not qnode:
        chk.err(
            _line(item, "questions") if "questions" in item else line,
            f"{what} has no 'questions'; add a list of at least {_MIN_QUESTIONS} phrasings",
        )
    else:
        for j, q in enumerate(qnode):
            if not isinstance(q, str) or not q.strip():
                chk.err(_line(qnode, j), f"{what}: question #{j + 1} is empty or not text")
            elif not unicodedata.is_normalized("NFC", q):
                chk.err(_line(qnode, j), f"{what}: question #{j + 1} is not NFC-normalised")
            else:
                questions.append(q.strip())
                qlines.append(_line(qnode, j))
        if 0 < len(questions) < _MIN_QUESTIONS:
            chk.warnings.append(
                f"{chk.path}:{line}: {what} has {len(questions)} phrasing(s); "
                f"{_MIN_QUESTIONS} or more match users better"
            )
    answer = chk.text(item, "answer", what)
    if len(answer) > _MAX_ANSWER_CHARS:
        chk.warnings.append(
            f"{chk.path}:{_line(item, 'answer')}: {what} answer has "
            f"{len(answer)} chars; keep it under ~{_MAX_ANSWER_CHARS}"
        )
    source = chk.text(item, "source", what)
    updated = _as_date(item.get("updated"))
    if updated is None:
        where = _line(item, "updated") if "updated" in item else line
        chk.err(
            where,
            f"{what} has a missing or bad 'updated' {item.get('updated')!r}; "
            "write the date as YYYY-MM-DD",
        )
    valid_until = None
    if item.get("valid_until") is not None:
        valid_until = _as_date(item.get("valid_until"))
        if valid_until is None:
            chk.err(
                _line(item, "valid_until"),
                f"{what} has a bad 'valid_until' "
                f"{item.get('valid_until')!r}; write the date as YYYY-MM-DD",
            )
    audience = chk.audience(item, what, domain.audience)
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str | int) for t in tags):
        chk.err(_line(item, "tags"), f"{what}: 'tags' must be a list of words")
        tags = []
    tags = [str(t) for t in tags]
    if len(chk.problems) > before or updated is None:
        return None
    return FaqEntry(
        id=eid,
        domain=domain.code,
        questions=tuple(questions),
        answer=answer,
        source=source,
        updated=updated,
        audience=audience,
        location=f"{chk.path}:{line}",
        tags=tuple(tags),
        valid_until=valid_until,
        question_lines=tuple(qlines),
    )


def _dup_key(text: str) -> tuple[str, frozenset[str]]:
    words = re.findall(r"\w+", fold(text))
    return " ".join(words), frozenset(words)


def _near_duplicates(files: list[CorpusFile]) -> list[str]:
    """Warn when two different entries carry (almost) the same phrasing."""
    keyed = [
        (_dup_key(q), e, e.question_lines[j] if j < len(e.question_lines) else 0, f.path)
        for f in files
        for e in f.entries
        for j, q in enumerate(e.questions)
    ]
    by_exact: dict[str, list[int]] = {}
    for n, ((exact, _), *_rest) in enumerate(keyed):
        by_exact.setdefault(exact, []).append(n)
    warnings, reported = [], set()
    by_word: dict[str, set[int]] = {}
    for n, ((_, words), *_rest) in enumerate(keyed):
        for w in words:
            by_word.setdefault(w, set()).add(n)
    for n, ((exact, words), entry, qline, path) in enumerate(keyed):
        if len(words) < 4:
            candidates = set(by_exact[exact])
        else:
            rare = min(words, key=lambda w: len(by_word[w]))
            candidates = by_word[rare]
        for m in candidates:
            (other_exact, other_words), other, oline, opath = keyed[m]
            if m <= n or other.id == entry.id:
                continue
            union = len(words | other_words) or 1
            if exact == other_exact or (
                len(words) >= 4 and len(words & other_words) / union >= _NEAR_DUP_JACCARD
            ):
                pair = (entry.id, other.id)
                if pair in reported:
                    continue
                reported.add(pair)
                warnings.append(
                    f"{path}:{qline}: question of {entry.id!r} nearly duplicates "
                    f"{opath}:{oline} of {other.id!r}; users will get suggestions "
                    "instead of an answer — reword or merge the entries"
                )
    return warnings


def load_corpus(faq_dir: Path, *, previous: Corpus | None = None) -> LoadReport:
    """Load every domain file; broken files are refused (kept from `previous` if it had them)."""
    accepted: list[CorpusFile] = []
    errors: list[str] = []
    warnings: list[str] = []
    kept: list[str] = []
    owners: dict[str, str] = {}
    for path in corpus_files(faq_dir):
        try:
            cfile, file_warnings = load_file(path)
            clashes = [
                f"{path}:{e.location.rsplit(':', 1)[1]}: id {e.id!r} is already used at "
                f"{owners[e.id]}; ids must be unique across all files"
                for e in cfile.entries
                if e.id in owners
            ]
            if clashes:
                raise CorpusError(clashes)
        except CorpusError as exc:
            errors.extend(exc.problems)
            old = previous.file_for(path) if previous is not None else None
            if old is not None and not any(e.id in owners for e in old.entries):
                accepted.append(old)
                kept.append(path.name)
                owners.update({e.id: e.location for e in old.entries})
            continue
        warnings.extend(file_warnings)
        accepted.append(cfile)
        owners.update({e.id: e.location for e in cfile.entries})
    warnings.extend(_near_duplicates(accepted))
    for msg in errors:
        logger.error("FAQ corpus: %s", msg)
    return LoadReport(Corpus.of(accepted), tuple(errors), tuple(warnings), tuple(kept))
