"""Which function runs each ``attnscope-cli`` sub-command; parsing lives in ``core.cli.parser``."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from core.cli.attribution_commands import cmd_agreement
from core.cli.inspect_commands import cmd_align, cmd_attention
from core.cli.library_commands import cmd_cache, cmd_models
from core.cli.system_commands import cmd_doctor
from core.cli.train_commands import cmd_demo, cmd_train
from core.cli.translate_commands import cmd_evaluate, cmd_translate

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "train": cmd_train,
    "translate": cmd_translate,
    "attention": cmd_attention,
    "align": cmd_align,
    "evaluate": cmd_evaluate,
    "models": cmd_models,
    "cache": cmd_cache,
    "demo": cmd_demo,
    "doctor": cmd_doctor,
    "agreement": cmd_agreement,
}
