"""From a trained model to translations: greedy/beam/forced search, the search tree a beam
explored, one sentence's inspection (N-best, tree, what-if), the ``Translator`` that tokenizes,
searches and detokenizes, and which weights of a folder to translate with."""
