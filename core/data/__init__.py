"""From text files to batches: reading a parallel corpus, tokenizing, vocabularies, compact
storage of the encoded pairs, length-bucketed batches, and the generated demo corpus."""
