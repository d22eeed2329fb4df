"""Channel adapters: web widget, Telegram and Zalo OA in front of the Rasa server."""

from __future__ import annotations
