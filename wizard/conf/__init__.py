"""kapacitor.conf: the document, its masked diff, the locked atomic write, Kapacitor's rules at start.

May import wizard.services, wizard.records, wizard.handlers and wizard.text.
"""
