"""The report: headline findings, figures and a self-contained HTML page of a case's runs.

>>> from security_dilemma.report import build_report, findings
"""

from .console import summary_table
from .counterfactuals import answers_table, section_title, whatif_context, whatif_figure
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
    "answers_table",
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
    "section_title",
    "show_job",
    "summary_table",
    "trajectories_figure",
    "whatif_context",
    "whatif_figure",
    "write_report",
]
