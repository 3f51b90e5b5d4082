"""``dilemma serve``: a web application to explore cases, run them and read the results.

:func:`create_app` builds the FastAPI application from a :class:`WebConfig`; docs/web.md
describes its pages, its API under ``/api`` and its security model.
"""

from .app import create_app
from .config import WebConfig, is_loopback

__all__ = ["WebConfig", "create_app", "is_loopback"]
