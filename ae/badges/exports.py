"""Where badges are published: ACM DL artifact XML (DTD v1.1), CSV, JSON and sysartifacts front matter."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from ae.badges.schemes import Scheme

ACM_DOCTYPE = '<!DOCTYPE artifacts SYSTEM "acm_artifact_v1.1.dtd">'


@dataclass(frozen=True)
class Awarded:
    """One badge an artifact holds."""

    badge: str
    title: str
    issued_at: datetime
    credential_url: str
    revoked: bool = False


@dataclass(frozen=True)
class Published:
    """One artifact as published: identity, pinned source, badges and its verdicts' summary."""

    artifact_id: str
    title: str
    url: str  # its public page on this service
    repository_url: str
    doi: str | None
    commit: str | None
    snapshot_digest: str | None
    badges: tuple[Awarded, ...]
    verdicts: dict[str, int] = field(default_factory=dict)  # outcome -> count
    authors: tuple[str, ...] = ()


def _current(item: Published) -> list[Awarded]:
    return [b for b in item.badges if not b.revoked]


def acm_xml(items: list[Published], scheme: Scheme, publisher: str = "ACM") -> str:
    """Return ACM Digital Library artifact metadata (valid against ACM's artifact DTD v1.1).

    Only badges ACM names (acm_name) can be exported; a scheme without them is refused.
    """
    if not any(b.acm_name for b in scheme.badges):
        raise ValueError(f"scheme {scheme.name} has no ACM Digital Library badge names: export CSV/JSON")
    root = ET.Element("artifacts")
    ET.SubElement(root, "comment").text = f"badges under {scheme.label} v{scheme.version}"
    for item in items:
        badges = [b for b in _current(item) if scheme.badge(b.badge).acm_name]
        if not badges:
            continue
        art = ET.SubElement(root, "artifact")
        if item.doi:
            ET.SubElement(art, "artifact_doi").text = item.doi
        else:
            ET.SubElement(art, "artifact_url").text = item.url
        ET.SubElement(art, "artifact_type", artif_types="software")
        ET.SubElement(art, "artifact_publication_date").text = min(b.issued_at for b in badges).strftime(
            "%m/%d/%Y")
        ET.SubElement(art, "title").text = item.title
        if item.commit:
            ET.SubElement(art, "version").text = item.commit
        contributors = ET.SubElement(art, "contributors")
        for seq, name in enumerate(item.authors or ("(see the paper)",), start=1):
            contrib = ET.SubElement(contributors, "contrib")
            ET.SubElement(contrib, "seq_no").text = str(seq)
            first, _, last = name.rpartition(" ")
            if first:
                ET.SubElement(contrib, "first_name").text = first
            ET.SubElement(contrib, "last_name").text = last
            ET.SubElement(contrib, "role").text = "AUTHOR"
        ET.SubElement(art, "description").text = (
            f"Evaluated at commit {item.commit or 'unknown'} (snapshot {item.snapshot_digest or 'unknown'})")
        ET.SubElement(art, "repository_url").text = item.repository_url
        ET.SubElement(art, "license").text = "as stated in the artifact's repository"
        ET.SubElement(art, "license_url").text = item.repository_url
        ET.SubElement(ET.SubElement(art, "publisher"), "publisher_name").text = publisher
        repro = ET.SubElement(art, "reproducibility")
        for badge in badges:
            entry = ET.SubElement(repro, "reproducible")
            name = str(scheme.badge(badge.badge).acm_name)
            ET.SubElement(entry, "reproducible_type", reproducible_types=name)
            ET.SubElement(entry, "official_date").text = badge.issued_at.strftime("%m/%d/%Y")
            ET.SubElement(entry, "additional_text").text = f"credential: {badge.credential_url}"
            ET.SubElement(entry, "description_url").text = scheme.url
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{ACM_DOCTYPE}\n{body}\n'


CSV_FIELDS = ("artifact_id", "title", "url", "repository_url", "doi", "commit", "snapshot_digest", "badges",
              "badge_titles", "reproduced", "not_reproduced", "inconclusive")


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value  # no spreadsheet formulas


def to_csv(items: list[Published]) -> str:
    """Return one CSV row per artifact (current badges only; cells never start a formula)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for item in items:
        badges = _current(item)
        writer.writerow([_cell(str(v)) for v in (
            item.artifact_id, item.title, item.url, item.repository_url, item.doi or "", item.commit or "",
            item.snapshot_digest or "", " ".join(b.badge for b in badges), "; ".join(b.title for b in badges),
            item.verdicts.get("reproduced", 0), item.verdicts.get("not-reproduced", 0),
            item.verdicts.get("inconclusive", 0))])
    return out.getvalue()


def to_json(items: list[Published], scheme: Scheme) -> dict[str, Any]:
    """Return the JSON document of a conference's published badges."""
    def row(item: Published) -> dict[str, Any]:
        data = asdict(item)
        data["badges"] = [{**asdict(b), "issued_at": b.issued_at.isoformat(),
                           "badge_id": scheme.badge_id(b.badge)} for b in item.badges]
        return data
    return {"scheme": scheme.name, "scheme_version": scheme.version, "scheme_url": scheme.url,
            "artifacts": [row(i) for i in items]}


def sysartifacts(items: list[Published], scheme: Scheme, title: str) -> str:
    """Return a sysartifacts results page (YAML front matter, `artifacts:` list, badges comma-separated)."""
    q = json.dumps  # a JSON string is a valid YAML double-quoted scalar
    lines = ["---", f"title: {q(title)}", "order: 50", "artifacts:"]
    for item in items:
        badges = _current(item)
        if not badges:
            continue
        lines.append(f"  - title: {q(item.title)}")
        if item.doi:
            lines.append(f"    doi: {q(item.doi)}")
        lines.append(f"    artifact_url: {q(item.url)}")
        if "github.com" in item.repository_url:
            lines.append(f"    github_url: {q(item.repository_url)}")
        lines.append(f"    badges: {q(','.join(b.badge for b in badges))}")
    for badge in scheme.badges:
        lines.append(f"{badge.key}_name: {q(badge.title)}")
    lines.append("---")
    return "\n".join(lines) + "\n"
