"""Drop-in codecs for ids defined by other packages."""
