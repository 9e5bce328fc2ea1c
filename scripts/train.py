#!/usr/bin/env python3
"""Train the verifier classifier from data/corpus — one deterministic command.

    python scripts/train.py                 # writes models/verifier.joblib + .fast.npz + the card verifier.json
    python scripts/train.py --out /tmp/m --limit 600 --quick   # a small, fast run (tests)

The work is done by verifier.training (split, style augmentation, leave-one-writer-out model
selection, held-out and style-shifted scores); see its docstring.
"""
import sys
from pathlib import Path

from verifier.training import main

REPO = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    # this checkout's corpus and models folder, whichever copy of verifier is imported
    sys.exit(main(["--corpus", str(REPO / "data" / "corpus"), "--out", str(REPO / "models")] + sys.argv[1:]))
