"""The editors' admin page, mounted on the services web app at ``/admin`` (Vietnamese UI, no CDN).

:mod:`admin.accounts` (editor accounts, argon2), :mod:`admin.auth` (signed session cookie, CSRF),
:mod:`admin.site` (the pages), :mod:`admin.cli` (``bin/assistant admin passwd``).
"""
