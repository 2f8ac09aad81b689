"""Shared fixtures (helpers are in common.py, which the test modules import)."""

import pytest

import ndcodecs._isolation


@pytest.fixture(params=['image', 'text'])
def payload_kind(request):
    return request.param


@pytest.fixture(params=['helper', 'forked'])
def isolation(request, monkeypatch):
    """Run a test of a decoder that isolates its library both ways: in a
    helper process, and in forked children (where helpers cannot start)."""
    if request.param == 'forked':
        monkeypatch.setattr(ndcodecs._isolation, 'acquire', lambda module: None)
    return request.param
