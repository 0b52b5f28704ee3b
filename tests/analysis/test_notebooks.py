"""The notebooks run, cell by cell, in a fresh kernel against the hand-built archive
(tests/handbuilt.py), so they never rot; and they are committed without outputs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.handbuilt import build_archive

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = ["outage_trends.ipynb", "time_to_resolve.ipynb"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("notebooks") / "handbuilt.duckdb"
    build_archive(path).close()  # the kernel opens it read-only from another process
    return path


def _run(name: str, archive: Path, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    """The notebook, executed in a fresh kernel against ``archive``."""
    monkeypatch.setenv("NOTICES_DB", str(archive))  # the kernel inherits the environment
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},  # run from notebooks/, as Jupyter does
    )
    client.execute()  # raises CellExecutionError on the first cell that fails
    return nb


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name: str, archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = _run(name, archive, monkeypatch)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert f"archive: {archive}" in text  # NOTICES_DB chose the archive
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "the notebook drew no plot"


def test_paperwork_plot_takes_posts_with_only_a_final_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Real NHSmail posts have a Final Update line but no Issue Reported one: their span is
    # publication to final, and they belong on the paperwork-against-observation plot.
    from tests.handbuilt import notice

    def relay(state: str, *more: str) -> str:
        return notice(f"INC10000001 – Relay Delay – {state}", "10/01/2023 09:00:00 AM",
                      "We are aware of delays on the relay.", *more)  # fmt: skip

    crawls = [
        (datetime(2023, 1, 10, 9, 30, tzinfo=UTC), [relay("NEW")]),
        (datetime(2023, 1, 10, 10, 30, tzinfo=UTC),
         [relay("RESOLVED", "Final Update: 10/01/2023 10:15:00 AM – Mail is flowing.")]),
    ]  # fmt: skip
    path = tmp_path / "final_only.duckdb"
    con = build_archive(path, crawls)
    spans = "SELECT reported_to_final_minutes, published_to_final_minutes FROM incidents"
    assert con.execute(spans).fetchall() == [(None, 75)]
    con.close()
    nb = _run("time_to_resolve.ipynb", path, monkeypatch)
    paperwork = next(c for c in nb.cells if "Paperwork against observation" in c.source
                     and c.cell_type == "code")  # fmt: skip
    kinds = [o.output_type for o in paperwork.outputs]
    assert any("image/png" in o.get("data", {}) for o in paperwork.outputs), kinds
    table = next(o for o in paperwork.outputs if o.output_type == "execute_result")
    assert "published to final" in table["data"]["text/plain"]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_clean(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    tagged = [cell for cell in code if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'DB = os.environ.get("NOTICES_DB", "data/demo.duckdb")' in tagged[0].source
