"""The wizard's core: Kapacitor client, handler definitions, validators, plans.

Nothing under this package imports Textual, so the command line and the tests
can use it without a terminal.
"""
