"""The editors' workbench: draft → publish → rollback of the FAQ corpus, without code or retraining.

Layout of a deployment (all locations from ``settings``):

- **draft** — ``ASSISTANT_FAQ_DIR`` (``data/faq/<domain>.yml``): what editors change, by hand,
  with ``bin/assistant`` or from the admin page. Saving it changes nothing citizens see.
- **published versions** — immutable, numbered snapshots in the SQL database
  (``ASSISTANT_DB_URL``): number, author, message, time and every domain file's text. One of them
  is *live*; publish and rollback move that pointer atomically, with an audit row.
- **live folders** — ``ASSISTANT_FAQ_LIVE_DIR/v<N>-<digest>/``: a version unpacked for the
  action servers, which follow the live pointer and swap their index without a restart
  (:mod:`editorial.live`).
- development mode — ``ASSISTANT_FAQ_SERVE=draft``: the action server serves the draft folder
  itself and every saved edit goes live (the old behaviour), for development only.

API (everything an admin page or a script needs; the CLI ``bin/assistant domain|faq`` uses it)::

    from editorial import Workspace, yamledit
    ws = Workspace.from_settings(get_settings())   # or Workspace(draft_dir, live_dir, db_url)
    ws.validate()            # Validation(corpus, errors=("path:line: what; fix", …), warnings)
    ws.changes()             # what a publish would change, entry by entry
    ws.publish(author, message)   # -> Version (ValidationFailed lists every problem;
                                  #    NothingToPublish when the draft is the live version)
    ws.rollback(number or None, author=…)  # -> Version now live (default: the one before)
    ws.versions(); ws.live(); ws.store.files(n)  # history, live version, a version's files
    ws.restore_draft(n, author=…)  # the draft becomes version n again
    ws.wait_for_servers(n, timeout_s=…)  # -> SwapResult: every running action server swapped?
    ws.domain_list()         # [DomainInfo(code, name, entries, live_entries, last_published…)]
    ws.store.audit(author, action, target, detail); ws.store.audit_log()
    yamledit.domain_new(ws.draft_dir, code, name=…, agency=…)   # commented template
    yamledit.add_entry(ws.draft_dir, domain, {"id": …, "questions": […], "answer": …, …})
    yamledit.add_phrasings(ws.draft_dir, faq_id, ["…"])   # -> the phrasings added
    yamledit.update_entry / remove_entry / update_domain / find_entry
    spreadsheet.export_xlsx(ws.draft_dir, path) / spreadsheet.import_xlsx(ws.draft_dir, path)
    preview.Previewer(settings).ask("câu hỏi")   # draft and live: decision, scores, runner-ups

YAML edits keep comments and layout (ruamel round trip) and refuse, with ``path:line``, an edit
that would add a problem. Errors derive from :class:`EditorialError`.
"""

from __future__ import annotations

from editorial.errors import (
    DomainExists,
    EditorialError,
    EntryNotFound,
    NothingToPublish,
    SpreadsheetError,
    ValidationFailed,
    VersionNotFound,
)
from editorial.store import AuditRow, ServerReport, Version, VersionStore
from editorial.workspace import DomainInfo, SwapResult, Validation, Workspace, validate_dir

__all__ = [
    "AuditRow",
    "DomainExists",
    "DomainInfo",
    "EditorialError",
    "EntryNotFound",
    "NothingToPublish",
    "ServerReport",
    "SpreadsheetError",
    "SwapResult",
    "Validation",
    "ValidationFailed",
    "Version",
    "VersionNotFound",
    "VersionStore",
    "Workspace",
    "validate_dir",
]
