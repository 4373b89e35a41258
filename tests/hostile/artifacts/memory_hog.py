"""Hostile artifact: grab memory 64 MiB at a time until something stops it."""

chunks = []
while True:
    chunks.append(bytearray(64 << 20))
