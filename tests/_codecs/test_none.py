"""The none codec returns its input."""

import ndcodecs


def test_none():
    data = b'abc'
    assert ndcodecs.none_encode(data) is data
    assert ndcodecs.none_decode(data, 1, x=2) is data
    assert ndcodecs.none_check(data) is None
    assert ndcodecs.NONE.available
