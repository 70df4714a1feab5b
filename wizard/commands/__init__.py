"""Non-interactive commands, one module per handler; `wizard.cli` wires them up."""
