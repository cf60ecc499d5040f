"""Session-wide test settings.

Small dense eigensolvers (the bulk of qbhw's tests) run much faster on one BLAS thread than on
several threads competing for CI's two cores, so the whole session runs with one BLAS thread.
Results do not depend on it.
"""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="session", autouse=True)
def _one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield
