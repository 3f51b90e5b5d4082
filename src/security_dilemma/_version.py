"""The installed version; a module of its own so that ``import security_dilemma`` does not pay
for ``importlib.metadata`` until ``security_dilemma.__version__`` is asked for."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("security-dilemma")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"
