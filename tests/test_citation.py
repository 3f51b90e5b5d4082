"""The project is citable and licensed: CITATION.cff is valid Citation File Format 1.2.0 and
cites the seed article; LICENSE is BSD-3-Clause, as pyproject.toml says."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).parents[1]
SCHEMA = Path(__file__).with_name("cff-1.2.0.schema.json")
"""The official CFF 1.2.0 schema (citation-file-format/citation-file-format, tag 1.2.0,
schema.json; CC-BY-4.0)."""
SEED_DOI = "10.29899/JRM.201001.0001"


def test_citation_file_is_valid_cff_1_2_0() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(cff)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["version"] == project["version"] and cff["license"] == "BSD-3-Clause"
    assert [r["doi"] for r in cff["references"] if "doi" in r] == [SEED_DOI]


def test_an_invalid_citation_file_is_caught() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = {"cff-version": "1.2.0", "message": "cite", "title": "x", "authors": []}
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(broken))
    assert errors


def test_licence_and_the_seed_article_are_where_a_reader_looks() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("BSD 3-Clause License")
    assert "security-dilemma developers" in licence
    for page in ("README.md", "docs/cases/bmd-europe.md", "docs/index.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert SEED_DOI in text, page
        assert "United States' BMDS Programs in Europe" in text, page
        assert "c. 2009/10" not in text and "shared/seeds" not in text, page
