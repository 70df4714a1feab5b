"""Change plans and where they go: plans, targets (the API or kapacitor.conf), the step flow, undo.

May import every package below it; never Textual or the command line.
"""
