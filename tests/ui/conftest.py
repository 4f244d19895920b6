import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def chinese_first():
    """A request that switched language leaves it active in the thread; each test starts in Chinese."""
    with translation.override("zh-hans"):
        yield
