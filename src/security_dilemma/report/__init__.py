"""The report: headline findings, figures and a self-contained HTML page of a case's runs.

>>> from security_dilemma.report import build_report, findings
"""

from .console import show_job, summary_table
from .figures import (
    backtest_figure,
    data_uri,
    map_figure,
    network_figure,
    trajectories_figure,
)
from .findings import LensFindings, findings, findings_by_lens, key_actors, key_dyads
from .html import DOCS_URL, build_report, write_report
from .whatif import answers_table, section_title, whatif_context, whatif_figure

__all__ = [
    "DOCS_URL",
    "LensFindings",
    "answers_table",
    "backtest_figure",
    "build_report",
    "data_uri",
    "findings",
    "findings_by_lens",
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
