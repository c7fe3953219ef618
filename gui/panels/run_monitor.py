"""The Train tab's live view of a run: loss and BLEU/chrF curves, the sample translations and the
probe sentence's attention at each validation. It only shows events; it starts nothing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.inspection.word_merge import in_pieces, to_words
from gui.widgets.attention_heatmap import AttentionHeatmap
from gui.widgets.column import column
from gui.widgets.loss_plot import LossPlot
from gui.widgets.naming import named as _named
from gui.widgets.splitter_memory import remember_sizes

log = logging.getLogger(__name__)
PROBE_CAPTION = "Probe attention (updated at each validation)"


class RunMonitor(QWidget):
    def __init__(self, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = LossPlot()
        self.samples_table = _named(QTableWidget(0, 3), "samplesTable")
        self.samples_table.setHorizontalHeaderLabels(["source", "reference", "model output"])
        self.samples_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.samples_table.verticalHeader().setVisible(False)
        self.samples_table.setMinimumHeight(90)
        self.probe_heatmap = AttentionHeatmap(
            placeholder="The attention of the first probe sentence appears here at the first "
            "validation."
        )
        _named(self.probe_heatmap, "probeHeatmap")
        self.probe_heatmap.setMinimumHeight(120)
        self.probe_label = QLabel(PROBE_CAPTION)
        self.probe_label.setWordWrap(True)

        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.setChildrenCollapsible(False)
        bottom.addWidget(
            column("Sample translations (updated at each validation)", self.samples_table)
        )
        bottom.addWidget(column(self.probe_label, (self.probe_heatmap, 1)))
        remember_sizes(bottom, settings, "trainSamples", [500, 500])
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.loss_plot)
        self.splitter.addWidget(bottom)
        remember_sizes(self.splitter, settings, "trainMonitor", [360, 340])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.splitter)

    def reset(self) -> None:
        """A new run: empty curves, samples and probe."""
        self.loss_plot.clear_data()
        self.samples_table.setRowCount(0)
        self.probe_heatmap.clear()
        self.probe_label.setText(PROBE_CAPTION)

    def add_progress(self, ev) -> None:
        self.loss_plot.add_progress(ev.step, ev.loss, ev.smoothed_loss)

    def show_validation(self, ev) -> None:
        """Curves, the sample translations (updated in place) and the probe's attention."""
        self.loss_plot.add_validation(ev.step, ev.loss, ev.bleu, ev.chrf)
        self.samples_table.setRowCount(len(ev.samples))
        for i, s in enumerate(ev.samples):
            for col, key in enumerate(("source", "reference", "hypothesis")):
                text = str(s.get(key, ""))
                item = self.samples_table.item(i, col)
                if item is None:
                    self.samples_table.setItem(i, col, QTableWidgetItem(text))
                elif item.text() != text:
                    item.setText(text)
        if ev.probe is not None and ev.probe.attention.size:
            # a subword run's probe in words, as the other views show it by default (the
            # Timeline tab has the pieces)
            words = in_pieces(ev.probe)
            self.probe_heatmap.set_translation(to_words(ev.probe) if words else ev.probe)
            unit = " (in words)" if words else ""
            self.probe_label.setText(f"Probe attention at step {ev.step}{unit}: “{ev.probe.text}”")

    def show_history(self, path: str) -> None:
        """A resumed run's earlier validations, so its curves continue where they were."""
        try:
            from core.storage.model_folder import read_history

            for rec in read_history(path):
                if rec.get("type") == "validation":
                    self.loss_plot.add_validation(
                        int(rec["step"]), float(rec["loss"]), float(rec["bleu"]), float(rec["chrf"])
                    )
        except Exception:
            log.warning("cannot read the history of %s", path, exc_info=True)
