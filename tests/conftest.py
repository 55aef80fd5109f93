"""Session fixtures shared by every test directory."""
from pathlib import Path

import pytest

from bootlib import build_app


@pytest.fixture(scope="session")
def hello_image() -> Path:
    return build_app("hello")


@pytest.fixture(scope="session")
def selftest_image() -> Path:
    return build_app("selftest")
