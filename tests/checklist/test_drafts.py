"""Claims drafted from USENIX (C_i) items for the author to complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ae.checklist import parse_appendix, parse_claims
from ae.checklist.drafts import draft_claims
from ae.errors import ClaimsError

DATA = Path(__file__).parent / "data"


def test_draft_has_one_claim_per_major_claim_and_asks_for_the_metric() -> None:
    appendix = parse_appendix((DATA / "usenix.tex").read_text())
    draft = draft_claims(appendix)
    assert draft.startswith("```claims\n") and draft.endswith("```\n")
    assert draft.count("[[claim]]") == 3
    assert 'id = "c1"' in draft and 'id = "c3"' in draft
    assert "expected = 2.3" in draft and 'unit = "x"' in draft
    assert 'relation = "at_most"' in draft  # "stays below 4 ms"
    assert "# proven by E2, E3" in draft
    # until the author names the metric, the block fails validation at the first claim
    with pytest.raises(ClaimsError, match=r'line 3: claim "c1": metric is missing'):
        parse_claims(draft, source="draft")


def test_completed_draft_parses() -> None:
    appendix = parse_appendix((DATA / "usenix.md").read_text())
    draft = draft_claims(appendix)
    completed = re.sub(r'# metric = "execution_time".*', 'metric = "execution_time"', draft)
    completed = completed.replace("# expected = 0.0", "expected = 1.0")
    claims = parse_claims(completed)
    assert [c.id for c in claims] == ["c1", "c2"]
    assert claims[0].expected == 31.0 and claims[1].relation == "at_most"
    assert claims[0].text.startswith("The detector finds 31")


def test_quotes_in_claim_text_are_escaped() -> None:
    text = '## Major Claims\n\n- (C1): The "fast" path is "2x" faster\n'
    draft = draft_claims(parse_appendix(text))
    assert 'text = "The \\"fast\\" path is \\"2x\\" faster"' in draft


def test_figure_numbers_and_ids_are_not_expected_values() -> None:
    text = ("## Major Claims\n\n"
            "- **(C1)** Partition-based systems have similar latency on VGG19 (Figure 5 in our "
            "paper).\n"
            "- **(C2)**: Figure 9: our CFI outperforms LLVM-CFI, see (E1) and Table 2.\n"
            "- **(C3)**: the detector catches up to 2050 attacks on an i9-13900K (Section 6.2).\n"
            "- **(C4)**: queries stay below 4 ms in Figures 3 and 4.\n")
    draft = draft_claims(parse_appendix(text))
    expected = re.findall(r"^(#? ?expected = [^\n]*)", draft, re.MULTILINE)
    assert expected == ["# expected = 0.0  # TODO: the value the paper reports",
                        "# expected = 0.0  # TODO: the value the paper reports",
                        "expected = 2050  # from the claim's text: check it",
                        "expected = 4  # from the claim's text: check it"]
    assert 'unit = "ms"' in draft
