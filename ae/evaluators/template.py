"""CK's two substitution syntaxes in meta strings.

`$#key#$` is replaced by the pipeline before anything runs (binary, dataset, source path…); unlike
CK, a `$#…#$` left over is an error, never passed on literally. `$<<VAR>>$` is an environment
reference: in shell commands it becomes `${VAR}`, in compile flags it is expanded from the
dependency environment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ae.errors import PipelineError

HASH_KEY = re.compile(r"\$#([^#$]*)#\$")
ENV_REF = re.compile(r"\$<<([^<>]*)>>\$")
TAKE_FROM = re.compile(r"\$#ck_take_from_\{([^}]*)\}#\$")


def substitute(text: str, values: Mapping[str, str]) -> str:
    """Replace every `$#key#$` whose key is in `values`; leave the others for `check_complete`."""
    return HASH_KEY.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def leftovers(text: str) -> list[str]:
    """Return the `$#…#$` placeholders still present in `text`."""
    return [m.group(0) for m in HASH_KEY.finditer(text)]


def check_complete(text: str, where: str) -> str:
    """Return `text`, or raise a `meta-error` naming the placeholders nothing substituted."""
    left = leftovers(text)
    if left:
        raise PipelineError(
            f"{where} still contains {', '.join(dict.fromkeys(left))} after substitution: "
            f"no value is known for it (command: {text}).",
            kind="meta-error",
        )
    return text


def env_to_shell(text: str) -> str:
    """Rewrite `$<<VAR>>$` references as shell `${VAR}`."""
    return ENV_REF.sub(lambda m: "${" + m.group(1) + "}", text)


def expand_env(text: str, env: Mapping[str, str]) -> str:
    """Expand `$<<VAR>>$` from `env` (unknown variables become empty, as in a shell)."""
    return ENV_REF.sub(lambda m: str(env.get(m.group(1), "")), text)


def take_from(value: Any, lookup: Callable[[str], str]) -> Any:
    """Replace `$#ck_take_from_{CID}#$` in every string of a meta value by `lookup(CID)`.

    CK uses it to take files (sources, scripts, include dirs) from another entry; `lookup`
    returns that entry's directory with a trailing slash.
    """
    if isinstance(value, str):
        return TAKE_FROM.sub(lambda m: lookup(m.group(1)), value) if "$#ck_take_from_" in value \
            else value
    if isinstance(value, dict):
        return {k: take_from(v, lookup) for k, v in value.items()}
    if isinstance(value, list):
        return [take_from(v, lookup) for v in value]
    return value
