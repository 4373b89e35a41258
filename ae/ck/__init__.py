"""CK v1 repositories read exactly as the original `ck` tool reads them (no Flask, no DB)."""
