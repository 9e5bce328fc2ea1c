import pytest


@pytest.fixture(scope="session")
def pipeline():
    from verifier import analysis as pl

    return pl.default()
