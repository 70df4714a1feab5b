"""An error's title and message on one line, without saying the same thing twice."""
from __future__ import annotations

import re

from wizard.text.errors import WizardError

_SMALL_WORDS = {"by", "the", "a", "an", "of", "to", "in", "at", "on"}


def repeats_title(title: str, message: str) -> bool:
    """Whether the message's first words already say the title ("Rejected by Kapacitor" and
    "Kapacitor rejected the request …")."""
    title_words = {w for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in _SMALL_WORDS}
    opening = set(re.findall(r"[a-z0-9]+", message.lower())[:6])
    return bool(title_words) and title_words <= opening


def titled(err: WizardError) -> tuple[str | tuple[str, str], ...]:
    """Parts for `Text.assemble`: the bold title and the message, or the message alone when
    it begins with what the title says."""
    if repeats_title(err.title, err.message):
        return (err.message,)
    return ((err.title, "bold"), ": ", err.message)
