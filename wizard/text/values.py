"""Typed text and Kapacitor's option values, for every kind of option.

Kapacitor checks value kinds strictly: a number where a string belongs is refused, and
a float where an integer belongs is stored and then breaks every later config read and
the next start of kapacitord. So what a person types is turned into exactly the kind
Kapacitor expects here, once, and refused with a clear message when it cannot be.

Lists are typed as comma-separated text (`host1:9092, host2:9092`); objects as
`key=value` pairs separated by commas, or as a JSON object when a value holds a comma.
"""
from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from wizard.text.secrets import StructuredSecret, string_leaves
from wizard.text.checks import control_character

if TYPE_CHECKING:
    from wizard.handlers.registry import OptionSpec

# Go's int is 64-bit; a larger number is refused by Kapacitor's JSON decoder.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
MAX_TEXT = 16384
"""Longer typed values are refused before parsing (a deeply nested object would exhaust the parser)."""


class ValueProblem(ValueError):
    """The text cannot become a value of the option's kind; the message says why and what to type."""


def parse_text(option: OptionSpec, text: object) -> Any:
    """The value to send for what was typed (or given on the command line)."""
    kind = option.kind
    if kind is bool:
        return _parse_bool(option, text)
    if not isinstance(text, str):
        if kind is list and isinstance(text, (list, tuple)):
            return [str(item) for item in text]
        if kind is dict and isinstance(text, dict):
            return dict(text)
        if kind is int and isinstance(text, int) and not isinstance(text, bool):
            return text
        text = "" if text is None else str(text)
    cleaned = text.strip()
    if len(cleaned) > MAX_TEXT:
        raise ValueProblem(f"{option.label} is too long: at most {MAX_TEXT} characters.")
    bad = control_character(cleaned.replace("\n", " "))
    if bad:
        raise ValueProblem(f"{option.label} contains a control character ({bad}); type it again without it.")
    if kind is int:
        return _parse_int(option, cleaned)
    if kind is list:
        return [item.strip() for item in cleaned.split(",") if item.strip()]
    if kind is dict:
        return _parse_object(option, cleaned)
    return cleaned


def format_value(option: OptionSpec, value: Any) -> str:
    """A value as the person types it: the inverse of `parse_text`."""
    if value is None:
        return ""
    if option.kind is list and isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if option.kind is dict and isinstance(value, dict):
        if not value:
            return ""
        if all(isinstance(v, str) and "," not in v and "=" not in k and "," not in k for k, v in value.items()):
            return ", ".join(f"{k}={v}" for k, v in value.items())
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def as_secret(option: OptionSpec, text: object) -> Any:
    """A typed secret ready to send: `StructuredSecret` for a list or object, else the text.
    None when nothing was typed (the stored secret is kept)."""
    value = parse_text(option, text)
    if value in ("", [], {}, None):
        return None
    if isinstance(value, (list, dict)):
        return StructuredSecret(value)
    return value


def secret_parts(option: OptionSpec, text: object) -> list[str]:
    """What to mask of a typed secret: the text, and for a list or object each value in it."""
    parts = [str(text or "")]
    if option.kind in (list, dict):
        try:
            parts += string_leaves(parse_text(option, text))
        except ValueProblem:
            pass
    return [part for part in parts if part.strip()]


def problem(option: OptionSpec, text: object) -> str:
    """"" when the text can become a value of the option's kind, else what is wrong."""
    try:
        parse_text(option, text)
    except ValueProblem as exc:
        return str(exc)
    return ""


def _parse_bool(option: OptionSpec, text: object) -> bool:
    if isinstance(text, bool):
        return text
    word = str(text or "").strip().lower()
    if word in ("true", "yes", "on", "1"):
        return True
    if word in ("false", "no", "off", "0", ""):
        return False
    raise ValueProblem(f"{option.label}: type true or false (got {str(text)[:40]!r}).")


def _parse_int(option: OptionSpec, text: str) -> int | str:
    if text == "":
        return ""  # left empty: the option keeps Kapacitor's default
    try:
        number = int(text, 10)
    except ValueError:
        hint = ""
        try:
            as_float = float(text)
        except ValueError:
            pass
        else:
            if math.isfinite(as_float):
                hint = " Kapacitor stores a fraction and then fails on every later read and at its next start."
        raise ValueProblem(f"{option.label} must be a whole number, such as {option.default or 1}.{hint}") from None
    if not INT_MIN <= number <= INT_MAX:
        raise ValueProblem(f"{option.label} is too large.")
    return number


def _parse_object(option: OptionSpec, text: str) -> dict[str, Any]:
    try:
        return parse_object(text, secret=option.secret)
    except ValueProblem as exc:
        raise ValueProblem(f"{option.label}: {exc}") from None


def parse_object(text: str, *, secret: bool = True) -> dict[str, Any]:
    """An object typed as `key=value` pairs separated by commas, or as a JSON object.
    The message of a refusal repeats no part of a secret's text."""
    if not text:
        return {}
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueProblem(f"not a valid JSON object ({exc.msg} at character {exc.pos + 1}).") from None
        except RecursionError:
            raise ValueProblem("nested too deeply.") from None
        return dict(value)  # text that starts with "{" parses to an object or fails
    pairs: dict[str, Any] = {}
    for part in text.split(","):
        key, sep, item = part.partition("=")
        if not part.strip():
            continue
        if not sep or not key.strip():
            raise ValueProblem(
                "write key=value pairs separated by commas"
                + ("" if secret else f" (got {part.strip()[:40]!r})")
                + ", or a JSON object when a value holds a comma."
            )
        pairs[key.strip()] = item.strip()
    return pairs
