"""Settings: one owner per runtime.

- :mod:`settings.services` — the services runtime (Python 3.11, pydantic-settings);
- :mod:`settings.rasa` — the Rasa runtime and ``bin/assistant`` (Python 3.10, stdlib only);
- :mod:`settings.defaults` — the defaults both share (stdlib only).

Nothing else in the project reads ``os.environ``; entry points load the settings once and pass
them into constructors. This package imports nothing heavy at import time, so both runtimes can
import it.
"""
