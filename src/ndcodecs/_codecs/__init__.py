"""Codecs written in Python: no native library behind them."""
