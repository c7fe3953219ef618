"""Render resources/icons/attnscope.svg into the PNG, ICO and ICNS files the packages need.

    .venv/bin/python packaging/make_icons.py            # rewrite resources/icons/*
    .venv/bin/python packaging/make_icons.py --out DIR  # write somewhere else

Uses PySide6's QSvgRenderer offscreen (QtSvg is part of PySide6-Essentials), so it runs without a
display. The ICO (Windows) and ICNS (macOS) containers are written by hand with PNG-compressed
entries: both formats are a small header, a table of entries and the PNG bytes.
Re-run it after editing the SVG and commit the results.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "attnscope.svg"

PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)  # committed as attnscope-<n>.png (hicolor sizes)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # Windows: 256 is the largest an ICO can hold
# macOS: OSType -> pixel size; every type here may hold PNG data (macOS 10.7+).
ICNS_TYPES = (
    ("icp4", 16),
    ("icp5", 32),
    ("icp6", 64),
    ("ic07", 128),
    ("ic08", 256),
    ("ic09", 512),
    ("ic10", 1024),
    ("ic11", 32),
    ("ic12", 64),
    ("ic13", 256),
    ("ic14", 512),
)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn into a transparent ``size`` x ``size`` image, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG"):
        raise SystemExit(f"could not encode a {size} px PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows ICO holding one PNG-compressed 32-bit image per size (Vista and later)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        if not 1 <= size <= 256:
            raise ValueError(f"an ICO entry must be 1..256 px, not {size}")
        blob = pngs[size]
        dim = 0 if size == 256 else size  # 0 means 256
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return header + b"".join(entries) + b"".join(blobs)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS ICNS with PNG data for each type of ``ICNS_TYPES``."""
    body = b"".join(
        ostype.encode("ascii") + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
        for ostype, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=SVG, help="source SVG (default: %(default)s)")
    parser.add_argument(
        "--out", type=Path, default=ICONS, help="output folder (default: %(default)s)"
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = set(PNG_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES}
    pngs = {size: render_png(args.svg, size) for size in sorted(wanted)}
    for size in PNG_SIZES:
        (args.out / f"attnscope-{size}.png").write_bytes(pngs[size])
    (args.out / "attnscope.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    (args.out / "attnscope.icns").write_bytes(icns_bytes(pngs))
    if args.svg.resolve() != (args.out / "attnscope.svg").resolve():
        (args.out / "attnscope.svg").write_bytes(args.svg.read_bytes())
    print(
        f"wrote {len(PNG_SIZES)} PNGs, attnscope.ico ({len(ICO_SIZES)} sizes) and "
        f"attnscope.icns ({len(ICNS_TYPES)} entries) to {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
