"""Hostile artifact: never finish, without using the CPU."""

import time

while True:
    time.sleep(60)
