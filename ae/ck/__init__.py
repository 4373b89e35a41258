"""CK v1 repositories read exactly as the original `ck` tool reads them (no Flask, no DB).

Public surface: `CkIndex` (build, list, search, load), `CkEntry`, `CkRepo`, `Problem`, the flat-key
helpers in `ae.ck.flat`, version rules in `ae.ck.versions` and typed meta in `ae.ck.meta`.
"""

from ae.ck.entry import CkEntry, CkRepo, Problem, is_uid
from ae.ck.index import CkIndex
from ae.ck.repository import RepoDep, find_repos, read_repo, repo_dependencies, search_order
from ae.ck.versions import compare_versions, split_version

__all__ = [
    "CkEntry", "CkIndex", "CkRepo", "Problem", "RepoDep", "compare_versions", "find_repos", "is_uid",
    "read_repo", "repo_dependencies", "search_order", "split_version",
]
