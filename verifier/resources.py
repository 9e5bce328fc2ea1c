"""Where the shipped data files live: package data when installed, the repo tree in a checkout."""
from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def _in_checkout() -> bool:
    """True when this package runs from a source checkout (editable install or the repo on
    sys.path): then the checkout's data/registry and models/ are the ones to use. An installed
    copy uses only its own package data — never a "models" or "data" folder that happens to sit
    next to it in site-packages."""
    return (_REPO / "pyproject.toml").is_file() and (_REPO / "verifier" / "__init__.py").is_file() \
        and (_REPO / "verifier").resolve() == Path(__file__).resolve().parent


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
    if _in_checkout() and repo.is_dir():
        return repo
    return _package_dir("verifier._registry") or Path(__file__).resolve().parent / "_registry"


def models_dir() -> Path:
    env = os.environ.get("VERIFIER_MODELS_DIR")
    if env:
        return Path(env)
    repo = _REPO / "models"
    if _in_checkout() and repo.is_dir():
        return repo
    return _package_dir("verifier._models") or Path(__file__).resolve().parent / "_models"


def rules_dir() -> Path:
    return Path(__file__).resolve().parent / "rules"
