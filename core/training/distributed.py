"""Training one model on several processes (``torchrun``) with DistributedDataParallel.

Why a module of its own: the training run (``core.training.run``/``loop``) asks a ``World`` the few
questions where ranks must agree — which batches are mine, how many target tokens are in this
step over all ranks, shall we stop, what did rank 0 decide after validating — and a single process
gets the trivial answers without any collective call, so ``attnscope-cli train`` and the app train
exactly as before.

Under torchrun (WORLD_SIZE/RANK/LOCAL_RANK in the environment), ``init_from_env`` starts the
process group: NCCL when the run trains on CUDA, gloo on the CPU; the master address and port are
torchrun's (MASTER_ADDR/MASTER_PORT), never ours. Rank 0 alone validates, writes the model folder
and reports; the others wait for its decisions.
"""

from __future__ import annotations

import datetime
import gc
import os
import socket
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import torch
from torch import nn

from core import device as _device
from core.data.batching import BatchOrder, batch_order
from core.errors import CoreError

__all__ = ["World", "agent_identity", "init_from_env", "is_restart", "launched_by_torchrun"]

T = TypeVar("T")
# how long a rank waits for the others (rank 0's validation included) before giving up
TIMEOUT_ENV = "ATTNSCOPE_DIST_TIMEOUT_S"
DEFAULT_TIMEOUT_S = 3600.0
# what each rank adds to the per-step sum: target tokens, a stop wish of any rank, rank 0's budget
_TOKENS, _CANCEL, _BUDGET = 0, 1, 2


def launched_by_torchrun() -> bool:
    """Whether this process is one of several ranks started by torchrun (or another launcher
    that sets the same variables)."""
    return int(os.environ.get("WORLD_SIZE", "1") or 1) > 1 and "RANK" in os.environ


def is_restart() -> bool:
    """torchrun restarted the workers after a failure (``--max-restarts``): not the first try."""
    return int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0") or 0) > 0


def agent_identity() -> str:
    """Names the torchrun launch this rank belongs to: the same across its restarts (the agent
    process lives on), different for a new launch, so a restart can tell its own model folder from
    one a user pointed at by mistake."""
    run_id = os.environ.get("TORCHELASTIC_RUN_ID", "")
    return f"{socket.gethostname()}:{os.getppid()}:{run_id}"


class World:
    """The ranks of one training run, and the decisions they share. ``World()`` is one process."""

    def __init__(self, world_size: int = 1, rank: int = 0, local_rank: int = 0) -> None:
        self.world_size, self.rank, self.local_rank = world_size, rank, local_rank
        self.device = torch.device("cpu")  # where the collectives' small tensors live

    @property
    def active(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    # ---- data ------------------------------------------------------------------------------
    def batches(
        self, lengths: Sequence[tuple[int, int]] | np.ndarray, batch_size: int, seed: int
    ) -> BatchOrder:
        """This rank's batches of an epoch, in order (``order[k]``: batch ``k``, a list of
        example indices; no list per batch is built until asked for, so this holds for corpora
        of millions of pairs).

        The epoch's length-bucketed order is drawn at ``batch_size × ranks`` (from the seed only,
        so every rank draws the same one) and each of these global batches is cut into one
        contiguous share per rank (``BatchOrder.shard``): every rank gets the same number of
        batches, and a step of N ranks trains on exactly the batch one process would train on
        with N times the batch size. A global batch too small to give every rank an example (the
        last one, at most ranks − 1 examples an epoch) is skipped.
        """
        order = batch_order(lengths, batch_size * self.world_size, seed)
        return order.shard(self.rank, self.world_size) if self.active else order

    # ---- per step --------------------------------------------------------------------------
    def step_sync(self, n_tokens: int, cancel: bool, over_budget: bool) -> tuple[int, str | None]:
        """All ranks' target tokens in this step, and whether to stop before it ("cancelled" when
        any rank was asked to stop, "time_budget" when rank 0's clock says so): one small
        all-reduce, so every rank takes the same decision at the same step."""
        if not self.active:
            stop = "cancelled" if cancel else "time_budget" if over_budget else None
            return n_tokens, stop
        import torch.distributed as dist

        flags = torch.tensor(
            [n_tokens, int(cancel), int(over_budget and self.is_main)],
            dtype=torch.float64,
            device=self.device,
        )
        dist.all_reduce(flags)
        total, cancels, budget = (float(x) for x in flags.tolist())
        stop = "cancelled" if cancels > 0 else "time_budget" if budget > 0 else None
        return int(total), stop

    def sum(self, value: float) -> float:
        """``value`` summed over the ranks (the step's loss: one figure all ranks agree on)."""
        if not self.active:
            return value
        import torch.distributed as dist

        t = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        return float(t.item())

    # ---- rank 0 decides --------------------------------------------------------------------
    def from_main(self, fn: Callable[[], T]) -> T:
        """``fn()`` run on rank 0 only, its result sent to every rank; a ``CoreError`` it raises
        is raised on every rank, so all ranks end with the same message instead of waiting."""
        if not self.active:
            return fn()
        import torch.distributed as dist

        payload: list[Any] = [None]
        if self.is_main:
            try:
                payload[0] = ("ok", fn())
            except CoreError as exc:
                payload[0] = ("error", exc)
        dist.broadcast_object_list(payload, src=0, device=self._object_device())
        kind, value = payload[0]
        if kind == "error":
            raise value
        return value

    def require_same(self, value: str, message: str) -> None:
        """Raise ``CoreError(message)`` on every rank unless every rank holds rank 0's ``value``
        (e.g. the corpus fingerprint: machines with different copies would train on different
        data without a word)."""
        if not self.active:
            return
        main_value = self.from_main(lambda: value)
        if self.sum(float(value != main_value)) > 0:
            raise CoreError(message)

    def barrier(self) -> None:
        if self.active:
            import torch.distributed as dist

            dist.barrier()

    # ---- model -----------------------------------------------------------------------------
    def wrap(self, model: nn.Module) -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
        """What a training step calls for (loss, nll): the model's ``loss`` for one process, a
        DistributedDataParallel around it for several (DDP's gradient all-reduce hooks run only
        when its ``forward`` is called, so the loss is computed inside that forward)."""
        if not self.active:
            return model.loss
        from torch.nn.parallel import DistributedDataParallel

        ddp = DistributedDataParallel(
            _LossModule(model),
            device_ids=[self.device.index] if self.device.type == "cuda" else None,
        )
        flatten_rnns(model)
        return ddp

    def destroy(self) -> None:
        """End the process group while the interpreter is whole. A DistributedDataParallel left in
        a reference cycle keeps the gloo group alive into interpreter shutdown, where destroying
        it aborts the process ("terminate called without an active exception", pytorch#190489)
        after a run that had ended well: collect such cycles first, so the group dies here."""
        if self.active:
            import torch.distributed as dist

            gc.collect()
            if dist.is_initialized():
                dist.destroy_process_group()

    def _object_device(self) -> torch.device | None:
        return self.device if self.device.type == "cuda" else None


class _LossModule(nn.Module):
    """The model's training loss as a ``forward``, for DistributedDataParallel to wrap."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, *args: Any) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model.loss(*args)


def flatten_rnns(model: nn.Module) -> None:
    """Put each GRU's weights back into one contiguous block (cuDNN's layout) after DDP or a
    checkpoint load may have replaced them: otherwise every step warns and copies them."""
    for m in model.modules():
        if isinstance(m, nn.RNNBase):
            m.flatten_parameters()


def init_from_env(device_name: str) -> World:
    """The world torchrun describes in the environment, its process group started: NCCL on CUDA,
    gloo otherwise. Without torchrun: ``World()``, nothing started."""
    if not launched_by_torchrun():
        return World()
    import torch.distributed as dist

    world = World(
        int(os.environ["WORLD_SIZE"]),
        int(os.environ["RANK"]),
        int(os.environ.get("LOCAL_RANK", "0") or 0),
    )
    device = _device.resolve(device_name)
    if device.type == "cuda":
        if world.local_rank >= torch.cuda.device_count():
            raise CoreError(
                f"rank {world.rank} is local rank {world.local_rank}, but this machine has "
                f"{torch.cuda.device_count()} CUDA GPU(s): give torchrun --nproc-per-node "
                "no more than the GPUs per machine"
            )
        device = torch.device("cuda", world.local_rank)
        torch.cuda.set_device(device)
    elif device.type == "mps":
        device = torch.device("cpu")  # no collective backend for MPS; gloo trains on the CPU
    world.device = device
    timeout = datetime.timedelta(
        seconds=float(os.environ.get(TIMEOUT_ENV, "") or DEFAULT_TIMEOUT_S)
    )
    # torchrun's ranks share its store across restarts: without a prefix of its own, a restarted
    # rank can read the address a dead rank of the last attempt published, and never connect
    store, rank, size = next(dist.rendezvous("env://", timeout=timeout))
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0") or "0"
    dist.init_process_group(
        backend="nccl" if device.type == "cuda" else "gloo",
        store=dist.PrefixStore(f"attnscope/attempt-{attempt}", store),
        rank=rank,
        world_size=size,
        timeout=timeout,
        device_id=device if device.type == "cuda" else None,
    )
    return world
