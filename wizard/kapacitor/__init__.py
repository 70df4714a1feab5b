"""Kapacitor's HTTP API: the client, the config API, alert topics and the end-to-end proof.

May import wizard.services, wizard.records, wizard.handlers and wizard.text.
"""
