#!/bin/sh
# Hostile artifact: kill the process that started us (the sandbox's supervisor), then linger.
kill -9 "$PPID"
sleep 30
