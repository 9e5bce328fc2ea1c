"""Where the shipped data files live: package data when installed, the repo tree in a checkout."""
from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def _package_dir(package: str) -> Path | None:
    """The folder of a data-only package (a namespace package: it has no __init__.py)."""
    import importlib

    try:
        mod = importlib.import_module(package)
    except ImportError:
        return None
    for p in getattr(mod, "__path__", ()):
        if Path(p).is_dir():
            return Path(p)
    return None


def registry_dir() -> Path:
    env = os.environ.get("VERIFIER_REGISTRY_DIR")
    if env:
        return Path(env)
    repo = _REPO / "data" / "registry"
    if repo.is_dir():
        return repo
    return _package_dir("verifier._registry") or repo


def models_dir() -> Path:
    env = os.environ.get("VERIFIER_MODELS_DIR")
    if env:
        return Path(env)
    repo = _REPO / "models"
    if repo.is_dir():
        return repo
    return _package_dir("verifier._models") or repo


def rules_dir() -> Path:
    return Path(__file__).resolve().parent / "rules"
