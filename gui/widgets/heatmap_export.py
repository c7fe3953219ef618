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
    pixmaps = [v.grab() for v in (plot, bar) if v is not None]
    ratio = pixmaps[0].devicePixelRatio()
    out = QPixmap(sum(px.width() for px in pixmaps), max(px.height() for px in pixmaps))
    out.setDevicePixelRatio(ratio)
    out.fill(QColor("white"))
    painter = QPainter(out)
    x = 0
    for px in pixmaps:
        painter.drawPixmap(int(x / ratio), 0, px)
        x += px.width()
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
    views = [v for v in (plot, bar) if v is not None]
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    size = QSize(sum(v.width() for v in views), max(v.height() for v in views))
    gen.setSize(size)
    gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
    gen.setTitle("Attention")
    gen.setDescription(description)
    painter = QPainter(gen)
    try:
        x = 0
        for view in views:
            w, h = view.width(), view.height()
            view.render(
                painter, QRectF(x, 0, w, h), QRect(0, 0, w, h), Qt.AspectRatioMode.IgnoreAspectRatio
            )
            x += w
    finally:
        painter.end()
    if not path.exists():
        raise OSError(f"could not write {path}")
    return path
