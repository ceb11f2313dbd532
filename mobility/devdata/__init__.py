"""Demo and bench data: imported by no application module, only by the commands that load it."""
