"""The ``carestat`` commands, one module per stage (``carestat.cli`` gathers them into one app)."""
