"""The JSON Schemas of a solution manifest and of a volunteer's result, and their validation.

The schemas are data (JSON Schema 2020-12), published by the service at `/api/solutions/schema.json`
and `/api/solutions/result-schema.json`; `jsonschema` checks documents against them. A document that
fails is refused with the first error's place and message.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from ae.errors import SolutionError

NAME = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"}
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
SHORT = {"type": "string", "minLength": 1, "maxLength": 200}
VERSION = {"type": "string", "pattern": r"^[0-9A-Za-z.+!-]{1,40}$"}
CK_NAME = {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,100}$"}
MAX_CONFIGURATIONS = 32
MAX_REPETITIONS = 100

_CLAIM = {
    "type": "object", "required": ["id", "metric", "relation", "program", "cmd_key"],
    "additionalProperties": False,
    "properties": {
        "id": CK_NAME, "text": {"type": "string", "maxLength": 1000}, "metric": SHORT,
        "expected": {"type": "number"}, "relation": {"enum": ["approx", "at_most", "at_least", "equal"]},
        "tolerance": {"type": ["number", "string"]}, "unit": SHORT, "program": CK_NAME, "cmd_key": CK_NAME,
        "dataset": CK_NAME, "min_repetitions": {"type": "integer", "minimum": 1},
    },
}

MANIFEST_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "ae:solution-manifest:1",
    "title": "ae solution manifest",
    "description": "A portable workflow: an artifact at a commit, the configurations to benchmark, the "
                   "environment to set up, the claims to judge and the reference outputs.",
    "type": "object",
    "required": ["name", "title", "conference", "artifact", "configurations", "metrics"],
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string"},
        "name": NAME,
        "title": SHORT,
        "description": {"type": "string", "maxLength": 4000},
        "conference": {**NAME, "description": "the conference whose tournament shows its results"},
        "artifact": {
            "type": "object", "required": ["source"], "additionalProperties": False,
            "properties": {"source": {**SHORT, "maxLength": 1000,
                                      "description": "git URL (or a local repository, for the publisher)"},
                           "commit": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
                           "ref": SHORT},
        },
        "configurations": {
            "type": "array", "minItems": 1, "maxItems": MAX_CONFIGURATIONS,
            "items": {"type": "object", "required": ["program", "cmd_key"], "additionalProperties": False,
                      "properties": {"program": CK_NAME, "cmd_key": CK_NAME, "dataset": CK_NAME,
                                     "default": {"type": "boolean",
                                                 "description": "benchmarked when none is named"}}},
        },
        "repetitions": {"type": "integer", "minimum": 1, "maximum": MAX_REPETITIONS},
        "environment": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "python": {"type": "string", "description": "interpreter version range, e.g. >=3.9"},
                "packages": {"type": "object", "description": "Python distribution -> pinned version",
                             "propertyNames": {"pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$"},
                             "additionalProperties": VERSION},
                "tools": {"type": "array", "items": CK_NAME,
                          "description": "software detectors that must find something (gcc, python, …)"},
            },
        },
        "claims": {"type": "array", "maxItems": 200, "items": _CLAIM},
        "metrics": {"type": "array", "minItems": 1, "items": SHORT,
                    "description": "characteristics to report (sample keys)"},
        "reference_outputs": {
            "type": "object", "description": "cmd_key -> output file -> sha256 of the reference output",
            "additionalProperties": {"type": "object", "additionalProperties": SHA256},
        },
    },
}

_NUMBERS = {"type": "object", "maxProperties": 64,
            "additionalProperties": {"type": ["number", "string", "boolean", "null"]}}

RESULT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "ae:solution-result:1",
    "title": "ae solution result",
    "description": "One volunteer's benchmark of a solution: samples, output digests, environment and "
                   "hardware. `digest` is the sha256 of the canonical JSON of `body`; `signature` is "
                   "HMAC-SHA256 of the digest keyed with the volunteer's API token.",
    "type": "object", "required": ["body", "digest", "signature"], "additionalProperties": False,
    "properties": {
        "digest": SHA256,
        "signature": SHA256,
        "body": {
            "type": "object", "additionalProperties": False,
            "required": ["solution", "manifest_digest", "ae_version", "created_at", "hardware", "runs"],
            "properties": {
                "solution": NAME, "manifest_digest": SHA256, "ae_version": SHORT, "created_at": SHORT,
                "hardware": {"type": "object", "required": ["fingerprint", "class", "profile"],
                             "additionalProperties": False,
                             "properties": {"fingerprint": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
                                            "class": SHORT, "declared": {"type": "boolean"},
                                            "profile": {"type": "object", "maxProperties": 32}}},
                "environment": {"type": "object", "maxProperties": 200,
                                "additionalProperties": {"type": "string", "maxLength": 200}},
                "verdicts": {"type": "object", "maxProperties": 200,
                             "additionalProperties": {"type": "string", "maxLength": 40}},
                "runs": {
                    "type": "array", "minItems": 1, "maxItems": MAX_CONFIGURATIONS,
                    "items": {
                        "type": "object", "additionalProperties": False,
                        "required": ["program", "cmd_key", "ok", "samples", "outputs"],
                        "properties": {
                            "program": CK_NAME, "cmd_key": CK_NAME, "dataset": {"type": ["string", "null"]},
                            "ok": {"type": "boolean"}, "failure_kind": {"type": ["string", "null"]},
                            "message": {"type": "string", "maxLength": 2000},
                            "samples": {"type": "array", "maxItems": MAX_REPETITIONS,
                                        "items": _NUMBERS},
                            "outputs": {"type": "object", "maxProperties": 64,
                                        "additionalProperties": SHA256},
                        },
                    },
                },
            },
        },
    },
}

_MANIFEST = Draft202012Validator(MANIFEST_SCHEMA)
_RESULT = Draft202012Validator(RESULT_SCHEMA)


def check(document: Any, validator: Draft202012Validator, what: str) -> None:
    """Raise SolutionError naming the first place where `document` breaks the schema."""
    error = next(iter(sorted(validator.iter_errors(document), key=lambda e: list(e.path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise SolutionError(f"the {what} is not valid at {where}: {error.message[:300]}")


def check_manifest(document: Any) -> None:
    """Raise SolutionError unless `document` is a valid solution manifest."""
    check(document, _MANIFEST, "solution manifest")


def check_result(document: Any) -> None:
    """Raise SolutionError unless `document` is a valid result submission."""
    check(document, _RESULT, "result")
