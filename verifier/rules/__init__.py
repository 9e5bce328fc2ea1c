"""Rules as data: ``*.toml`` files in this folder, loaded and run by :mod:`.engine`."""
from __future__ import annotations

from functools import lru_cache

from .engine import Hit, Rule, RuleError, RuleSet, load_rules

__all__ = ["Hit", "Rule", "RuleError", "RuleSet", "load_rules", "default"]


@lru_cache(maxsize=1)
def default() -> RuleSet:
    return load_rules()
