"""The 'none' codec: returns its input unchanged, as imagecodecs does."""

from .._errors import error_class

__all__ = ['NONE', 'NoneError', 'none_version', 'none_check', 'none_encode', 'none_decode']


class NONE:
    """None codec constants."""

    available = True


NoneError = error_class('none')


def none_version():
    """Return an empty version string: there is no library."""
    return ''


def none_check(data, /):
    """Return None: any data may be unencoded."""
    return None


def none_encode(data, *args, **kwargs):
    """Return `data` unchanged."""
    return data


def none_decode(data, *args, **kwargs):
    """Return `data` unchanged."""
    return data
