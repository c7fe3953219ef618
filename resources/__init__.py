"""Data files shipped with Attnscope (sample corpora, demo model, icons), found via
importlib.resources."""
