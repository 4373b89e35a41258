"""Workers and the jobs they run: RQ wiring (`queue`), the worker process, heartbeats and lost-worker
recovery, snapshots for remote workers, and the embedded redis-server of the default set-up."""
