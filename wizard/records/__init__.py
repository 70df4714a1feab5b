"""Records the wizard keeps for itself: the journal of writes (undo) and of what a proof creates.

May import wizard.text and wizard.handlers.
"""
