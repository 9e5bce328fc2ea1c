import pytest


@pytest.fixture(scope="session")
def pipeline():
    from verifier import pipeline as pl

    return pl.default()
