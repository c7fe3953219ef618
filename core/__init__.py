"""Attnscope's engine: corpus → tokenizer → vocabulary → model → trainer → decoder. No Qt here."""

__version__ = "0.1.0"
