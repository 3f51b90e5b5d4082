"""``python -m security_dilemma`` runs the ``dilemma`` command."""

from .cli import main

main()
