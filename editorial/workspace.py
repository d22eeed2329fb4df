"""The editors' workspace: the draft they change, the published versions the bot serves.

- **Draft**: ``ASSISTANT_FAQ_DIR`` (``data/faq/<domain>.yml``). Saving it changes nothing the
  citizens see (unless the action servers run in development mode, ``ASSISTANT_FAQ_SERVE=draft``).
- **Published versions**: immutable snapshots in the SQL database (:mod:`editorial.store`),
  numbered 1, 2, 3… with author, message and time; one of them is *live*.
- **Live folders**: ``ASSISTANT_FAQ_LIVE_DIR/v<N>-<digest>/`` — a version unpacked for the
  action server, written to a temporary folder and renamed, so a reader never sees half of it.

:meth:`Workspace.publish` validates the whole draft (refusing any error), records the version and
moves the live pointer in one transaction; :meth:`Workspace.rollback` moves the pointer back. The
running action servers follow the pointer (:mod:`editorial.live`) and swap their index atomically;
:meth:`Workspace.wait_for_servers` tells how long that took.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from editorial.errors import EditorialError, NothingToPublish, ValidationFailed, VersionNotFound
from editorial.store import ServerReport, Version, VersionStore, files_digest, sha256_text
from retrieval.corpus import Corpus, CorpusFile, corpus_files, load_corpus

if TYPE_CHECKING:
    from settings.services import Settings

__all__ = ["DomainInfo", "SwapResult", "Validation", "Workspace", "validate_dir", "write_atomic"]

_COMPLETE = ".complete"  # marker written last into a live folder
_KEEP_LIVE_DIRS = 4
_LIVE_FOLDER = re.compile(r"^v(\d+)-[0-9a-f]{12}$")
SERVER_FRESH_S = 30.0  # an action server reports at least this often while it runs


@dataclass(frozen=True)
class Validation:
    """What :func:`validate_dir` found: errors refuse a publish, warnings do not."""

    corpus: Corpus
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "domains": len(self.corpus.files),
            "entries": len(self.corpus.entries),
            "errors": list(self.errors),
            "warnings": list(self.warnings),
        }


def validate_dir(faq_dir: Path) -> Validation:
    """Validate every domain file of a folder (no model is loaded: a second or less)."""
    faq_dir = Path(faq_dir)
    if not faq_dir.is_dir():
        return Validation(Corpus(), (f"{faq_dir}:1: the FAQ folder does not exist",), ())
    files = corpus_files(faq_dir)
    if not files:
        return Validation(
            Corpus(),
            (f"{faq_dir}:1: no domain file (<code>.yml); create one with 'domain new'",),
            (),
        )
    report = load_corpus(faq_dir)
    return Validation(report.corpus, report.errors, report.warnings)


@dataclass(frozen=True)
class DomainInfo:
    code: str
    name: str
    agency: str
    entries: int | None  # in the draft (None: the draft file is invalid or gone)
    live_entries: int | None  # in the live version (None: not published)
    last_published: Version | None  # the last version that changed this domain's file
    draft_changed: bool  # the draft file differs from the live one (unpublished changes)
    error: str | None = None  # first validation problem of the draft file

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "agency": self.agency,
            "entries": self.entries,
            "live_entries": self.live_entries,
            "last_published": self.last_published.as_json() if self.last_published else None,
            "draft_changed": self.draft_changed,
            "error": self.error,
        }


@dataclass(frozen=True)
class SwapResult:
    """How the running action servers took a new live version."""

    version: int
    elapsed_s: float
    servers: tuple[ServerReport, ...]  # their last reports
    timed_out: bool

    @property
    def swapped(self) -> tuple[ServerReport, ...]:
        return tuple(s for s in self.servers if s.version == self.version)

    @property
    def failed(self) -> tuple[ServerReport, ...]:
        return tuple(
            s
            for s in self.servers
            if s.version != self.version and s.wanted == self.version and s.status == "failed"
        )


class Workspace:
    """Draft folder + version store + live folders of one deployment."""

    def __init__(self, draft_dir: Path, live_dir: Path, db_url: str) -> None:
        self.draft_dir = Path(draft_dir)
        self.live_dir = Path(live_dir)
        self.store = VersionStore(db_url)

    @classmethod
    def from_settings(cls, settings: Settings) -> Workspace:
        return cls(settings.paths.faq_dir, settings.paths.faq_live_dir, settings.stores.db_url)

    # -- draft ---------------------------------------------------------------------------------

    def validate(self) -> Validation:
        """Validate the draft (errors as ``path:line: what; fix``)."""
        return validate_dir(self.draft_dir)

    def draft_files(self) -> dict[str, str]:
        """File name -> text of every domain file of the draft."""
        return {p.name: p.read_text(encoding="utf-8") for p in corpus_files(self.draft_dir)}

    # -- versions ------------------------------------------------------------------------------

    def publish(self, author: str, message: str = "", *, only_first: bool = False) -> Version:
        """Validate the draft and make it the live version (refused with every problem)."""
        files = self.draft_files()  # read once: what is validated is what is published
        live = self.store.live_number()
        if (
            not only_first
            and live is not None
            and files_digest(files) == self.store.version(live).digest
        ):
            raise NothingToPublish(
                f"the draft is the same as the live version {live}: nothing to publish"
            )
        with tempfile.TemporaryDirectory(prefix="faq-publish-") as tmp:
            for name, text in files.items():
                (Path(tmp) / name).write_text(text, encoding="utf-8")
            checked = validate_dir(Path(tmp))
        if not checked.ok:
            problems = [e.replace(str(tmp), str(self.draft_dir)) for e in checked.errors]
            raise ValidationFailed(problems, what="the FAQ draft")
        return self.store.create(
            files,
            author=author,
            message=message.strip() or "(không có ghi chú)",
            domains=len(checked.corpus.files),
            entries=len(checked.corpus.entries),
            only_first=only_first,
        )

    def changes(self) -> list[str]:
        """What publishing the draft would change, entry by entry (valid files only)."""
        live_number = self.store.live_number()
        live = _corpus_of(self.store.files(live_number)) if live_number is not None else {}
        draft = {f.path.name: f for f in self.validate().corpus.files}
        out: list[str] = []
        for name in sorted(set(draft) | set(live)):
            code = name.removesuffix(".yml")
            new, old = draft.get(name), live.get(name)
            if new is None:
                broken = (self.draft_dir / name).exists()
                out.append(f"{code}: tệp nháp đang lỗi" if broken else f"{code}: bỏ lĩnh vực")
                continue
            if old is None:
                out.append(f"{code}: lĩnh vực mới ({len(new.entries)} mục)")
                continue
            if new.domain != old.domain:
                out.append(f"{code}: sửa phần đầu (tên, cơ quan, mô tả, đối tượng)")
            before, after = _entries_of(old), _entries_of(new)
            out += [f"{code}: thêm {i}" for i in after if i not in before]
            out += [f"{code}: bỏ {i}" for i in before if i not in after]
            out += [f"{code}: sửa {i}" for i in after if i in before and after[i] != before[i]]
        return out

    def rollback(self, number: int | None = None, *, author: str, message: str = "") -> Version:
        """Serve an earlier version again (default: the one before the live one)."""
        live = self.store.live_number()
        if live is None:
            raise VersionNotFound("nothing was published yet: there is no version to go back to")
        if number is None:
            older = [v.number for v in self.store.versions() if v.number < live]
            if not older:
                raise VersionNotFound(f"version {live} is the first one: nothing to go back to")
            number = older[0]
        detail = message.strip() or f"từ phiên bản {live} về phiên bản {number}"
        return self.store.set_live(number, author=author, action="rollback", detail=detail)

    def ensure_live(self, *, author: str = "system") -> Version:
        """The live version; on the very first start the draft is published as version 1."""
        number = self.store.live_number()
        if number is not None:
            return self.store.version(number)
        return self.publish(
            author, "Phiên bản đầu tiên (bản nháp lúc khởi động lần đầu)", only_first=True
        )

    def versions(self) -> list[Version]:
        return self.store.versions()

    def live(self) -> Version | None:
        number = self.store.live_number()
        return self.store.version(number) if number is not None else None

    def restore_draft(self, number: int, *, author: str) -> list[str]:
        """Overwrite the draft with a published version (files not in it are removed)."""
        files = self.store.files(number)
        changed = []
        for path in corpus_files(self.draft_dir):
            if path.name not in files:
                path.unlink()
                changed.append(path.name)
        for name, text in files.items():
            path = self.draft_dir / name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                write_atomic(path, text)
                changed.append(name)
        self.store.audit(author, "restore_draft", str(number), ", ".join(sorted(changed)))
        return sorted(changed)

    # -- live folders --------------------------------------------------------------------------

    def materialize(self, number: int) -> Path:
        """``<live dir>/v<N>-<digest>/`` with the version's files (written once, never changed).

        The digest in the name keeps a folder of another database's version N (a reset
        database, a copied var dir) from ever being served for this one.
        """
        version = self.store.version(number)
        final = self.live_dir / f"v{number}-{version.digest[:12]}"
        if (final / _COMPLETE).exists():
            return final
        files = self.store.files(number)
        self.live_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-v{number}-", dir=self.live_dir))
        try:
            for name, text in files.items():
                (tmp / name).write_text(text, encoding="utf-8")
            (tmp / _COMPLETE).write_text(sha256_text("".join(sorted(files))), encoding="utf-8")
            # another server may have renamed its copy into place meanwhile and be reading it:
            # a complete folder is never removed, only a leftover without its completion mark
            if final.exists() and not (final / _COMPLETE).exists():
                shutil.rmtree(final, ignore_errors=True)
            try:
                tmp.rename(final)
            except OSError:
                if not (final / _COMPLETE).exists():  # not another process winning the race
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self._prune(keep={number})
        return final

    def _prune(self, *, keep: set[int]) -> None:
        live = self.store.live_number()
        numbered = []
        for path in self.live_dir.glob("v*"):
            match = _LIVE_FOLDER.match(path.name)
            if match:
                numbered.append((int(match.group(1)), path))
        numbered.sort()
        for number, old in numbered[:-_KEEP_LIVE_DIRS]:
            if number not in keep and number != live:
                shutil.rmtree(old, ignore_errors=True)

    # -- action servers ------------------------------------------------------------------------

    def servers(self) -> list[ServerReport]:
        """Action servers running now (reported within the last half minute)."""
        return self.store.servers(fresh_s=SERVER_FRESH_S)

    def wait_for_servers(
        self,
        number: int,
        *,
        timeout_s: float,
        started: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> SwapResult:
        """Wait until every running action server serves ``number`` or failed to swap to it."""
        started = time.monotonic() if started is None else started
        while True:
            servers = tuple(self.servers())
            pending = [
                s
                for s in servers
                if s.version != number and not (s.wanted == number and s.status == "failed")
            ]
            elapsed = time.monotonic() - started
            if not pending or elapsed >= timeout_s:
                return SwapResult(number, elapsed, servers, bool(pending))
            sleep(0.1)

    # -- domains -------------------------------------------------------------------------------

    def domain_list(self) -> list[DomainInfo]:
        """Every domain of the draft or of the live version, with counts and last publish."""
        checked = self.validate()
        draft = {f.path.name: f for f in checked.corpus.files}
        draft_text = self.draft_files()
        live_number = self.store.live_number()
        live_files = self.store.files(live_number) if live_number is not None else {}
        live_corpus = _corpus_of(live_files)
        history = self.store.file_history()
        versions = {v.number: v for v in self.store.versions()}
        infos = []
        for name in sorted(set(draft_text) | set(live_files)):
            code = name.removesuffix(".yml")
            dfile, lfile = draft.get(name), live_corpus.get(name)
            head = dfile.domain if dfile else (lfile.domain if lfile else None)
            name_text = head.name if head else _header_name(self.draft_dir / name)
            error = next((e for e in checked.errors if f"/{name}:" in e), None)
            infos.append(
                DomainInfo(
                    code=code,
                    name=name_text,
                    agency=head.agency if head else "",
                    entries=len(dfile.entries) if dfile else None,
                    live_entries=len(lfile.entries) if lfile else None,
                    last_published=_last_change(history.get(name, []), versions, live_number),
                    draft_changed=draft_text.get(name) != live_files.get(name),
                    error=error,
                )
            )
        return infos


def _corpus_of(files: dict[str, str]) -> dict[str, CorpusFile]:
    if not files:
        return {}
    with tempfile.TemporaryDirectory(prefix="faq-live-") as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        corpus = load_corpus(Path(tmp)).corpus
    return {f.path.name: f for f in corpus.files}


def _header_name(path: Path) -> str:
    """The domain name of a draft file that does not validate (best effort, for listings)."""
    match = (
        re.search(r"(?m)^  name: *(.+)$", path.read_text(encoding="utf-8"))
        if path.exists()
        else None
    )
    return match.group(1).strip().strip("\"'") if match else ""


def _entries_of(cfile: CorpusFile) -> dict[str, object]:
    """Entry id -> its content (where it was read from left out)."""
    return {e.id: dataclasses.replace(e, location="", question_lines=()) for e in cfile.entries}


def _last_change(
    history: list[tuple[int, str]], versions: dict[int, Version], live: int | None
) -> Version | None:
    """The newest version up to the live one in which this file's text changed."""
    last, previous_sha = None, None
    for number, sha in history:
        if live is not None and number > live:
            break
        if sha != previous_sha:
            last = number
        previous_sha = sha
    return versions.get(last) if last is not None else None


def write_atomic(path: Path, text: str) -> None:
    """Write a file so a reader (the dev-mode watcher) never sees half of it."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EditorialError(f"{path}: cannot write the file ({exc})") from exc
