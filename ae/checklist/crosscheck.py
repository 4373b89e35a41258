"""Cross-check an appendix against the artifact it describes: named files and programs exist.

When the artifact is at hand (the snapshot tree at intake, `ae lint --artifact DIR`), a chair can
check what the appendix tells an evaluator to run: scripts invoked in its commands (`./run.sh`,
`bash tools/x.sh`, `python3 plot.py`, `python -m pkg.mod`), files its Markdown links point to, and
the CK programs its claims name. Output files a command creates and paths in other repositories
(after a `git clone` in the same block) are not checked. A path counts as present when some file
of the artifact ends with it, since the text may `cd` into a sub-directory first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ae.checklist import md_syntax
from ae.checklist.claims import Claim
from ae.checklist.findings import Finding
from ae.checklist.patterns import lazy
from ae.checklist.syntax import LineCounter

MAX_TREE_ENTRIES = 200_000
_INLINE_MD_RE = lazy(r"(?<!`)(`{1,2})(?!`)([^`\n]+?)(?<!`)\1(?!`)")
_INLINE_TEX_RE = lazy(r"\\(?:texttt|path|verb\*?)\s*(?:\{([^{}\n]*)\}|([|!+])([^\n]*?)\2)")
_VERBATIM_RE = lazy(r"\\begin\{(verbatim|lstlisting|minted|Verbatim)\}(.*?)(?:\\end\{\1\}|\Z)",
                          re.DOTALL)
_MD_LINK_RE = lazy(r"\[(?<!!\[)[^\[\]\n]*\]\(([^()\s]+)(?:\s+\"[^\"\n]*\")?\)")
_PREFIX_RE = lazy(
    r"^(?:\$\s+|>\s+|#\s+)?(?:(?:sudo|time|nohup|exec)\s+|[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*")
_RUNNERS = frozenset(("bash", "sh", "zsh", "source", ".", "python", "python3", "perl", "Rscript",
                      "julia", "node", "ruby"))
_SCRIPT_EXT_RE = lazy(r"\.(?:sh|bash|py|pl|r|R|jl|js|rb|ipynb|mk)$")
_PLACEHOLDER_RE = lazy(r"[<>{}*?$\[\]|]|xxx|XXX|\.\.\.")


def referenced_paths(text: str, syntax: str) -> list[tuple[str, int, str]]:
    """Return (path, line, how it is named) for every script and local link the appendix names."""
    found: list[tuple[str, int, str]] = []
    lines = LineCounter(text)
    for start, body in _code(text, syntax):
        first_line = lines.at(start)
        for offset, command in enumerate(body.split("\n")):
            if re.search(r"\bgit\s+clone\b", command):
                break  # what follows belongs to the cloned repository
            for path, how in _invoked(command):
                found.append((path, first_line + offset, how))
    lines = LineCounter(text)
    for match in (_INLINE_MD_RE if syntax == "markdown" else _INLINE_TEX_RE).finditer(text):
        snippet = match.group(2) if syntax == "markdown" else (match.group(1) or match.group(3))
        for path, how in _invoked(snippet or ""):
            found.append((path, lines.at(match.start()), how))
    if syntax == "markdown":
        lines = LineCounter(text)
        for match in _MD_LINK_RE.finditer(text):
            target = match.group(1).split("#", 1)[0]
            if target and not re.match(r"[a-z][a-z0-9+.-]*:|/|~|www\.", target, re.IGNORECASE) \
                    and not _PLACEHOLDER_RE.search(target):
                found.append((_normal(target), lines.at(match.start()), "links to"))
    return found


def _code(text: str, syntax: str) -> list[tuple[int, str]]:
    if syntax == "markdown":
        return [(body_start, text[body_start:body_end])
                for _, _, body_start, body_end in md_syntax.code_fences(text)]
    return [(match.start(2), match.group(2)) for match in _VERBATIM_RE.finditer(text)]


def _invoked(command: str) -> Iterable[tuple[str, str]]:
    """Yield (path, "runs") for the script a shell command line starts, if it names one."""
    for part in re.split(r"&&|\|\||;", command):
        part = _PREFIX_RE.sub("", part.strip())
        tokens = part.split()
        if not tokens:
            continue
        head = tokens[0]
        if head.startswith(("./", "../")) and not head.startswith("../.."):
            if not _SCRIPT_EXT_RE.search(head):
                continue  # a binary the build makes (./basic_test.elf, ./a.out), not a file shipped
            candidate = head
        elif head in _RUNNERS and len(tokens) > 1:
            if tokens[1] == "-m" and len(tokens) > 2 and head.startswith("python"):
                module = tokens[2]
                if re.fullmatch(r"[A-Za-z_][\w.]*", module) and "." in module:
                    yield module.replace(".", "/") + ".py", "runs"
                continue
            candidate = tokens[1]
            if candidate.startswith("-") or not (_SCRIPT_EXT_RE.search(candidate)
                                                 or candidate.startswith("./")):
                continue
        else:
            continue
        if candidate.startswith(("/", "~", "$")) or _PLACEHOLDER_RE.search(candidate):
            continue
        yield _normal(candidate), "runs"


def _normal(path: str) -> str:
    path = path.strip("'\"")
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/")


def tree_paths(tree: Path) -> tuple[set[str], set[str]]:
    """Return every file and directory of a tree as a relative POSIX path, and the empty
    directories (where a snapshot leaves a git submodule), both bounded."""
    paths: set[str] = set()
    empty: set[str] = set()
    root = str(tree)
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        relative = os.path.relpath(directory, root).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        if prefix and not dirnames and not filenames:
            empty.add(prefix)
        for name in (*dirnames, *filenames):
            paths.add(prefix + name)
            if len(paths) >= MAX_TREE_ENTRIES:
                return paths, empty
    return paths, empty


def _present(path: str, paths: set[str], suffixes: set[str]) -> bool:
    return path in paths or path in suffixes or path.startswith("..")


def _suffixes(paths: set[str]) -> set[str]:
    """Return every trailing run of path components ("a/b/c" gives "b/c" and "c")."""
    out: set[str] = set()
    for path in paths:
        parts = path.split("/")
        for i in range(1, len(parts)):
            out.add("/".join(parts[i:]))
    return out


def _submodules(tree: Path) -> tuple[str, ...]:
    """Return the paths of the git submodules a tree declares (their files are not in a snapshot)."""
    modules = tree / ".gitmodules"
    if not modules.is_file():
        return ()
    text = modules.read_text(encoding="utf-8", errors="replace")
    return tuple(m.group(1).strip().rstrip("/") + "/"
                 for m in re.finditer(r"^[ \t]*path[ \t]*=[ \t]*(.+)$", text, re.MULTILINE))


def cross_check(text: str, syntax: str, tree: Path, claims: Sequence[Claim] = ()) -> list[Finding]:
    """Return findings for files, scripts and claim programs the appendix names but the tree lacks."""
    paths, empty = tree_paths(tree)
    suffixes = _suffixes(paths)
    submodules = _submodules(tree) + tuple(empty)
    findings: list[Finding] = []
    seen: set[str] = set()
    for path, line, how in referenced_paths(text, syntax):
        if not path or path in seen or _present(path, paths, suffixes) \
                or path.startswith(submodules):
            continue
        seen.add(path)
        findings.append(Finding(
            "warning", "missing-file",
            f"the appendix {how} {path}, but the artifact has no such file",
            "fix the path or the command, or add the file to the artifact", line, path))
    findings += _claim_programs(tree, claims)
    return findings


def _claim_programs(tree: Path, claims: Sequence[Claim]) -> list[Finding]:
    named = [c for c in claims if c.program]
    if not named or not (tree / ".ckr.json").is_file():
        return []
    from ae.ck.index import CkIndex

    programs = sorted({entry.uoa for entry in CkIndex.build([tree]).search("program")})
    known = ", ".join(programs[:8]) + (" ..." if len(programs) > 8 else "")
    return [Finding("error", "unknown-program",
                    f"claim {claim.id} names program {claim.program!r}, which the artifact does "
                    f"not have" + (f" (it has {known})" if programs else " (it has no programs)"),
                    "write the program's CK alias as it appears under program/",
                    claim.line, claim.id)
            for claim in named if claim.program not in programs]
