from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import make_settings
from tests.webhooks.support import Receiver


@pytest.fixture
def receiver() -> Iterator:
    made = []

    def make(script: list) -> Receiver:
        made.append(Receiver(script))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def settings(seeded_url, tmp_path):
    """Quick retries, and loopback allowed: the receivers of these tests listen on 127.0.0.1."""
    return make_settings(
        seeded_url,
        tmp_path,
        webhook_timeout_s=0.5,
        webhook_backoff_s=10,
        webhook_max_attempts=3,
        webhook_allow_loopback=True,
    )
