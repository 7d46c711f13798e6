"""The package version, where every stage may read it (``schedsim.__version__`` re-exports it)."""

__version__ = "0.1.0"
