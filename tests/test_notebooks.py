"""The notebook gallery (docs/notebooks/) runs from top to bottom in a fresh kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

GALLERY = Path(__file__).parents[1] / "docs" / "notebooks"
NOTEBOOKS = sorted(GALLERY.glob("*.ipynb"))


def outputs(book: nbformat.NotebookNode) -> list[dict[str, object]]:
    return [out for cell in book.cells if cell.cell_type == "code" for out in cell.outputs]


def test_the_gallery_has_its_four_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01-first-run.ipynb",
        "02-build-a-case.ipynb",
        "03-backtest.ipynb",
        "04-sweep.ipynb",
    ]
    for path in NOTEBOOKS:  # kept without outputs: the tests make them
        assert outputs(nbformat.read(path, as_version=4)) == [], path.name


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_notebook_runs(path: Path, tmp_path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    client = NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    produced = outputs(book)
    assert not [o for o in produced if o.get("output_type") == "error"]
    if path.name.startswith("01"):
        html = [o["data"]["text/html"] for o in produced if "text/html" in o.get("data", {})]
        assert any("bmd-europe" in str(h) and "<table>" in str(h) for h in html)
        assert any("image/png" in o.get("data", {}) for o in produced)
        assert (tmp_path / "first-run.nc").exists()
    if path.name.startswith("04"):
        assert (tmp_path / "sweep.duckdb").exists()
