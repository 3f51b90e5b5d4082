"""The report: headline findings, figures and a self-contained HTML page of a case's runs.

>>> from security_dilemma.report import build_report, findings
"""

from .console import summary_table
from .figures import (
    backtest_figure,
    data_uri,
    map_figure,
    network_figure,
    trajectories_figure,
)
from .findings import LensFindings, findings, findings_by_lens, key_actors, key_dyads
from .html import DOCS_URL, build_report, write_report
from .job import JobOutput, finish_run, show_job

__all__ = [
    "DOCS_URL",
    "JobOutput",
    "LensFindings",
    "backtest_figure",
    "build_report",
    "data_uri",
    "findings",
    "findings_by_lens",
    "finish_run",
    "key_actors",
    "key_dyads",
    "map_figure",
    "network_figure",
    "show_job",
    "summary_table",
    "trajectories_figure",
    "write_report",
]
