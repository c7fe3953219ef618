"""Tokenized pairs kept compactly: flat int32 arrays plus offsets, not Python lists of strings.

A corpus of a few hundred megabytes would take many gigabytes as lists of token strings; here a
token costs 4 bytes. Tokens get provisional ids (one type table per language) while the corpus
streams in; once the vocabulary is known they are mapped to its ids, a sentence at a time when a
batch is drawn (``core.data.mapped_pairs``) or all at once (``PairCollector.encode``).

The ids go either to memory or, with ``folder``, to files written in chunks of ~1M tokens, so a
corpus larger than memory streams to disk (``core.data.corpus_cache`` keeps those files).

Each pair also gets a key (int64, equal for equal tokenized pairs), so exact duplicates can be kept
on one side of the dev split without a pass over the tokens: a hash of the pair's provisional ids,
which (unlike a hash of strings) is the same in every process, so a cached corpus's keys mean the
same for every run and every rank that maps it.
"""

from __future__ import annotations

import json
import os
import weakref
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from core.data.vocab import EOS_ID, UNK_ID, Vocab

_ENCODE_BLOCK = 1 << 20  # output tokens gathered per step in TokenSide.encode
_FLUSH_TOKENS = 1 << 20  # tokens a side buffers before writing them to its file
_READ_BLOCK = 1 << 22  # offsets read per step when a full pass is needed
_FLUSH_KEYS = 1 << 17  # pair keys buffered before writing them to their file
SIDES = ("src", "tgt")
KEYS_FILE = "pairs.keys"
# rows read from a mapped side between renewals of its maps (see ``TokenSide.refresh``). One
# random read maps far more than its own 4 KB page: the kernel maps the page-cache folio around
# it (~100 KB each measured on a 2 GB corpus, with MADV_RANDOM too), so 4,096 reads left ~0.4 GB
# counted per array; 128 keep it near 50 MB in all
REFRESH_EVERY = 128


class _SideWriter:
    """One language's token stream with its own provisional type table."""

    def __init__(self, folder: Path | None, side: str) -> None:
        self.types: dict[str, int] = {}
        self.names: list[str] = []
        self.ids = array("i")  # in memory: every id; on disk: those not yet written
        self.offsets = array("q", [0])
        self.written = 0  # tokens already in the file
        self.counts = np.zeros(0, dtype=np.int64)
        self.side = side
        self.files: tuple[BinaryIO, BinaryIO] | None = None
        if folder is not None:
            # open for the whole build, closed by finish() or close()
            ids_file = open(folder / f"{side}.ids", "wb")  # noqa: SIM115
            self.files = (ids_file, open(folder / f"{side}.offsets", "wb"))  # noqa: SIM115

    def add(self, tokens: list[str]) -> tuple[int, ...]:
        """Append one sentence; returns its provisional ids (for the pair's key)."""
        types, names, ids = self.types, self.names, self.ids
        row = []
        for tok in tokens:
            i = types.get(tok)
            if i is None:
                i = types[tok] = len(names)
                names.append(tok)
            row.append(i)
        ids.extend(row)
        self.offsets.append(self.written + len(ids))
        if self.files is not None and len(ids) >= _FLUSH_TOKENS:
            self.flush()
        return tuple(row)

    def flush(self) -> None:
        """Write the buffered ids and offsets (counting the ids on the way) and empty the
        buffers."""
        assert self.files is not None
        chunk = np.frombuffer(self.ids, dtype=np.int32)
        self._count(chunk)
        self.files[0].write(self.ids.tobytes())
        self.files[1].write(self.offsets.tobytes())
        self.written += len(self.ids)
        self.ids = array("i")
        self.offsets = array("q")

    def _count(self, ids: np.ndarray) -> None:
        counts = np.bincount(ids, minlength=len(self.names))
        counts[: len(self.counts)] += self.counts
        self.counts = counts

    def finish(self) -> TokenSide:
        """The side, readable, in memory."""
        self._count(np.frombuffer(self.ids, dtype=np.int32))
        ids = np.frombuffer(self.ids, dtype=np.int32)
        offsets = np.frombuffer(self.offsets, dtype=np.int64)
        return TokenSide(self.names, self.counts, ids=ids, offsets=offsets)

    def write(self, folder: Path) -> None:
        """The rest of the ids, the type table and the counts into ``folder``, synced, closed."""
        self.flush()
        self.close(sync=True)
        (folder / f"{self.side}.types.json").write_text(
            json.dumps(self.names, ensure_ascii=False), encoding="utf-8"
        )
        np.save(folder / f"{self.side}.counts.npy", self.counts)

    def close(self, sync: bool = False) -> None:
        for f in self.files or ():
            if sync:
                _close_synced(f)
            else:
                f.close()


def _close_synced(f: BinaryIO) -> None:
    if not f.closed:
        f.flush()
        os.fsync(f.fileno())
        f.close()


class PairCollector:
    """Receives tokenized pairs one at a time (as ``core.data.corpus.load_pairs`` streams them).

    With ``folder`` the ids are written there in chunks (memory stays flat); ``finish()`` then
    returns a ``TokenStore`` reading them back through memory maps.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = None if folder is None else Path(folder)
        self.src, self.tgt = _SideWriter(self.folder, "src"), _SideWriter(self.folder, "tgt")
        self.n = 0
        self._keys = array("q")  # in memory: every key; on disk: those not yet written
        self._keys_file: BinaryIO | None = None
        if self.folder is not None:
            self._keys_file = open(self.folder / KEYS_FILE, "wb")  # noqa: SIM115
        self._store: TokenStore | None = None

    def __call__(self, src: list[str], tgt: list[str]) -> None:
        # equal pairs get equal keys (64-bit: a false match is ~1e-7 likely in 1e6 pairs); ints
        # hash alike in every process, strings do not (PYTHONHASHSEED)
        self._keys.append(hash((self.src.add(src), self.tgt.add(tgt))))
        self.n += 1
        if self._keys_file is not None and len(self._keys) >= _FLUSH_KEYS:
            self._flush_keys()

    def _flush_keys(self) -> None:
        assert self._keys_file is not None
        self._keys_file.write(self._keys.tobytes())
        self._keys = array("q")

    def keys(self) -> np.ndarray:
        """One int64 per pair, equal for equal (tokenized) pairs: finds exact duplicates."""
        if self.folder is None:
            return np.frombuffer(self._keys, dtype=np.int64)
        return self.finish().keys()

    def __len__(self) -> int:
        return self.n

    def finish(self) -> TokenStore:
        """The collected pairs, readable (with ``folder``: written, then mapped from there)."""
        if self._store is None:
            if self.folder is None:
                keys = np.frombuffer(self._keys, dtype=np.int64)
                self._store = TokenStore(self.src.finish(), self.tgt.finish(), self.n, keys)
            else:
                self.write()
                self._store = TokenStore.open(self.folder, self.n)
        return self._store

    def write(self) -> None:
        """With ``folder``: finish its files without opening them (the corpus cache renames the
        folder into place first)."""
        assert self.folder is not None and self._keys_file is not None
        self.src.write(self.folder)
        self.tgt.write(self.folder)
        self._flush_keys()
        _close_synced(self._keys_file)

    def close(self) -> None:
        """Close the files of an unfinished collection (a failed or cancelled read)."""
        self.src.close()
        self.tgt.close()
        if self._keys_file is not None:
            self._keys_file.close()

    # the in-memory store's way, kept for callers that want every id at hand
    def pair_tokens(self, i: int) -> tuple[list[str], list[str]]:
        return self.finish().pair_tokens(i)

    def vocab_counts(self, rows: np.ndarray) -> tuple[dict[str, int], dict[str, int]]:
        store = self.finish()
        return store.src.counts_over(rows), store.tgt.counts_over(rows)

    def encode(self, src_vocab: Vocab, tgt_vocab: Vocab, rows: np.ndarray) -> EncodedPairs:
        store = self.finish()
        s, so = store.src.encode(src_vocab, rows)
        t, to = store.tgt.encode(tgt_vocab, rows)
        return EncodedPairs(s, so, t, to)


class TokenSide:
    """One language's provisional ids: arrays in memory, or memory maps of files on disk."""

    def __init__(
        self,
        names: list[str],
        counts: np.ndarray,
        ids: np.ndarray | None = None,
        offsets: np.ndarray | None = None,
        paths: tuple[Path, Path] | None = None,
    ) -> None:
        self.names, self.counts, self.paths = names, counts, paths
        self.ids, self.offsets = ids, offsets
        self._handles: tuple[BinaryIO, ...] | None = None
        self._reads = 0  # rows read since the maps were last renewed
        if paths is not None:
            self.refresh()

    @classmethod
    def open(cls, folder: Path, side: str) -> TokenSide:
        names = json.loads((folder / f"{side}.types.json").read_text(encoding="utf-8"))
        counts = np.load(folder / f"{side}.counts.npy")
        return cls(names, counts, paths=(folder / f"{side}.ids", folder / f"{side}.offsets"))

    def refresh(self) -> None:
        """Map the files anew. The pages a process touched through a map count in its resident
        memory until it unmaps them; reading rows at random touches ever more of them, so
        ``row_ids`` calls this every ``REFRESH_EVERY`` rows (the OS page cache keeps them)."""
        if self.paths is None:
            return
        if self._handles is None:
            # mapped from handles opened once: an entry removed meanwhile (cache --clear, a
            # prune by another run) stays readable to this run until it ends (POSIX)
            self._handles = tuple(open(p, "rb") for p in self.paths)  # noqa: SIM115
            weakref.finalize(self, _close_all, self._handles)
        self.ids, self.offsets = (_map(f, t) for f, t in zip(self._handles, (np.int32, np.int64)))

    @property
    def rows(self) -> int:
        assert self.offsets is not None
        return len(self.offsets) - 1

    def lengths(self) -> np.ndarray:
        """Tokens per sentence (int32), read with plain reads when on disk: a pass through the
        map would leave the whole file counted as resident memory."""
        if self.paths is None:
            return np.diff(self.offsets).astype(np.int32)
        out = np.empty(self.rows, dtype=np.int32)
        assert self._handles is not None
        handle = self._handles[1]  # the maps do not use the handle's position
        handle.seek(0)
        prev = np.frombuffer(handle.read(8), dtype=np.int64)
        done = 0
        while done < self.rows:
            count = min(_READ_BLOCK, self.rows - done)
            block = np.frombuffer(handle.read(count * 8), dtype=np.int64)
            if len(block) != count:
                raise OSError(f"{self.paths[1]} ends early")
            out[done : done + count] = np.diff(np.concatenate([prev, block]))
            prev, done = block[-1:], done + count
        return out

    def row_ids(self, row: int) -> np.ndarray:
        if self.paths is not None:
            self._reads += 1
            if self._reads >= REFRESH_EVERY:
                self._reads = 0
                self.refresh()
        offsets, ids = self.offsets, self.ids
        assert offsets is not None and ids is not None
        return ids[int(offsets[row]) : int(offsets[row + 1])]

    def tokens(self, row: int) -> list[str]:
        names = self.names
        return [names[j] for j in self.row_ids(row).tolist()]

    def counts_of_rows(self, rows: Iterable[int]) -> np.ndarray:
        """Token frequencies over a few sentences (the dev split), one sentence at a time."""
        counts = np.zeros(len(self.names), dtype=np.int64)
        for r in rows:
            np.add.at(counts, self.row_ids(int(r)), 1)
        return counts

    def counts_except(self, rows: Iterable[int]) -> dict[str, int]:
        """Token frequencies over every sentence but ``rows``: the whole corpus's counts, kept
        since the build, less those few sentences; no pass over the corpus."""
        counts = self.counts - self.counts_of_rows(rows)
        return {self.names[i]: int(counts[i]) for i in np.flatnonzero(counts)}

    def counts_over(self, rows: np.ndarray) -> dict[str, int]:
        """Token frequencies over the sentences ``rows`` (in memory: one vectorised step)."""
        assert self.ids is not None and self.offsets is not None
        lengths = np.diff(np.asarray(self.offsets))
        keep = np.zeros(len(lengths), dtype=bool)
        keep[rows] = True
        counts = np.bincount(
            np.asarray(self.ids)[np.repeat(keep, lengths)], minlength=len(self.names)
        )
        return {self.names[i]: int(counts[i]) for i in np.flatnonzero(counts)}

    def lookup(self, vocab: Vocab) -> np.ndarray:
        """Provisional id → vocabulary id."""
        return np.array([vocab.stoi.get(n, UNK_ID) for n in self.names] or [UNK_ID], np.int32)

    def encode(self, vocab: Vocab, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Final ids (each sentence ending in </s>) and offsets for the sentences ``rows``."""
        lookup = self.lookup(vocab)
        ids = np.asarray(self.ids)
        offsets = np.asarray(self.offsets)
        starts, ends = offsets[rows], offsets[rows + 1]
        lengths = ends - starts + 1
        out_offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=out_offsets[1:])
        out = np.full(int(out_offsets[-1]), EOS_ID, dtype=np.int32)
        # gather the tokens of the chosen sentences, a block of sentences at a time: one step for
        # the whole corpus needs ~30 bytes of int64 temporaries per token (≈ 0.4 GB a side for a
        # 200 MB corpus); blocks of ~1M tokens keep that to a few tens of MB
        first = 0
        while first < len(rows):
            last = int(np.searchsorted(out_offsets, out_offsets[first] + _ENCODE_BLOCK, "right"))
            last = min(max(last - 1, first + 1), len(rows))
            block = slice(first, last)
            lens, base = lengths[block], out_offsets[first]
            pos = np.arange(int(out_offsets[last] - base)) - np.repeat(
                out_offsets[block] - base, lens
            )
            src_index = np.repeat(starts[block], lens) + pos
            body = pos < np.repeat(lens - 1, lens)
            out[base : out_offsets[last]][body] = lookup[ids[src_index[body]]]
            first = last
        return out, out_offsets


def _close_all(files: tuple[BinaryIO, ...]) -> None:
    for f in files:
        f.close()


def _map(f: BinaryIO, dtype: type) -> np.ndarray:
    """A read-only memory map of a raw array file (an empty file cannot be mapped)."""
    if os.fstat(f.fileno()).st_size == 0:
        return np.zeros(0, dtype=dtype)
    # a plain ndarray view (it keeps the map alive): slicing a np.memmap costs ~3x more
    return np.memmap(f, dtype=dtype, mode="r").view(np.ndarray)


class TokenStore:
    """A tokenized corpus: both sides' provisional ids, in memory or mapped from disk, and the
    pairs' keys (an array, or the file they are read from when asked: 8 bytes a pair need not stay
    in memory for the whole run)."""

    def __init__(self, src: TokenSide, tgt: TokenSide, n: int, keys: np.ndarray | BinaryIO) -> None:
        self.src, self.tgt, self.n, self._keys = src, tgt, n, keys
        if not isinstance(keys, np.ndarray):
            weakref.finalize(self, _close_all, (keys,))

    @classmethod
    def open(cls, folder: Path, n: int) -> TokenStore:
        sides = (TokenSide.open(folder, side) for side in SIDES)
        return cls(*sides, n, open(folder / KEYS_FILE, "rb"))

    def keys(self) -> np.ndarray:
        """One int64 per pair, equal for equal (tokenized) pairs (see the module doc)."""
        if isinstance(self._keys, np.ndarray):
            return self._keys
        self._keys.seek(0)
        keys = np.frombuffer(self._keys.read(), dtype=np.int64)
        if len(keys) != self.n:
            raise OSError(f"{self._keys.name} holds {len(keys)} keys for {self.n} pairs")
        return keys

    def __len__(self) -> int:
        return self.n

    def pair_tokens(self, i: int) -> tuple[list[str], list[str]]:
        return self.src.tokens(i), self.tgt.tokens(i)

    def vocab_counts_except(self, rows: Sequence[int]) -> tuple[dict[str, int], dict[str, int]]:
        """Token frequencies per side over every pair but ``rows`` (the held-out dev pairs)."""
        return self.src.counts_except(rows), self.tgt.counts_except(rows)


class EncodedPairs:
    """Id sequences ready for batching; ``pair(i)`` gives (source ids, target ids), each ending in
    </s>."""

    def __init__(
        self, src: np.ndarray, src_offsets: np.ndarray, tgt: np.ndarray, tgt_offsets: np.ndarray
    ) -> None:
        self.src, self.src_offsets, self.tgt, self.tgt_offsets = src, src_offsets, tgt, tgt_offsets
        self.src_len = np.diff(src_offsets)
        self.tgt_len = np.diff(tgt_offsets)

    @classmethod
    def from_lists(cls, pairs: Sequence[tuple[Sequence[int], Sequence[int]]]) -> EncodedPairs:
        def flat(seqs: Iterable[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
            seqs = list(seqs)
            offsets = np.zeros(len(seqs) + 1, dtype=np.int64)
            np.cumsum([len(x) for x in seqs], out=offsets[1:])
            data = np.fromiter((t for x in seqs for t in x), dtype=np.int32, count=int(offsets[-1]))
            return data, offsets

        s, so = flat(p[0] for p in pairs)
        t, to = flat(p[1] for p in pairs)
        return cls(s, so, t, to)

    def __len__(self) -> int:
        return len(self.src_len)

    def pair(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return (
            self.src[self.src_offsets[i] : self.src_offsets[i + 1]],
            self.tgt[self.tgt_offsets[i] : self.tgt_offsets[i + 1]],
        )

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self.pair(i)

    def nbytes(self) -> int:
        return self.src.nbytes + self.tgt.nbytes + self.src_offsets.nbytes + self.tgt_offsets.nbytes
