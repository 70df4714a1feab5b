"""Outside services: the shared transport and deadline, Slack, Telegram and HipChat clients, the direct checks.

May import wizard.text and wizard.handlers; never Kapacitor, kapacitor.conf or the screens.
"""
