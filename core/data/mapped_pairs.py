"""Training pairs drawn from a ``TokenStore`` a sentence at a time: provisional ids mapped to the
vocabulary when a batch is made, so no second, encoded copy of the corpus is ever built.

With the store on disk this reads from memory maps; resident memory stays flat however large the
corpus (``TokenSide.row_ids`` renews the maps every ``REFRESH_EVERY`` rows: see why there).
"""

from __future__ import annotations

import numpy as np

from core.data.pair_store import TokenStore
from core.data.vocab import EOS_ID, Vocab

_EOS = np.array([EOS_ID], dtype=np.int32)


class MappedPairs:
    """``pair(i)`` = (source ids, target ids) of training pair ``i``, each ending in </s>; pair
    ``i`` is row ``rows[i]`` of the store (all rows when ``rows`` is None)."""

    def __init__(
        self, store: TokenStore, src_vocab: Vocab, tgt_vocab: Vocab, rows: np.ndarray | None
    ) -> None:
        self.store, self.rows = store, rows
        self.src_lookup = store.src.lookup(src_vocab)
        self.tgt_lookup = store.tgt.lookup(tgt_vocab)
        # (n, 2) int32 lengths with </s>, the one per-pair table kept (8 bytes a pair)
        self.table = np.empty((len(store) if rows is None else len(rows), 2), dtype=np.int32)
        for column, side in enumerate((store.src, store.tgt)):
            lengths = side.lengths()
            self.table[:, column] = lengths if rows is None else lengths[rows]
            del lengths
        self.table += 1
        self.src_len, self.tgt_len = self.table[:, 0], self.table[:, 1]

    def __len__(self) -> int:
        return len(self.src_len)

    def pair(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        row = int(i if self.rows is None else self.rows[i])
        src = self.src_lookup[self.store.src.row_ids(row)]
        tgt = self.tgt_lookup[self.store.tgt.row_ids(row)]
        return np.concatenate([src, _EOS]), np.concatenate([tgt, _EOS])

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self.pair(i)

    def lengths(self) -> np.ndarray:
        """(n, 2) int32: source and target length of every pair, for length bucketing."""
        return self.table
