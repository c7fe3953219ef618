"""Which process of a run speaks for it.

A distributed run (torchrun) has one process per rank; only rank 0 writes the model folder's
outputs (events, stop-request handling, checkpoints). Outside ``torch.distributed`` every process
is the main one. Kept apart so the distributed trainer and the single-process trainer share the
one test.
"""

from __future__ import annotations

import sys


def is_main_process() -> bool:
    """True unless an initialised ``torch.distributed`` process group says this is not rank 0.

    torch is looked up in ``sys.modules`` rather than imported: a process that never imported it
    cannot have a process group.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        return True
    dist = getattr(torch, "distributed", None)
    if dist is None or not dist.is_available() or not dist.is_initialized():
        return True
    return dist.get_rank() == 0
