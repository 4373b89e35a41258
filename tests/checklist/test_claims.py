from __future__ import annotations

import pytest

from ae.checklist.claims import (
    Claim,
    find_claims_block,
    find_claims_blocks,
    parse_claims,
    parse_claims_toml,
)
from ae.checklist.tolerance import Tolerance
from ae.errors import AeError, ClaimsError

APPENDIX = """\
# Artifact Appendix

## Evaluation and expected results

Run `./run.sh` and compare with Table 2.

```claims
[[claim]]
id = "c1"
text = "The tuned kernel runs in about 1.5 s on the reference CPU"
metric = "execution_time"
expected = 1.5
unit = "s"
tolerance = "10%"
program = "cbench-automotive-susan"
cmd_key = "edges"
dataset = "image-pgm-0001"
hardware = "x86-cpu"
min_repetitions = 5

[[claim]]
id = "c2"
text = "Top-1 accuracy is at least 70 %"
metric = "##characteristics#run#accuracy_top1"
expected = 70
relation = "at_least"
tolerance = 0.5

[[claim]]
id = "c3"
text = "The output image matches the reference"
metric = "output"
relation = "equal"
```

## Notes
"""


def test_parses_full_appendix_block() -> None:
    claims = parse_claims(APPENDIX, source="appendix.md")
    assert [c.id for c in claims] == ["c1", "c2", "c3"]
    c1, c2, c3 = claims
    assert c1 == Claim(
        id="c1",
        text="The tuned kernel runs in about 1.5 s on the reference CPU",
        metric="execution_time",
        expected=1.5,
        relation="approx",
        tolerance=Tolerance(relative=pytest.approx(0.10)),
        unit="s",
        program="cbench-automotive-susan",
        cmd_key="edges",
        dataset="image-pgm-0001",
        hardware="x86-cpu",
        min_repetitions=5,
        line=8,
        source="appendix.md",
    )
    assert c2.relation == "at_least"
    assert c2.expected == 70.0 and isinstance(c2.expected, float)
    assert c2.tolerance == Tolerance(absolute=0.5)
    assert c2.line == APPENDIX.splitlines().index('id = "c2"')  # header is the line before
    assert c3.expected is None and c3.relation == "equal" and c3.metric == "output"
    assert c3.text.startswith("The output")


def test_claim_line_points_at_its_header() -> None:
    lines = APPENDIX.splitlines()
    for claim in parse_claims(APPENDIX):
        assert lines[claim.line - 1].strip() == "[[claim]]"
        assert lines[claim.line].strip() == f'id = "{claim.id}"'


def test_find_claims_block_returns_body_and_first_line() -> None:
    found = find_claims_block(APPENDIX)
    assert found is not None
    body, first = found
    assert first == 8
    assert body.splitlines()[0] == "[[claim]]"
    assert body.splitlines()[-1] == 'relation = "equal"'


def test_no_block_gives_empty_list() -> None:
    assert parse_claims("# Appendix\n\nNothing measurable here.\n") == []
    assert find_claims_block("```toml\n[[claim]]\n```\n") is None
    assert parse_claims("") == []


def test_tilde_fence_and_longer_fences() -> None:
    text = "intro\n~~~~ claims\n[[claim]]\nid='a'\nmetric='m'\nexpected=1\n~~~~\n"
    (claim,) = parse_claims(text)
    assert claim.line == 3
    text = "````claims\n[[claim]]\nid='a'\nmetric='m'\nexpected=1\n```\nstill inside\n````\n"
    body, first = find_claims_block(text) or ("", 0)
    assert "still inside" in body and first == 2


def test_several_blocks_are_merged_and_ids_checked_across_them() -> None:
    block = "```claims\n[[claim]]\nid = '{}'\nmetric = 'm'\nexpected = 1\n```\n"
    text = block.format("a") + "between\n" + block.format("b")
    assert [c.id for c in parse_claims(text)] == ["a", "b"]
    assert len(find_claims_blocks(text)) == 2
    dup = block.format("a") + "between\n" + block.format("a")
    with pytest.raises(ClaimsError, match=r'line 9: claim "a": duplicate id, already used on line 2'
                       ):
        parse_claims(dup, source="x.md")


def test_unclosed_block_names_its_opening_line() -> None:
    with pytest.raises(ClaimsError, match=r"appendix\.md line 3: the claims block opened here"):
        parse_claims("a\nb\n```claims\n[[claim]]\n", source="appendix.md")


def test_relation_error_message_is_the_documented_sentence() -> None:
    text = "x\n" * 40 + "```claims\n[[claim]]\nid = 'c2'\nmetric = 'm'\nexpected = 1\n" \
        "relation = \"about\"\n```\n"
    with pytest.raises(ClaimsError) as info:
        parse_claims(text, source="appendix.md")
    assert str(info.value) == (
        'appendix.md line 46: claim "c2": relation must be one of approx, at_most, at_least, '
        'equal (got "about")'
    )
    assert isinstance(info.value, AeError)


def test_toml_syntax_error_is_mapped_to_appendix_line() -> None:
    text = "l1\nl2\nl3\n```claims\n[[claim]]\nid = 'c1'\nmetric = execution_time\n```\n"
    with pytest.raises(ClaimsError, match=r"^appendix\.md line 7: invalid TOML in the claims"):
        parse_claims(text, source="appendix.md")


def test_toml_error_at_end_of_document() -> None:
    with pytest.raises(ClaimsError, match=r"claims\.toml line \d+: invalid TOML"):
        parse_claims_toml("[[claim]]\nid = 'a'\ntext = '''unterminated\n")


def test_line_offset_applies_to_claims_toml() -> None:
    (claim,) = parse_claims_toml("\n\n[[claim]]\nid='a'\nmetric='m'\nexpected=2\n", line_offset=100)
    assert claim.line == 103 and claim.source == "claims.toml"


def _one(body: str) -> str:
    return "[[claim]]\n" + body


@pytest.mark.parametrize(
    ("toml", "line", "fragment"),
    [
        (_one("metric='m'\nexpected=1\n"), 1, "claim #1: id is missing"),
        (_one("id=3\nmetric='m'\nexpected=1\n"), 2, "claim #1: id must be a string"),
        (_one("id='has space'\nmetric='m'\nexpected=1\n"), 2, "id must be a string"),
        (_one("id='a'\nexpected=1\n"), 1, 'claim "a": metric is missing'),
        (_one("id='a'\nmetric=''\nexpected=1\n"), 3, "metric must be a non-empty name"),
        (_one("id='a'\nmetric='exec time'\nexpected=1\n"), 3, "metric must be a non-empty name"),
        (_one("id='a'\nmetric=5\nexpected=1\n"), 3, "metric must be a non-empty name"),
        (_one("id='a'\nmetric='m'\n"), 1, 'expected is missing; relation "approx" needs a number'),
        (_one("id='a'\nmetric='m'\nrelation='at_most'\n"), 1, 'relation "at_most" needs a number'),
        (_one("id='a'\nmetric='m'\nexpected='3'\n"), 4, 'expected must be a number (got "3")'),
        (_one("id='a'\nmetric='m'\nexpected=true\n"), 4, "expected must be a number (got true)"),
        (_one("id='a'\nmetric='m'\nexpected=nan\n"), 4, "expected must be a finite number"),
        (_one("id='a'\nmetric='m'\nexpected=inf\n"), 4, "expected must be a finite number"),
        (_one("id='a'\nmetric='m'\nexpected=1\nrelation='about'\n"), 5, "relation must be one of"),
        (_one("id='a'\nmetric='m'\nexpected=1\ntolerance='-5%'\n"), 5, "must not be negative"),
        (_one("id='a'\nmetric='m'\nexpected=1\ntolerance=-0.1\n"), 5, "not negative"),
        (_one("id='a'\nmetric='m'\nexpected=1\ntolerance='ten'\n"), 5, "percentage like"),
        (_one("id='a'\nmetric='m'\nexpected=1\ntolerance='0.1'\n"), 5, "percentage like"),
        (_one("id='a'\nmetric='m'\nexpected=1\ntolerance=[1]\n"), 5, "(got an array)"),
        (_one("id='a'\nmetric='m'\nexpected=1\nunit=3\n"), 5, "unit must be a string (got 3)"),
        (_one("id='a'\nmetric='m'\nexpected=1\nprogram={x=1}\n"), 5, "(got a table)"),
        (_one("id='a'\nmetric='m'\nexpected=1\nmin_repetitions=0\n"), 5, "at least 1"),
        (_one("id='a'\nmetric='m'\nexpected=1\nmin_repetitions=2.5\n"), 5, "whole number"),
        (_one("id='a'\nmetric='m'\nexpected=1\nmin_repetitions=true\n"), 5, "whole number"),
        (_one("id='a'\nmetric='m'\nexpected=1\ncolour='red'\n"), 5, 'unknown key "colour"'),
        (_one("id='a'\nmetric='output'\nrelation='approx'\nexpected=1\n"), 4, 'relation = "equal"'),
        (_one("id='a'\nmetric='output'\n"), 3, 'relation = "equal"'),
        ("title = 'x'\n" + _one("id='a'\nmetric='m'\nexpected=1\n"), 1, 'unknown top-level key'),
        ("[[claims]]\nid='a'\n", 1, "write each claim as a [[claim]] table"),
        ("claim = 'x'\n", 1, "claim must be an array of tables"),
        (_one("id='a'\nmetric='m'\nexpected=1\n") + _one("id='a'\nmetric='m'\nexpected=2\n"),
         5, "duplicate id, already used on line 21"),
    ],
)
def test_validation_errors_name_the_line(toml: str, line: int, fragment: str) -> None:
    with pytest.raises(ClaimsError) as info:
        parse_claims_toml(toml, source="c.toml", line_offset=20)
    message = str(info.value)
    assert message.startswith(f"c.toml line {line + 20}: "), message
    assert fragment in message
    assert "\n" not in message


def test_second_claim_errors_point_into_second_table() -> None:
    first = _one("id='a'\nmetric='m'\nexpected=1\n") + "\n"
    toml = first + _one("id='b'\nmetric='m'\nexpected=x\n")
    with pytest.raises(ClaimsError, match=r"^c\.toml line 9: "):
        parse_claims_toml(toml, source="c.toml")
    toml = _one("id='a'\nmetric='m'\nexpected=1\n") + "\n" + _one("id='b'\nmetric='m'\n")
    with pytest.raises(ClaimsError, match=r'^c\.toml line 6: claim "b": expected is missing'):
        parse_claims_toml(toml, source="c.toml")


def test_subtable_after_claim_does_not_capture_its_keys() -> None:
    toml = _one("id='a'\nmetric='m'\nexpected=1\n") + "[claim.extra]\n"
    with pytest.raises(ClaimsError):
        parse_claims_toml(toml)


def test_tolerance_forms() -> None:
    def tol(value: str) -> tuple[float | None, float | None]:
        (c,) = parse_claims_toml(_one(f"id='a'\nmetric='m'\nexpected=10\ntolerance={value}\n"))
        assert c.tolerance is not None
        return c.tolerance.relative, c.tolerance.absolute

    assert tol("'10%'") == (pytest.approx(0.10), None)
    assert tol("'2.5 %'") == (pytest.approx(0.025), None)
    assert tol("'0%'") == (0.0, None)
    assert tol("'.5%'") == (pytest.approx(0.005), None)
    assert tol("0.5") == (None, 0.5)
    assert tol("3") == (None, 3.0)


def test_inline_array_form_is_accepted() -> None:
    toml = (
        "\nclaim = [{id='a', metric='m', expected=1},"
        " {id='b', metric='output', relation='equal'}]\n"
    )
    claims = parse_claims_toml(toml)
    assert [c.id for c in claims] == ["a", "b"]
    assert all(c.line == 2 for c in claims)


def test_equal_relation_on_numeric_metric_keeps_value() -> None:
    (c,) = parse_claims_toml(_one("id='n'\nmetric='checksum'\nrelation='equal'\nexpected=42\n"))
    assert c.relation == "equal" and c.expected == 42.0


def test_empty_block_gives_no_claims() -> None:
    assert parse_claims("```claims\n```\n") == []
    assert parse_claims("```claims\n# nothing yet\n```\n") == []


def test_latex_appendix_carries_the_block_in_verbatim() -> None:
    text = (
        "\\subsection{Evaluation and expected results}\n\\begin{verbatim}\n```claims\n"
        "[[claim]]\nid = \"c1\"\nmetric = \"execution_time\"\nexpected = 2.0\n```\n"
        "\\end{verbatim}\n"
    )
    (claim,) = parse_claims(text, source="ae.tex")
    assert claim.line == 4 and claim.expected == 2.0 and claim.source == "ae.tex"
