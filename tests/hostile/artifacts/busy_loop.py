"""Hostile artifact: spin on the CPU for ever."""

while True:
    pass
