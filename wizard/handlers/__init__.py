"""Handler definitions and the registry: every fact about each of Kapacitor's event handlers.

Data only: imports wizard.text and nothing above it.
"""
