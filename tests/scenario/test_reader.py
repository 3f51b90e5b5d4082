"""Safe YAML reading: tags, aliases, size, duplicates, encodings, positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from security_dilemma.errors import BadInput
from security_dilemma.scenario.reader import MAX_BYTES, read_yaml, read_yaml_text


def problems(text: str) -> list[str]:
    with pytest.raises(BadInput) as info:
        read_yaml_text(text, "case.yaml")
    return [str(p) for p in info.value.problems]


def test_positions_are_one_based_lines_and_columns() -> None:
    doc = read_yaml_text("a: 1\nlist:\n  - x: 2\n    y: [3, 4]\n", "f.yaml")
    assert doc.data == {"a": 1, "list": [{"x": 2, "y": [3, 4]}]}
    assert doc.positions[("a",)] == (1, 4)
    assert doc.positions[("list", 0, "x")] == (3, 8)
    assert doc.positions[("list", 0, "y", 1)] == (4, 12)
    assert doc.key_positions[("list", 0, "y")] == (4, 5)


def test_python_tags_are_rejected_with_their_line() -> None:
    text = "a: 1\nb: !!python/object/apply:os.system ['echo hacked']\n"
    (msg,) = problems(text)
    assert msg.startswith("case.yaml:2:")
    assert "not allowed" in msg


def test_custom_tags_are_rejected() -> None:
    (msg,) = problems("a: !secret x\n")
    assert "tag" in msg and "case.yaml:1:" in msg


def test_billion_laughs_is_bounded() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    (msg,) = problems("\n".join(lines) + "\n")
    assert "too many values" in msg


def test_small_aliases_are_fine() -> None:
    doc = read_yaml_text("base: &b {x: 1}\nother: *b\n")
    assert doc.data == {"base": {"x": 1}, "other": {"x": 1}}


def test_duplicate_keys_are_errors() -> None:
    (msg,) = problems("a: 1\nb: 2\na: 3\n")
    assert msg.startswith("case.yaml:3:1: a: duplicate key 'a'")


def test_merge_keys_are_refused() -> None:
    (msg,) = problems("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert "merge keys" in msg


def test_syntax_errors_name_the_line() -> None:
    (msg,) = problems("a: 1\nb: [1, 2\nc: 3\n")
    assert msg.startswith("case.yaml:")
    assert "invalid YAML" in msg


def test_nul_bytes_and_huge_files(tmp_path: Path) -> None:
    (msg,) = problems("a: 1\nb: \x00\n")
    assert "case.yaml:2" in msg and "NUL" in msg
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (MAX_BYTES + 1) + b"\n")
    with pytest.raises(BadInput, match="larger than"):
        read_yaml(big)


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nname: Kürecik\n".encode("latin-1"))
    with pytest.raises(BadInput) as info:
        read_yaml(path)
    (p,) = info.value.problems
    assert (p.line, p.col) == (2, 8)
    assert "UTF-8" in p.message


def test_bom_is_accepted_and_missing_files_are_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffa: 1\n".encode())
    assert read_yaml(path).data == {"a": 1}
    with pytest.raises(BadInput, match="no such file"):
        read_yaml(tmp_path / "missing.yaml")
    with pytest.raises(BadInput, match="directory"):
        read_yaml(tmp_path)


def test_deep_nesting_is_bounded() -> None:
    (msg,) = problems("a: " + "[" * 200 + "]" * 200 + "\n")
    assert "nests too deeply" in msg or "nested too deeply" in msg
