"""Pictures of a heatmap: PNG (pixels) and SVG (axes, labels and colour bar as vectors, the cells
as an embedded image), of the whole plot even where it is scrolled out of view, with its colour
bar beside it. The matrix itself (CSV/JSON) is written by ``core.inspection.attention_export``,
the format the CLI shares.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsView


def save_png(plot: QGraphicsView, bar: QGraphicsView | None, path: str | Path) -> Path:
    """``plot`` and, to its right, ``bar`` (if any: a heatmap sharing a neighbour's) as one PNG."""
    path = Path(path)
    plot_px = plot.grab()
    bar_px = bar.grab() if bar is not None else QPixmap()
    ratio = plot_px.devicePixelRatio()
    w = plot_px.width() + bar_px.width()
    h = max(plot_px.height(), bar_px.height())
    out = QPixmap(int(w), int(h))
    out.setDevicePixelRatio(ratio)
    out.fill(QColor("white"))
    painter = QPainter(out)
    painter.drawPixmap(0, 0, plot_px)
    if bar is not None:
        painter.drawPixmap(int(plot_px.width() / ratio), 0, bar_px)
    painter.end()
    if not out.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path


def save_svg(
    plot: QGraphicsView, bar: QGraphicsView | None, path: str | Path, description: str = ""
) -> Path:
    """``plot`` and ``bar`` (if any) as one SVG.

    Rendered with QSvgGenerator: pyqtgraph's SVGExporter cannot parse the paths Qt 6.12 writes.
    """
    from PySide6.QtSvg import QSvgGenerator

    path = Path(path)
    views = [(plot, 0)] + ([(bar, plot.width())] if bar is not None else [])
    plot_size, bar_size = plot.size(), bar.size() if bar is not None else QSize(0, 0)
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    size = QSize(plot_size.width() + bar_size.width(), max(plot_size.height(), bar_size.height()))
    gen.setSize(size)
    gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
    gen.setTitle("Attention")
    gen.setDescription(description)
    painter = QPainter(gen)
    try:
        for view, x in views:
            w, h = view.width(), view.height()
            view.render(
                painter, QRectF(x, 0, w, h), QRect(0, 0, w, h), Qt.AspectRatioMode.IgnoreAspectRatio
            )
    finally:
        painter.end()
    if not path.exists():
        raise OSError(f"could not write {path}")
    return path
