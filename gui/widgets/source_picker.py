"""Choose a model folder and which of its weights to use (best weights or a kept checkpoint).

Why a widget of its own: the compare panel needs two identical choosers, and both must list
library models, folders picked with "Browse…" and the model open in the app. Listing reads only
JSON (``core.decoding.weight_sources.list_sources``), so it runs on the GUI thread without torch.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.decoding.weight_sources import ModelSource, list_sources
from core.errors import CoreError
from core.storage.library import ModelInfo, read_info
from gui.widgets.naming import named as _named


def same_folder(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return str(a) == str(b)


def model_label(info: ModelInfo) -> str:
    return f"{info.name} ({info.src_lang} → {info.tgt_lang})"


class SourcePicker(QWidget):
    """A model combo with "Browse…" over a checkpoint combo; ``source()`` is the choice."""

    sourceChanged = Signal()  # any change of model or checkpoint
    userChanged = Signal()  # a change the user made (not a default set by the panel)

    def __init__(self, side: str, errors, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._errors = errors
        self._settings = settings
        self._infos: list[ModelInfo] = []  # what the model combo lists, in order
        self._extra: list[ModelInfo] = []  # browsed folders and the open model
        self._sources: list[ModelSource] = []  # what the checkpoint combo lists

        self.model_combo = _named(QComboBox(), f"compareModelCombo{side}")
        self.model_combo.setToolTip(f"Model {side}: a model from the library, or a folder")
        self.model_combo.setMinimumContentsLength(18)
        self.model_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.browse_button = _named(QPushButton("Browse…"), f"compareBrowseButton{side}")
        self.browse_button.setToolTip("Choose a model folder that is not in the library")
        self.checkpoint_combo = _named(QComboBox(), f"compareCheckpointCombo{side}")
        self.checkpoint_combo.setToolTip("The best weights, or a checkpoint kept during training")

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.model_combo, 1)
        top.addWidget(self.browse_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.checkpoint_combo)

        self.model_combo.currentIndexChanged.connect(self._on_model_index)
        self.model_combo.activated.connect(lambda _i: self.userChanged.emit())
        self.checkpoint_combo.currentIndexChanged.connect(lambda _i: self.sourceChanged.emit())
        self.checkpoint_combo.activated.connect(lambda _i: self.userChanged.emit())
        self.browse_button.clicked.connect(self.browse)

    # ------------------------------------------------------------------ models
    @property
    def model_infos(self) -> list[ModelInfo]:
        return list(self._infos)

    def set_models(self, library: list[ModelInfo]) -> None:
        """List the library's models plus any folder added here; keep the current choice."""
        current, step = self.model_path(), self.step()
        infos = list(library)
        infos += [e for e in self._extra if not any(same_folder(e.path, i.path) for i in infos)]
        self._infos = infos
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        for i, info in enumerate(infos):
            self.model_combo.addItem(model_label(info), info.path)
            self.model_combo.setItemData(i, info.path, Qt.ItemDataRole.ToolTipRole)
        self.model_combo.blockSignals(False)
        index = self._index_of(current) if current else (0 if infos else -1)
        self.model_combo.setCurrentIndex(-1)
        self.model_combo.setCurrentIndex(index)  # refreshes the checkpoint list
        if current and index >= 0:
            self.select_step(step)

    def _index_of(self, path: str | Path) -> int:
        return next((i for i, info in enumerate(self._infos) if same_folder(info.path, path)), -1)

    def add_folder(self, path: str | Path) -> ModelInfo:
        """Make ``path`` choosable (raises CoreError when it is not a model folder)."""
        info = read_info(path)
        self._extra = [e for e in self._extra if not same_folder(e.path, path)] + [info]
        if self._index_of(path) < 0:
            self._infos.append(info)
            self.model_combo.addItem(model_label(info), info.path)
            self.model_combo.setItemData(
                len(self._infos) - 1, info.path, Qt.ItemDataRole.ToolTipRole
            )
        return info

    def include(self, path: str | Path) -> bool:
        """List ``path`` without choosing it; False when it is not a readable model folder."""
        if self._index_of(path) >= 0:
            return True
        try:
            self.add_folder(path)
        except CoreError:
            return False
        return True

    def set_model(self, path: str | Path, step: int | None = None) -> bool:
        """Choose ``path`` (added when unknown) and its best weights or checkpoint ``step``."""
        if not self.include(path):
            return False
        self.model_combo.setCurrentIndex(self._index_of(path))
        return self.select_step(step)

    def model_path(self) -> str | None:
        i = self.model_combo.currentIndex()
        return self._infos[i].path if 0 <= i < len(self._infos) else None

    @Slot()
    def browse(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, "Choose a model folder", self._settings.last_folder("compare")
        )
        if not path:
            return
        try:
            self.add_folder(path)
        except CoreError as exc:
            self._errors.report_exception("Cannot use this folder", exc)
            return
        self._settings.set_last_folder("compare", Path(path).parent)
        self.set_model(path)
        self.userChanged.emit()

    # ------------------------------------------------------------------ weights
    @property
    def sources(self) -> list[ModelSource]:
        return list(self._sources)

    def _on_model_index(self, index: int) -> None:
        self._sources = []
        note = ""
        if 0 <= index < len(self._infos):
            try:
                self._sources = list_sources(self._infos[index].path)
            except CoreError as exc:
                note = f"cannot read this model: {exc}"
            else:
                note = "" if self._sources else "no weights yet (training has not validated)"
        self.checkpoint_combo.blockSignals(True)
        self.checkpoint_combo.clear()
        for s in self._sources:
            bleu = f"  (BLEU {s.bleu:.1f})" if s.bleu is not None else ""
            self.checkpoint_combo.addItem(s.label + bleu)
        if note:
            self.checkpoint_combo.addItem(note)
        self.checkpoint_combo.setEnabled(bool(self._sources))
        self.checkpoint_combo.setCurrentIndex(0 if self.checkpoint_combo.count() else -1)
        self.checkpoint_combo.blockSignals(False)
        self.sourceChanged.emit()

    def select_step(self, step: int | None) -> bool:
        """Choose the best weights (``None``) or checkpoint ``step``; False when not listed."""
        for i, s in enumerate(self._sources):
            if s.step == step:
                self.checkpoint_combo.setCurrentIndex(i)
                return True
        return False

    def select_latest_checkpoint(self) -> bool:
        steps = [s.step for s in self._sources if s.step is not None]
        return bool(steps) and self.select_step(max(steps))

    def has_checkpoints(self) -> bool:
        return any(s.step is not None for s in self._sources)

    def step(self) -> int | None:
        source = self.source()
        return None if source is None else source.step

    def source(self) -> ModelSource | None:
        i = self.checkpoint_combo.currentIndex()
        return self._sources[i] if 0 <= i < len(self._sources) else None
