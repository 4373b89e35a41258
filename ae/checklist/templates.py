"""Appendix templates that `ae appendix new` writes, keyed by family.

The Markdown template follows the cTuning check-list appendix section by section. Every hint is an
HTML comment, so an untouched copy parses as entirely empty and a filled-in copy keeps no template
text. The claims block ships commented out: uncomment and complete it.
"""

from __future__ import annotations

from ae.checklist.labels import ITEMS

_ITEM_HINTS: dict[str, str] = {
    "algorithm": "is a new algorithm presented? name it",
    "program": "programs or benchmarks used; bundled or downloaded; versions; size",
    "compilation": "compiler needed, version, public or bundled",
    "transformations": "program transformation tools (source-to-source, binary, compiler pass)",
    "binary": "binaries included? for which OS and architecture?",
    "model": "ML models used, bundled or how to get them, size",
    "data_set": "data sets used, bundled or how to get them, size",
    "run_time_environment": "OS and version, main software dependencies, root access needed?",
    "hardware": "hardware needed (CPU, GPU, FPGA, counters); is it publicly available?",
    "run_time_state": "is the result sensitive to cache state or contention?",
    "execution": "special conditions (sole user, pinning, profiling); approximate run time",
    "metrics": "what is measured (execution time, throughput, accuracy, power)",
    "output": "what the experiments produce (console, files, tables, plots); key results",
    "experiments": "how to prepare and run them (README, scripts, containers); allowed variation",
    "disk_space": "e.g. 5 GB",
    "preparation_time": "e.g. 30 minutes",
    "experiments_time": "e.g. 2 hours",
    "publicly_available": "yes or no",
    "code_licenses": "e.g. Apache-2.0",
    "data_licenses": "e.g. CC-BY-4.0",
    "workflow_framework": "e.g. CK, CM, Make, Snakemake, none",
    "archived": "the DOI of the archived artifact, e.g. 10.5281/zenodo.N",
}

_SECTIONS_BEFORE = """\
# Artifact Appendix

<!-- Written with `ae appendix new --family ctuning-md`. Replace each HTML comment with your own
     text; delete check-list items that do not apply to your artifact. -->

## Abstract

<!-- Obligatory. A few sentences: what the artifact contains, what it needs to run (hardware,
     software, data) and which results of the paper it lets an evaluator obtain. Evaluators
     choose artifacts from this text. -->

## Artifact check-list (meta-information)

<!-- Obligatory. A few informal keywords per item. -->

"""

_SECTIONS_AFTER = """
## Description

### How to access

<!-- Obligatory. Where to get the artifact: DOI of the archive, repository URL and commit, or how
     evaluators receive private access. Say how much disk space it needs once unpacked. -->

### Hardware dependencies

<!-- Hardware needed to run the experiments, and what happens on other hardware. -->

### Software dependencies

<!-- Operating system, compilers, libraries and tools, with versions. -->

### Data sets

<!-- Data sets used, where they come from, their size. -->

### Models

<!-- Models used, where they come from, their size. -->

## Installation

<!-- Obligatory. The exact commands that install the artifact and its dependencies. -->

## Experiment workflow

<!-- How the experiments are run: scripts, workflow steps, what each step produces. -->

## Evaluation and expected results

<!-- Obligatory. Each step that reproduces the paper's key results, the results to expect (name
     the figures and tables) and the maximum variation you consider acceptable. Uncomment and
     complete the claims block so the service can check the numbers automatically. -->

```claims
# [[claim]]
# id = "c1"
# text = "What the paper claims, in one sentence"
# metric = "execution_time"
# expected = 1.0
# unit = "s"
# relation = "approx"
# tolerance = "10%"
# program = "name of the CK program entry"
```

## Experiment customization

<!-- How to run the experiments with other inputs, parameters, software or hardware. -->

## Reusability

<!-- How others can build on the artifact beyond the paper. -->

## Notes

<!-- Anything else evaluators should know. -->
"""


def ctuning_md() -> str:
    """Return the Markdown cTuning check-list template."""
    items = "".join(f"* **{label}:** <!-- {_ITEM_HINTS[key]} -->\n" for key, label in ITEMS)
    return _SECTIONS_BEFORE + items + _SECTIONS_AFTER


TEMPLATES = {"ctuning-md": ctuning_md}


def template(family: str) -> str:
    """Return the template text of a family; KeyError names the families that have one."""
    try:
        return TEMPLATES[family]()
    except KeyError:
        raise KeyError(f"no template for family {family!r}; available: {', '.join(TEMPLATES)}") \
            from None
