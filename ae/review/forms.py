"""Review forms as data: the named forms a conference file picks (`form = "..."`) or writes inline.

A form has fields of three kinds: `recommendation` (one per badge the conference offers: the
cTuning/MICRO'23 three levels, or the sysartifacts yes/no), `choice` (a fixed list, e.g. expertise)
and `text`. Each field says who may read it (`authors`, `evaluators`, `chairs`); chairs read all.
Recommendation values are the levels of `ae.badges.opinions.Opinion` ("yes", "weak", "no") plus
"not-requested", so a review's answers feed the badge recommendation without translation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ae.errors import AeError

KINDS = ("recommendation", "choice", "text")
AUDIENCES = ("authors", "evaluators", "chairs")
EVERYONE = AUDIENCES
COMMITTEE = ("evaluators", "chairs")


class FormError(AeError):
    """A review form (named or inline) is not valid."""


@dataclass(frozen=True)
class Choice:
    """One answer of a choice or recommendation field: the stored value and its label."""

    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One question of a review form; a `badge` field is asked once per badge the conference offers."""

    key: str
    label: str
    kind: str
    choices: tuple[Choice, ...] = ()
    required: bool = False
    visible_to: tuple[str, ...] = EVERYONE
    badge: str | None = None  # set on the concrete field of a per-badge recommendation

    def values(self) -> list[str]:
        """Return the values a choice or recommendation field accepts."""
        return [c.value for c in self.choices]


@dataclass(frozen=True)
class ReviewForm:
    """A review form: per-badge recommendations, then the other fields, in order."""

    name: str
    title: str
    recommendation: tuple[Choice, ...]  # the levels of each badge's recommendation
    recommendation_label: str = "{badge}"  # label of a badge's field; {badge} is its title
    fields: tuple[FormField, ...] = ()
    recommendation_visible_to: tuple[str, ...] = EVERYONE

    def for_badges(self, badges: Sequence[tuple[str, str]]) -> list[FormField]:
        """Return the concrete fields for a conference's badges, given as (key, title) pairs."""
        per_badge = [FormField(key=f"badge:{key}", label=self.recommendation_label.format(badge=title),
                               kind="recommendation", choices=self.recommendation, required=True,
                               visible_to=self.recommendation_visible_to, badge=key)
                     for key, title in badges]
        return per_badge + list(self.fields)


_THREE_LEVELS = (
    Choice("yes", "Badge should be awarded"),
    Choice("weak", "Badge may be awarded (minor issues)"),
    Choice("no", "Badge should not be awarded (major issues)"),
    Choice("not-requested", "Not requested by the authors"),
)
_YES_NO = (
    Choice("yes", "Yes"),
    Choice("no", "No"),
    Choice("not-requested", "Not requested"),
)

#: The cTuning form used at MICRO'23 (its HotCRP configuration): expertise, a three-level
#: recommendation per badge, comments for authors, a distinguished-artifact nomination.
CTUNING_MICRO23 = ReviewForm(
    name="ctuning-micro23",
    title="cTuning / ACM-IEEE MICRO'23 artifact review",
    recommendation=_THREE_LEVELS,
    recommendation_label="{badge}?",
    fields=(
        FormField("expertise", "Evaluator expertise", "choice",
                  (Choice("some", "Some familiarity"), Choice("knowledgeable", "Knowledgeable"),
                   Choice("expert", "Expert")), required=True),
        FormField("comments", "Comments for authors", "text", required=True),
        FormField("distinguished", "Distinguished artifact?", "choice",
                  (Choice("nominate", "Nominate"), Choice("no", "Do not nominate")),
                  visible_to=COMMITTEE),
        FormField("committee", "Comments for the committee (hidden from authors)", "text",
                  visible_to=COMMITTEE),
    ),
)

#: The sysartifacts minimal form (OSDI/SOSP/EuroSys): yes/no per badge, a best-artifact
#: nomination, comments to authors and to evaluators.
SYSARTIFACTS = ReviewForm(
    name="sysartifacts",
    title="sysartifacts per-badge review",
    recommendation=_YES_NO,
    recommendation_label="{badge}: award?",
    fields=(
        FormField("best", "Nominate for best artifact?", "choice",
                  (Choice("yes", "Yes"), Choice("no", "No")), visible_to=COMMITTEE),
        FormField("comments", "Comments to authors", "text", required=True),
        FormField("committee", "Comments to evaluators", "text", visible_to=COMMITTEE),
    ),
)

FORMS: dict[str, ReviewForm] = {f.name: f for f in (CTUNING_MICRO23, SYSARTIFACTS)}
DEFAULT = CTUNING_MICRO23.name


def get(name: str) -> ReviewForm:
    """Return the named form; FormError names the known ones."""
    if name not in FORMS:
        raise FormError(f"unknown review form {name!r} (known: {', '.join(FORMS)})")
    return FORMS[name]


def _choices(where: str, items: Any) -> tuple[Choice, ...]:
    if not isinstance(items, list) or not items:
        raise FormError(f"{where} needs a non-empty list of choices")
    found = []
    for item in items:
        if isinstance(item, str) and item:
            found.append(Choice(item, item))
        elif (isinstance(item, dict) and set(item) <= {"value", "label"}
              and isinstance(item.get("value"), str)):
            found.append(Choice(item["value"], str(item.get("label", item["value"]))))
        else:
            raise FormError(f"{where}: a choice is a string or {{value, label}} (got {item!r})")
    if len({c.value for c in found}) != len(found):
        raise FormError(f"{where} names a choice twice")
    return tuple(found)


def _audience(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(v in AUDIENCES for v in value):
        raise FormError(f"{where} visible_to must be a list of {', '.join(AUDIENCES)} (got {value!r})")
    return tuple(dict.fromkeys([*value, "chairs"]))


_FIELD_KEYS = {"key", "label", "kind", "choices", "required", "visible_to"}
_FORM_KEYS = {"name", "title", "recommendation", "recommendation_label", "recommendation_visible_to", "field"}


def parse_inline(table: Mapping[str, Any], *, where: str = "[review.form]") -> ReviewForm:
    """Read a form written inline in a conference file; FormError names the key at fault."""
    unknown = sorted(set(table) - _FORM_KEYS)
    if unknown:
        raise FormError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_FORM_KEYS))})")
    name = table.get("name", "inline")
    if not isinstance(name, str) or not name:
        raise FormError(f"{where} name must be a string")
    recommendation = _choices(f"{where} recommendation", table.get("recommendation"))
    label = table.get("recommendation_label", "{badge}")
    if not isinstance(label, str) or "{badge}" not in label:
        raise FormError(f"{where} recommendation_label must be a string holding {{badge}}")
    fields = []
    for n, item in enumerate(table.get("field", [])):
        here = f"{where} field {n + 1}"
        if not isinstance(item, dict):
            raise FormError(f"{here} must be a table ([[review.form.field]])")
        extra = sorted(set(item) - _FIELD_KEYS)
        if extra:
            raise FormError(f"{here}: unknown key {extra[0]!r} (known: {', '.join(sorted(_FIELD_KEYS))})")
        key, kind = item.get("key"), item.get("kind", "text")
        if not isinstance(key, str) or not key or key.startswith("badge:"):
            raise FormError(f"{here} needs a key (a string not starting with 'badge:')")
        if kind not in KINDS or kind == "recommendation":
            raise FormError(f"{here} {key!r}: kind must be 'choice' or 'text' (got {kind!r})")
        if not isinstance(item.get("required", False), bool):
            raise FormError(f"{here} {key!r}: required must be true or false")
        choices = _choices(f"{here} {key!r}", item.get("choices")) if kind == "choice" else ()
        if kind == "text" and "choices" in item:
            raise FormError(f"{here} {key!r}: a text field has no choices")
        audience = _audience(f"{here} {key!r}", item.get("visible_to", list(EVERYONE)))
        fields.append(FormField(key=key, label=str(item.get("label", key)), kind=kind, choices=choices,
                                required=item.get("required", False), visible_to=audience))
    if len({f.key for f in fields}) != len(fields):
        raise FormError(f"{where} names a field key twice")
    return ReviewForm(name=name, title=str(table.get("title", name)), recommendation=recommendation,
                      recommendation_label=label, fields=tuple(fields),
                      recommendation_visible_to=_audience(
                          f"{where} recommendation", table.get("recommendation_visible_to", list(EVERYONE))))
