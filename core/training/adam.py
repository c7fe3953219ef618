"""Adam as ``torch.optim.Adam(fused=True)`` computes it, without building a ``torch.optim`` class.

Why not torch.optim: every optimizer there imports ``torch._dynamo`` (and with it sympy and
much of torch.fx) when it is built and again at each step, for a compiler this project never
uses: about 70 MB of the trainer's peak (802 -> 733 MB in 400 base updates, docs/benchmarks.md,
"Lean"). This class calls the same fused kernel, ``torch._fused_adam_``
(per-tensor arithmetic, as torch's single-tensor Adam does it, where a build or device lacks the
kernel), so updates are bitwise those of torch's Adam, and it reads and writes torch's state-dict
layout, so checkpoints written with ``torch.optim.Adam`` resume unchanged.

Only what training uses: one parameter group, no weight decay, no AMSGrad. It offers what the
trainer, the learning-rate schedules and the CUDA gradient scaler touch: ``param_groups``,
``state``, ``zero_grad``, ``step``, ``state_dict``, ``load_state_dict``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import Tensor

FUSED_DEVICES = ("cpu", "cuda", "mps", "xpu")


class Adam:
    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = list(params)
        self.param_groups: list[dict[str, Any]] = [
            {
                "params": self.params,
                "lr": lr,
                "betas": tuple(betas),
                "eps": eps,
                # the rest of torch's group, so that a state dict written here reads as its own
                "weight_decay": 0.0,
                "amsgrad": False,
                "maximize": False,
                "foreach": None,
                "capturable": False,
                "differentiable": False,
                "fused": True,
                "decoupled_weight_decay": False,
            }
        ]
        self.state: dict[Tensor, dict[str, Tensor]] = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.detach_().zero_()

    def _state_of(self, p: Tensor) -> dict[str, Tensor]:
        s = self.state.get(p)
        if s is None:
            s = self.state[p] = {
                "step": torch.zeros((), dtype=torch.float32, device=p.device),
                "exp_avg": torch.zeros_like(p, memory_format=torch.preserve_format),
                "exp_avg_sq": torch.zeros_like(p, memory_format=torch.preserve_format),
            }
        return s

    @torch.no_grad()
    def step(self) -> None:
        group = self.param_groups[0]
        lr, (beta1, beta2), eps = float(group["lr"]), group["betas"], group["eps"]
        # the fused kernel takes tensors of one device and dtype at a time (as torch groups them)
        batches: dict[tuple[torch.device, torch.dtype], list[list[Tensor]]] = {}
        for p in self.params:
            if p.grad is None:
                continue
            s = self._state_of(p)
            lists = batches.setdefault((p.device, p.dtype), [[], [], [], [], []])
            for bucket, t in zip(lists, (p, p.grad, s["exp_avg"], s["exp_avg_sq"], s["step"])):
                bucket.append(t)
        for (device, _), (params, grads, exp_avgs, exp_avg_sqs, steps) in batches.items():
            if device.type in FUSED_DEVICES and hasattr(torch, "_fused_adam_"):
                torch._foreach_add_(steps, 1)
                torch._fused_adam_(
                    params,
                    grads,
                    exp_avgs,
                    exp_avg_sqs,
                    [],
                    steps,
                    lr=lr,
                    beta1=beta1,
                    beta2=beta2,
                    weight_decay=0.0,
                    eps=eps,
                    amsgrad=False,
                    maximize=False,
                )
            else:
                for p, g, m, v, t in zip(params, grads, exp_avgs, exp_avg_sqs, steps):
                    _one_tensor(p, g, m, v, t, lr, beta1, beta2, eps)

    def state_dict(self) -> dict[str, Any]:
        """torch.optim's layout: state by parameter index, the group with indices for params."""
        index = {p: i for i, p in enumerate(self.params)}
        group = {k: v for k, v in self.param_groups[0].items() if k != "params"}
        return {
            "state": {index[p]: dict(s) for p, s in self.state.items()},
            "param_groups": [{**group, "params": list(range(len(self.params)))}],
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Read a state dict written here or by ``torch.optim.Adam``."""
        groups = state_dict["param_groups"]
        if len(groups) != 1 or len(groups[0]["params"]) != len(self.params):
            raise ValueError(
                "the saved optimizer state belongs to a model with a different number of "
                "parameter tensors"
            )
        for key in ("lr", "betas", "eps"):
            self.param_groups[0][key] = groups[0][key]
        self.state = {}
        for i, saved in state_dict["state"].items():
            p = self.params[int(i)]
            self.state[p] = {
                "step": torch.as_tensor(saved["step"], dtype=torch.float32).to(p.device).clone(),
                "exp_avg": saved["exp_avg"].to(device=p.device, dtype=p.dtype).clone(),
                "exp_avg_sq": saved["exp_avg_sq"].to(device=p.device, dtype=p.dtype).clone(),
            }


def _one_tensor(
    p: Tensor,
    g: Tensor,
    m: Tensor,
    v: Tensor,
    t: Tensor,
    lr: float,
    b1: float,
    b2: float,
    eps: float,
) -> None:
    """torch's single-tensor Adam, for a device without the fused kernel."""
    t += 1
    m.lerp_(g, 1 - b1)
    v.mul_(b2).addcmul_(g, g, value=1 - b2)
    step = float(t.item())
    step_size = lr / (1 - b1**step)
    denom = (v.sqrt() / (1 - b2**step) ** 0.5).add_(eps)
    p.addcdiv_(m, denom, value=-step_size)
