"""Editor accounts from configuration: name, argon2 password hash, role, domains.

The file (``ASSISTANT_ADMIN_USERS_FILE``, YAML) is written by ``bin/assistant admin passwd``::

    users:
      - name: lan
        role: editor            # editor: only the listed domains; admin: every domain
        domains: [y_te, giao_duc]
        password_hash: $argon2id$v=19$m=65536,t=3,p=4$…
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "ROLES",
    "Account",
    "AccountError",
    "hash_password",
    "load_accounts",
    "save_account",
    "verify",
]

ROLES = ("editor", "admin")
NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
MIN_PASSWORD_CHARS = 10
_HASHER = PasswordHasher()
# verified when the name is unknown, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _HASHER.hash("not-a-real-password-0")


class AccountError(ValueError):
    """The accounts file or an account is invalid; the message names the fix."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str  # "editor" | "admin"
    domains: frozenset[str]  # an editor's domains (ignored for admin)
    password_hash: str

    def may_edit(self, domain: str | None) -> bool:
        """True when this account may change entries of ``domain``."""
        return self.role == "admin" or (domain is not None and domain in self.domains)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (refused when shorter than 10 characters)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    return _HASHER.hash(password)


def load_accounts(path: Path) -> dict[str, Account]:
    """Accounts by name; a missing file means no accounts (nobody can log in)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, yaml.YAMLError) as exc:
        raise AccountError(f"{path}: cannot read the admin accounts ({exc})") from exc
    users = raw.get("users") if isinstance(raw, dict) else None
    if users is None:
        return {}
    if not isinstance(users, list):
        raise AccountError(f"{path}: 'users' must be a list; see `bin/assistant admin passwd`")
    found: dict[str, Account] = {}
    for number, item in enumerate(users, 1):
        if not isinstance(item, dict):
            raise AccountError(f"{path}: user #{number} is not a mapping")
        name, role = str(item.get("name", "")), str(item.get("role", "editor"))
        hashed = str(item.get("password_hash", ""))
        domains = item.get("domains") or []
        if not NAME_RE.fullmatch(name) or role not in ROLES or not hashed.startswith("$argon2"):
            raise AccountError(
                f"{path}: user #{number} ({name!r}) needs a lower-case name, a role "
                f"({' or '.join(ROLES)}) and an argon2 password_hash; write it with "
                "`bin/assistant admin passwd NAME`"
            )
        if not isinstance(domains, list):
            raise AccountError(f"{path}: user {name!r}: 'domains' must be a list of domain codes")
        found[name] = Account(name, role, frozenset(str(d) for d in domains), hashed)
    return found


def verify(accounts: dict[str, Account], name: str, password: str) -> Account | None:
    """The account when name and password match, else None (same cost either way)."""
    account = accounts.get(name)
    try:
        _HASHER.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return account


def save_account(path: Path, name: str, password: str, *, role: str, domains: list[str]) -> Account:
    """Add or replace one account in the file (other accounts are kept)."""
    if not NAME_RE.fullmatch(name):
        raise AccountError(
            f"account name {name!r}: use 2-40 lower-case letters, digits, '.', '_' or '-'"
        )
    if role not in ROLES:
        raise AccountError(f"role {role!r}: use one of {', '.join(ROLES)}")
    if role == "editor" and not domains:
        raise AccountError("an editor needs at least one domain (--domains y_te,giao_duc)")
    account = Account(name, role, frozenset(domains), hash_password(password))
    accounts = load_accounts(path)
    accounts[name] = account
    users = [
        {
            "name": a.name,
            "role": a.role,
            "domains": sorted(a.domains),
            "password_hash": a.password_hash,
        }
        for a in sorted(accounts.values(), key=lambda a: a.name)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Admin page accounts: write with `bin/assistant admin passwd NAME`.\n"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(header + yaml.safe_dump({"users": users}, sort_keys=False), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    return account
