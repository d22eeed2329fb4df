"""Option checks shared by our Rasa components: each error names the component, option and fix."""

from typing import Any, Dict, Text

from rasa.shared.exceptions import InvalidConfigException

__all__ = ["check_flag", "check_known", "check_name"]


def check_known(name: Text, config: Dict[Text, Any], defaults: Dict[Text, Any]) -> None:
    """Raises when ``config`` has an option the component does not know."""
    unknown = sorted(set(config) - set(defaults))
    if unknown:
        raise InvalidConfigException(
            f"{name}: unknown option(s) {unknown}; known options are {sorted(defaults)}"
        )


def check_name(
    name: Text, config: Dict[Text, Any], key: Text, default: Any, what: Text, *, nullable: bool
) -> None:
    """Raises unless option ``key`` is a non-empty string (or null when ``nullable``)."""
    value = config.get(key, default)
    if value is None and nullable:
        return
    if not isinstance(value, str) or not value:
        expected = f"{what} or null" if nullable else what
        raise InvalidConfigException(f"{name}: option '{key}' must be {expected}, got {value!r}")


def check_flag(name: Text, config: Dict[Text, Any], key: Text) -> None:
    """Raises unless option ``key``, when given, is true or false."""
    if key in config and not isinstance(config[key], bool):
        raise InvalidConfigException(
            f"{name}: option '{key}' must be true or false, got {config[key]!r}"
        )
