"""Shared fixtures (helpers are in common.py, which the test modules import)."""

import pytest


@pytest.fixture(params=['image', 'text'])
def payload_kind(request):
    return request.param
