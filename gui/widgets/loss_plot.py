"""Live training curves: loss (raw and smoothed, plus validation loss) and validation BLEU/chrF.

Why: progress events arrive up to ~10/s; points go into growing numpy buffers and a GUI-side
timer pushes them to the curves with ``setData`` at most ~10 times a second. Curves are created
once; ``clear_data`` empties the buffers rather than the plot (re-plotting leaks items).
A diverging (NaN/inf) loss stays in the buffer and is skipped when drawn (finite check on).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget


class _Buffer:
    """A growable (x, y) buffer: amortised O(1) appends, views without copies."""

    def __init__(self, capacity: int = 1024) -> None:
        self._x = np.empty(capacity, dtype=np.float64)
        self._y = np.empty(capacity, dtype=np.float64)
        self.n = 0

    def append(self, x: float, y: float) -> None:
        if self.n == len(self._x):
            self._x = np.resize(self._x, 2 * self.n)
            self._y = np.resize(self._y, 2 * self.n)
        self._x[self.n] = x
        self._y[self.n] = y
        self.n += 1

    def clear(self) -> None:
        self.n = 0

    @property
    def x(self) -> np.ndarray:
        return self._x[: self.n]

    @property
    def y(self) -> np.ndarray:
        return self._y[: self.n]


def _key(colour: str, mark: str, name: str) -> str:
    return f"<span style='color:{colour}'>{mark}</span>&nbsp;{name}"


# The legends live in the titles: a legend box inside a short plot sits on the curves.
LOSS_TITLE = "Loss (nats per token) &nbsp;&nbsp; " + " &nbsp; ".join(
    (
        _key("#78a0dc", "━", "training"),
        _key("#1f5fbf", "━", "smoothed"),
        _key("#d62728", "●", "validation"),
    )
)
SCORE_TITLE = "Validation score &nbsp;&nbsp; " + " &nbsp; ".join(
    (_key("#2ca02c", "●", "BLEU"), _key("#9467bd", "▲", "chrF"))
)
MIN_PLOT_HEIGHT = 130  # per plot: axis labels, ticks and a readable curve


class LossPlot(QWidget):
    """Two stacked plots sharing the step axis: losses (nats) above, BLEU/chrF (0..100) below."""

    REFRESH_MS = 100

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lossPlot")
        self.setAccessibleName("lossPlot")
        self._glw = pg.GraphicsLayoutWidget()
        self._glw.setBackground("w")
        self._loss = self._glw.addPlot(row=0, col=0, title=LOSS_TITLE)
        self._score = self._glw.addPlot(row=1, col=0, title=SCORE_TITLE)
        self._score.setXLink(self._loss)
        for plot in (self._loss, self._score):
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            for side in ("left", "bottom"):
                plot.getAxis(side).setTextPen(pg.mkPen("#222"))
                plot.getAxis(side).setPen(pg.mkPen("#666"))
        # a flat curve (BLEU 100 from the first validation) must not zoom into rounding noise
        self._score.setLimits(yMin=-2, yMax=102, minYRange=5)
        self._loss.setLimits(minYRange=0.05)
        self._loss.setLabel("bottom", "step")
        self._score.setLabel("bottom", "step")

        self._buffers = {
            name: _Buffer() for name in ("train", "smoothed", "val_loss", "bleu", "chrf")
        }
        self._curves = {
            "train": self._loss.plot(pen=pg.mkPen((120, 160, 220, 110), width=1), name="training"),
            "smoothed": self._loss.plot(
                pen=pg.mkPen("#1f5fbf", width=2), name="training (smoothed)"
            ),
            "val_loss": self._loss.plot(
                pen=pg.mkPen("#d62728", width=2),
                symbol="o",
                symbolSize=6,
                symbolBrush="#d62728",
                name="validation",
            ),
            "bleu": self._score.plot(
                pen=pg.mkPen("#2ca02c", width=2),
                symbol="o",
                symbolSize=6,
                symbolBrush="#2ca02c",
                name="BLEU",
            ),
            "chrf": self._score.plot(
                pen=pg.mkPen("#9467bd", width=2),
                symbol="t",
                symbolSize=7,
                symbolBrush="#9467bd",
                name="chrF",
            ),
        }
        for curve in self._curves.values():
            curve.setSkipFiniteCheck(False)
            curve.setDownsampling(auto=True, method="peak")
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(self.REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self._glw)
        self.setMinimumHeight(2 * MIN_PLOT_HEIGHT)

    # ------------------------------------------------------------------ data in
    def add_progress(self, step: int, loss: float, smoothed: float) -> None:
        self._buffers["train"].append(step, loss)
        self._buffers["smoothed"].append(step, smoothed)
        self._dirty = True

    def add_validation(self, step: int, loss: float, bleu: float, chrf: float) -> None:
        self._buffers["val_loss"].append(step, loss)
        self._buffers["bleu"].append(step, bleu)
        self._buffers["chrf"].append(step, chrf)
        self._dirty = True

    def clear_data(self) -> None:
        for buf in self._buffers.values():
            buf.clear()
        self._dirty = True
        self.refresh()

    def refresh(self) -> None:
        """Push buffered points to the curves (called by the timer; cheap when nothing changed)."""
        if not self._dirty or not self.isVisible():
            return  # hidden: keep buffering, draw when shown (showEvent refreshes)
        self._dirty = False
        for name, curve in self._curves.items():
            buf = self._buffers[name]
            y = buf.y
            finite = np.isfinite(y)
            if finite.all():
                curve.setData(buf.x.copy(), y.copy())
            else:
                curve.setData(buf.x[finite].copy(), y[finite].copy())

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        self.refresh()

    # ------------------------------------------------------------------ accessors (tests)
    def curve_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """What the named curve currently draws: train, smoothed, val_loss, bleu or chrf."""
        x, y = self._curves[name].getData()
        if x is None:
            return np.zeros(0), np.zeros(0)
        return np.asarray(x), np.asarray(y)

    @property
    def loss_plot_item(self) -> pg.PlotItem:
        return self._loss

    @property
    def score_plot_item(self) -> pg.PlotItem:
        return self._score
