"""Exception classes: CodecError and one subclass per codec."""

__all__ = ['CodecError', 'DelayedImportError', 'error_class']


class CodecError(RuntimeError):
    """Base class of every codec's error (a RuntimeError)."""


class DelayedImportError(CodecError, ImportError):
    """Raised by the functions of a codec whose library was not built."""


_classes: dict[str, type] = {}


def error_class(name: str) -> type:
    """Return the error class of codec `name`, e.g. ZstdError for 'zstd'.

    Classes are made once and live in the ndcodecs namespace, so that
    errors raised in worker processes unpickle to the same class.
    """
    try:
        return _classes[name]
    except KeyError:
        pass
    clsname = name.capitalize() + 'Error'
    cls = type(clsname, (CodecError,), {
        '__module__': 'ndcodecs',
        '__doc__': f'Error raised by the {name} codec.',
    })
    return _classes.setdefault(name, cls)
