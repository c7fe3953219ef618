"""From a trained model to translations: greedy/beam/forced search, the ``Translator`` that
tokenizes, searches and detokenizes, and which weights of a folder to translate with."""
