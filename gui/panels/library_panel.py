"""Models: the library of model folders (languages, corpus, pairs, size, BLEU, date) with open,
rename, delete (confirmed), import and export. File operations go through core.storage.library.

The demo model shipped with the app is listed too, so it can be found again after opening another
one; it is read in place and read-only (open and export only, no rename, delete or resume).
"""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.paths import AppPaths
from gui.widgets.naming import named as _named

log = logging.getLogger(__name__)

COLUMNS = ["Name", "Languages", "Corpus", "Pairs", "Size", "BLEU", "Date", "Status"]
SHIPPED_STATUS = "shipped with the app (read-only)"
SHIPPED_ROLE = Qt.ItemDataRole.UserRole + 2


def human_size(n: int) -> str:
    """Decimal units (1 MB = 1,000,000 bytes), as file managers and our docs count them."""
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


def short_date(iso: str) -> str:
    try:
        return _dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return iso or ""


class _Item(QTreeWidgetItem):
    """Sorts numeric columns by number, not text."""

    def __lt__(self, other) -> bool:
        col = self.treeWidget().sortColumn() if self.treeWidget() else 0
        a, b = (
            self.data(col, Qt.ItemDataRole.UserRole + 1),
            other.data(col, Qt.ItemDataRole.UserRole + 1),
        )
        if a is not None and b is not None:
            return a < b
        return super().__lt__(other)


def _shipped_models() -> list:
    """The demo model that ships with the app, if it is there and readable."""
    from core.resources import demo_model_dir
    from core.storage.library import read_info

    try:
        demo = demo_model_dir()
        return [read_info(demo)] if demo is not None else []
    except Exception:
        log.warning("cannot read the shipped demo model", exc_info=True)
        return []


class LibraryPanel(QWidget):
    openRequested = Signal(str)  # a model folder to open
    resumeRequested = Signal(str)  # a model folder whose stopped training run to continue

    def __init__(
        self, errors, settings, parent: QWidget | None = None, *, paths: AppPaths | None = None
    ) -> None:
        super().__init__(parent)
        self._errors = errors
        self._settings = settings
        self._paths = paths or AppPaths.default()  # the window's, so all panels share one library
        self._infos: list = []
        self._shipped: set[str] = set()
        self._shipped_infos: list | None = None
        self.tree = _named(QTreeWidget(), "modelLibraryList")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(6, Qt.SortOrder.DescendingOrder)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.root_label = QLabel()
        self.root_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = _named(QPushButton("Open"), "openModelButton")
        self.rename_button = _named(QPushButton("Rename…"), "renameModelButton")
        self.delete_button = _named(QPushButton("Delete…"), "deleteModelButton")
        self.import_button = _named(QPushButton("Import…"), "importModelButton")
        self.export_button = _named(QPushButton("Export…"), "exportModelButton")
        self.resume_button = _named(QPushButton("Resume training"), "resumeModelButton")
        self.resume_button.setToolTip(
            "Continue this model's stopped training run from its last checkpoint"
        )
        self.refresh_button = _named(QPushButton("Refresh"), "refreshLibraryButton")
        row = QHBoxLayout()
        for b in (
            self.open_button,
            self.resume_button,
            self.rename_button,
            self.delete_button,
            self.import_button,
            self.export_button,
        ):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.root_label)
        lay.addWidget(self.tree, 1)
        lay.addLayout(row)

        self.open_button.clicked.connect(self._open_selected)
        self.tree.itemDoubleClicked.connect(lambda *_: self._open_selected())
        self.rename_button.clicked.connect(self._rename_selected)
        self.delete_button.clicked.connect(self._delete_selected)
        self.import_button.clicked.connect(self._import)
        self.export_button.clicked.connect(self._export_selected)
        self.resume_button.clicked.connect(self._resume_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    @property
    def root(self) -> Path:
        return self._paths.models

    # ------------------------------------------------------------------ listing
    @Slot()
    def refresh(self, select: str | None = None) -> None:
        from core.storage.library import list_models

        select = select or self.selected_path()  # keep the selection across a refresh
        try:
            self._infos = list_models(self.root)
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Cannot read the model library", exc)
            self._infos = []
        if self._shipped_infos is None:  # read once: shipped files never change
            self._shipped_infos = _shipped_models()
        shipped = list(self._shipped_infos)
        self._shipped = {info.path for info in shipped}
        self._infos += shipped
        self.root_label.setText(f"Models in {self.root}")
        self.tree.setSortingEnabled(False)
        self.tree.clear()
        for info in self._infos:
            read_only = info.path in self._shipped
            bleu = "" if info.bleu is None else f"{info.bleu:.1f}"
            values = [
                info.name,
                f"{info.src_lang} → {info.tgt_lang}",
                info.corpus,
                f"{info.pairs:,}",
                human_size(info.size_bytes),
                bleu,
                short_date(info.created),
                SHIPPED_STATUS if read_only else info.status,
            ]
            item = _Item(values)
            item.setData(0, Qt.ItemDataRole.UserRole, info.path)
            item.setData(0, SHIPPED_ROLE, read_only)
            if read_only:
                font = item.font(0)
                font.setItalic(True)
                for col in range(len(COLUMNS)):
                    item.setFont(col, font)
            item.setData(3, Qt.ItemDataRole.UserRole + 1, info.pairs)
            item.setData(4, Qt.ItemDataRole.UserRole + 1, info.size_bytes)
            item.setData(5, Qt.ItemDataRole.UserRole + 1, -1.0 if info.bleu is None else info.bleu)
            item.setData(6, Qt.ItemDataRole.UserRole + 1, info.created)
            item.setToolTip(0, info.path)
            for col in (3, 4, 5):
                item.setTextAlignment(
                    col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
            self.tree.addTopLevelItem(item)
            if select and Path(info.path) == Path(select):
                self.tree.setCurrentItem(item)
        self.tree.setSortingEnabled(True)
        self._update_buttons()

    def model_paths(self) -> list[str]:
        """The folders in the library (the shipped, read-only models are not among them)."""
        return [p for p in self.listed_paths() if p not in self._shipped]

    def listed_paths(self) -> list[str]:
        """Every model listed, the shipped ones included, in the order shown."""
        return [
            self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
            for i in range(self.tree.topLevelItemCount())
        ]

    def is_read_only(self, path: str | None) -> bool:
        return path is not None and path in self._shipped

    def selected_path(self) -> str | None:
        item = self.tree.currentItem()
        return None if item is None else item.data(0, Qt.ItemDataRole.UserRole)

    def select_path(self, path: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if Path(item.data(0, Qt.ItemDataRole.UserRole)) == Path(path):
                self.tree.setCurrentItem(item)

    def selected_info(self):
        path = self.selected_path()
        return next((i for i in self._infos if path and Path(i.path) == Path(path)), None)

    def _update_buttons(self) -> None:
        from core.training.resume import can_resume

        path = self.selected_path()
        has, writable = path is not None, path is not None and not self.is_read_only(path)
        for b in (self.open_button, self.export_button):
            b.setEnabled(has)
        for b in (self.rename_button, self.delete_button):
            b.setEnabled(writable)
            b.setToolTip("" if writable or not has else "The shipped demo model is read-only")
        info = self.selected_info()
        self.resume_button.setEnabled(
            writable and info is not None and can_resume(info.path, info.status)
        )

    # ------------------------------------------------------------------ actions
    @Slot()
    def _open_selected(self) -> None:
        path = self.selected_path()
        if path:
            self.openRequested.emit(path)

    @Slot()
    def _resume_selected(self) -> None:
        path = self.selected_path()
        if path:
            self.resumeRequested.emit(path)

    def rename(self, path: str, new_name: str) -> str | None:
        from core.storage.library import rename_model

        if self.is_read_only(path):
            self._errors.report("Rename failed", "the shipped demo model is read-only")
            return None
        try:
            new_path = str(rename_model(path, new_name))
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Rename failed", exc)
            return None
        self.refresh(select=new_path)
        return new_path

    @Slot()
    def _rename_selected(self) -> None:
        path = self.selected_path()
        if not path:
            return
        item = self.tree.currentItem()
        name, ok = QInputDialog.getText(self, "Rename model", "New name:", text=item.text(0))
        if ok and name.strip():
            self.rename(path, name)

    def delete(self, path: str) -> bool:
        from core.storage.library import delete_model

        if self.is_read_only(path):
            self._errors.report("Delete failed", "the shipped demo model is read-only")
            return False
        try:
            delete_model(path)
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Delete failed", exc)
            return False
        self.refresh()
        return True

    @Slot()
    def _delete_selected(self) -> None:
        path = self.selected_path()
        if not path:
            return
        name = self.tree.currentItem().text(0)
        answer = QMessageBox.question(
            self,
            "Delete model",
            f"Delete the model “{name}” and all its files?\n{path}\n\nThis cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete(path)

    def import_from(self, source: str) -> str | None:
        from core.storage.library import import_model

        try:
            path = str(import_model(Path(source), self.root))
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Import failed", exc)
            return None
        self._settings.set_last_folder("import", source)
        self.refresh(select=path)
        return path

    @Slot()
    def _import(self) -> None:
        start = self._settings.last_folder("import")
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a model archive", start, "Model archive (*.zip);;model.json (model.json)"
        )
        if path:
            if Path(path).name == "model.json":
                path = str(Path(path).parent)
            self.import_from(path)

    def export_to(self, path: str, dest: str) -> str | None:
        from core.storage.library import export_model

        try:
            out = str(export_model(path, Path(dest)))
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Export failed", exc)
            return None
        self._settings.set_last_folder("export", dest)
        return out

    @Slot()
    def _export_selected(self) -> None:
        path = self.selected_path()
        if not path:
            return
        start = Path(self._settings.last_folder("export")) / (Path(path).name + ".zip")
        dest, _ = QFileDialog.getSaveFileName(
            self, "Export model", str(start), "Zip archive (*.zip)"
        )
        if dest:
            if not dest.lower().endswith(".zip"):
                dest += ".zip"
            self.export_to(path, dest)
