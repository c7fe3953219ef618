"""``attnscope-cli`` (also ``python -m core``): the parser in ``core.cli.parser``, one module of
commands per group. ``main`` is the console entry point named in pyproject.toml."""

from core.cli.parser import build_parser, main

__all__ = ["build_parser", "main"]
