"""kapacitor-wizard: get Kapacitor alerts into Telegram, Slack or HipChat."""

__version__ = "0.1.0"
