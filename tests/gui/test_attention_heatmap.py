"""The heatmap shows the true matrix, labels every token, and inspects/export it faithfully."""

from __future__ import annotations

import json

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, Qt

from core.inspection.attention_export import attention_csv, read_attention_csv
from gui.widgets.attention_heatmap import AttentionHeatmap, elide_token


def _matrix(rows: int, cols: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = rng.random((rows, cols)).astype(np.float32) ** 3
    return (w / w.sum(axis=1, keepdims=True)).astype(np.float32)


SRC = ["the", "house", "is", "small", ",", "isn't", "it", "?", "</s>"]
TGT = ["das", "Haus", "ist", "klein", ",", "nicht", "?", "</s>"]


@pytest.fixture
def heatmap(qtbot):
    w = AttentionHeatmap()
    qtbot.addWidget(w)
    w.resize(900, 600)
    w.set_matrix(
        _matrix(len(TGT), len(SRC)),
        SRC,
        TGT,
        token_probs=np.linspace(0.5, 0.95, len(TGT)).astype(np.float32),
    )
    w.show()
    qtbot.waitExposed(w)
    return w


def test_image_is_the_matrix_row_major_with_fixed_levels(heatmap):
    expected = _matrix(len(TGT), len(SRC))
    img = heatmap.image_item
    assert img.image.shape == (len(TGT), len(SRC))  # rows = target, cols = source
    np.testing.assert_array_equal(img.image, expected)
    assert img.axisOrder == "row-major"
    assert tuple(img.getLevels()) == (0.0, 1.0)
    assert tuple(heatmap.colorbar.levels()) == (0.0, 1.0)
    # cell i sits on tick i: the image spans -0.5 .. n-0.5 in both directions
    rect = img.mapRectToParent(img.boundingRect())
    assert (rect.left(), rect.top()) == (-0.5, -0.5)
    assert (rect.width(), rect.height()) == (len(SRC), len(TGT))
    assert heatmap.plot_item.getViewBox().yInverted()


def test_tick_labels_are_the_tokens(heatmap):
    assert heatmap.source_tick_labels() == SRC
    assert heatmap.target_tick_labels() == TGT


def test_colour_of_a_known_cell(heatmap, qtbot):
    w = np.zeros((len(TGT), len(SRC)), dtype=np.float32)
    w[:, 0] = 1.0
    heatmap.set_matrix(w, SRC, TGT)
    qtbot.wait(50)
    pix = heatmap.graphics_view.grab().toImage()
    ratio = pix.devicePixelRatio()
    hot = heatmap.cell_view_pos(3, 0)
    cold = heatmap.cell_view_pos(3, 4)
    cmap = pg.colormap.get("viridis")
    for pos, value in ((hot, 1.0), (cold, 0.0)):
        got = pix.pixelColor(int(pos.x() * ratio), int(pos.y() * ratio))
        want = cmap.map(value, mode="qcolor")
        assert (
            abs(got.red() - want.red()) < 12
            and abs(got.green() - want.green()) < 12
            and abs(got.blue() - want.blue()) < 12
        ), (value, got.getRgb(), want.getRgb())


def test_long_sentence_keeps_every_label_and_grows(qtbot):
    src = [f"word{i}" for i in range(40)] + ["</s>"]
    tgt = [f"Wort{i}" for i in range(30)] + ["Donaudampfschifffahrtsgesellschaft", "</s>"]
    h = AttentionHeatmap()
    qtbot.addWidget(h)
    h.resize(700, 500)
    h.set_matrix(_matrix(len(tgt), len(src)), src, tgt)
    assert h.source_tick_labels() == src
    labels = h.target_tick_labels()
    assert len(labels) == len(tgt)
    assert labels[-2] == elide_token(tgt[-2]) and labels[-2].endswith("…")
    view = h.graphics_view
    assert view.minimumWidth() > 700 and view.minimumHeight() > 500  # scrolls instead of squeezing
    # the full token is still available on hover
    assert h.text_for_cell(len(tgt) - 2, 0).startswith("Donaudampfschifffahrtsgesellschaft ←")


def test_hover_text_by_mouse(heatmap, qtbot):
    view = heatmap.graphics_view
    pos = heatmap.cell_view_pos(1, 1)
    qtbot.mouseMove(view.viewport(), QPoint(int(pos.x()), int(pos.y())))
    qtbot.waitUntil(lambda: heatmap.hover_text != "", timeout=2000)
    weight = heatmap.weights[1, 1]
    assert heatmap.hover_text.startswith(f"Haus ← house: {weight:.3f}")
    assert "p(Haus) = " in heatmap.hover_text


def test_click_target_token_highlights_row_then_arrows_move(heatmap, qtbot):
    view = heatmap.graphics_view
    left_axis = heatmap.plot_item.getAxis("left")
    scene_pt = heatmap.cell_scene_pos(2, 0)
    axis_x = left_axis.mapToScene(left_axis.boundingRect().center()).x()
    click = view.mapFromScene(pg.Point(axis_x, scene_pt.y()))
    with qtbot.waitSignal(heatmap.selectionChanged) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=click)
    assert blocker.args == [2, -1]
    assert heatmap.selection == (2, None)
    row = heatmap.weights[2]
    best = SRC[int(row.argmax())]
    assert heatmap.selection_text.startswith("“ist” attends to: " + best)

    qtbot.keyClick(heatmap, Qt.Key.Key_Down)
    assert heatmap.selection == (3, None)
    qtbot.keyClick(heatmap, Qt.Key.Key_Up)
    qtbot.keyClick(heatmap, Qt.Key.Key_Up)
    assert heatmap.selection == (1, None)
    qtbot.keyClick(heatmap, Qt.Key.Key_Right)
    assert heatmap.selection == (1, 0)
    assert heatmap.hover_text.startswith("Haus ← the:")
    for _ in range(20):  # clamps at the last token
        qtbot.keyClick(heatmap, Qt.Key.Key_Right)
    assert heatmap.selection == (1, len(SRC) - 1)
    qtbot.keyClick(heatmap, Qt.Key.Key_Escape)
    assert heatmap.selection == (None, None)


def test_click_source_token_highlights_column(heatmap, qtbot):
    view = heatmap.graphics_view
    top_axis = heatmap.plot_item.getAxis("top")
    scene_pt = heatmap.cell_scene_pos(0, 3)
    axis_y = top_axis.mapToScene(top_axis.boundingRect().center()).y()
    click = view.mapFromScene(pg.Point(scene_pt.x(), axis_y))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=click)
    assert heatmap.selection == (None, 3)
    assert heatmap.selection_text.startswith("“small” is attended by:")


def test_click_cell_selects_it(heatmap, qtbot):
    pos = heatmap.cell_view_pos(4, 2)
    qtbot.mouseClick(
        heatmap.graphics_view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(int(pos.x()), int(pos.y())),
    )
    assert heatmap.selection == (4, 2)


def test_exports_round_trip(heatmap, tmp_path):
    w = heatmap.weights
    heatmap.export(tmp_path / "a.csv")
    src, tgt, got = read_attention_csv(tmp_path / "a.csv")
    assert (src, tgt) == (SRC, TGT)
    np.testing.assert_array_equal(got, w)
    # the same bytes the CLI writes for the same matrix (one format: the attention_export module)
    assert (tmp_path / "a.csv").read_bytes().decode("utf-8") == attention_csv(SRC, TGT, w)

    heatmap.export(tmp_path / "a.json")
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert data["source_tokens"] == SRC and data["target_tokens"] == TGT
    np.testing.assert_array_equal(np.array(data["weights"], dtype=np.float32), w)
    assert len(data["token_probs"]) == len(TGT)

    png = heatmap.export(tmp_path / "a.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    img = QImage(str(png))
    assert img.width() > 300 and img.height() > 200

    svg = heatmap.export(tmp_path / "a.svg")
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "house" in text and "Haus" in text

    with pytest.raises(ValueError):
        heatmap.export(tmp_path / "a.bmp")


def test_shape_mismatch_is_refused(heatmap):
    with pytest.raises(ValueError):
        heatmap.set_matrix(np.zeros((2, 3)), ["a", "b"], ["x", "y"])


def test_clear_and_reuse_items(heatmap):
    img = heatmap.image_item
    n_items = len(heatmap.plot_item.items)
    heatmap.clear()
    heatmap.set_matrix(_matrix(3, 4), list("abcd"), list("xyz"))
    assert heatmap.image_item is img and len(heatmap.plot_item.items) == n_items
    assert heatmap.source_tick_labels() == list("abcd")


def test_empty_state_is_the_hint_alone_not_bare_axes(qtbot):
    """Before the first translation: the hint, covering the bare 0..1 axes and colour bar."""
    w = AttentionHeatmap(placeholder="Translate a sentence first.")
    qtbot.addWidget(w)
    w.resize(600, 400)
    w.show()
    qtbot.waitExposed(w)
    hint = w.findChild(object, "attentionHintLabel")

    def covered() -> bool:
        """The hint lies over the whole widget: whatever is at the centre and the corners is it."""
        points = [w.rect().center(), QPoint(3, 3), QPoint(w.width() - 4, w.height() - 4)]
        return hint.geometry() == w.rect() and all(w.childAt(p) is hint for p in points)

    assert w.showing_hint and hint.isVisible() and hint.text() == "Translate a sentence first."
    assert covered()
    w.set_matrix(_matrix(len(TGT), len(SRC)), SRC, TGT)
    assert not w.showing_hint and not hint.isVisible() and not covered()
    w.resize(700, 450)
    w.clear()
    assert w.showing_hint and covered()


def _heatmap_in_a_hidden_tab(qtbot, width: int, height: int):
    """A shown tab widget whose second tab, not current, is a heatmap: (tabs, heatmap)."""
    from PySide6.QtWidgets import QTabWidget, QWidget

    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QWidget(), "first")
    heatmap = AttentionHeatmap()
    tabs.addTab(heatmap, "heatmap")
    tabs.resize(width, height)
    tabs.show()
    qtbot.waitExposed(tabs)
    return tabs, heatmap


def test_a_matrix_set_while_hidden_fits_when_its_tab_is_shown(qtbot):
    """A view filled while its tab is hidden (the Attribution tab's attention beside the
    attribution) staggers its labels to the room it gets when shown, instead of scrolling."""
    tabs, heatmap = _heatmap_in_a_hidden_tab(qtbot, 520, 420)
    src = [f"source{i:02d}" for i in range(9)]
    heatmap.set_matrix(_matrix(4, 9), src, ["a", "b", "c", "d"])
    tabs.setCurrentWidget(heatmap)
    qtbot.wait(50)
    assert not heatmap._scroll.horizontalScrollBar().isVisible()
    assert heatmap.source_tick_labels() == src


def test_the_plot_is_built_when_first_needed(qtbot):
    """A window holds many heatmaps in tabs not yet shown: each builds its plot and colour bar
    with its first matrix (or the first look at them), not when it is created."""
    w = AttentionHeatmap()
    qtbot.addWidget(w)
    w.resize(500, 300)
    w.show()
    qtbot.waitExposed(w)
    w.clear()
    assert not w._built and w.showing_hint
    weights = np.array([[0.7, 0.3], [0.1, 0.9]], dtype=np.float32)
    w.set_matrix(weights, ["a", "b"], ["x", "y"])
    assert w._built and not w.showing_hint
    np.testing.assert_array_equal(w.image_item.image, weights)
    assert w.source_tick_labels() == ["a", "b"] and w.target_tick_labels() == ["x", "y"]
    with qtbot.waitSignal(w.hoverTextChanged, timeout=2000):  # its signals were connected
        w.image_item.cellHovered.emit(1, 1)

    untouched = AttentionHeatmap()
    qtbot.addWidget(untouched)
    assert untouched.colorbar is not None and untouched._built  # asked for: built on the spot
    with pytest.raises(AttributeError):
        untouched.no_such_attribute  # noqa: B018


def test_a_hidden_heatmap_builds_and_draws_its_matrix_when_its_tab_is_shown(qtbot):
    """A hidden tab's heatmap filled during training (the Timeline's) stores the matrix and
    builds its plot when first shown, not on the GUI thread in the middle of training."""
    tabs, heatmap = _heatmap_in_a_hidden_tab(qtbot, 600, 400)
    weights = _matrix(3, 4)
    heatmap.set_matrix(weights, ["a", "b", "c", "d"], ["x", "y", "z"])
    assert not heatmap._built and not heatmap.showing_hint
    np.testing.assert_array_equal(heatmap.weights, weights)  # the data is there already
    tabs.setCurrentWidget(heatmap)
    qtbot.waitUntil(lambda: heatmap._built)
    np.testing.assert_array_equal(heatmap.image_item.image, weights)
    assert heatmap.image_item.isVisible()
    assert heatmap.source_tick_labels() == ["a", "b", "c", "d"]
    assert heatmap.target_tick_labels() == ["x", "y", "z"]


def test_a_hidden_heatmap_exports_its_matrix_not_a_blank_picture(qtbot, tmp_path):
    from PySide6.QtGui import QImage

    tabs, heatmap = _heatmap_in_a_hidden_tab(qtbot, 600, 400)
    heatmap.set_matrix(_matrix(3, 4), ["a", "b", "c", "d"], ["x", "y", "z"])
    image = QImage(str(heatmap.export_png(tmp_path / "hidden.png")))
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
    }
    assert len(colours) > 20  # cells, labels and the colour bar; a blank export has one or two
    svg = heatmap.export_svg(tmp_path / "hidden.svg").read_text(encoding="utf-8")
    assert "<image" in svg


def test_a_pending_matrix_is_drawn_when_first_looked_at_and_keeps_a_selection(qtbot):
    w = AttentionHeatmap()
    qtbot.addWidget(w)
    weights = _matrix(3, 4)
    w.set_matrix(weights, ["a", "b", "c", "d"], ["x", "y", "z"])
    assert not w._built
    w.select(2, 1)  # e.g. a selection synchronised from another view
    assert w._built and w.selection == (2, 1)
    np.testing.assert_array_equal(w.image_item.image, weights)
    w.clear()
    w.set_matrix(weights, ["a", "b", "c", "d"], ["x", "y", "z"])
    assert w.selection == (None, None) and w.image_item.isVisible()


def test_a_new_window_builds_only_the_heatmaps_it_shows(window):
    from gui.widgets.attention_heatmap import AttentionHeatmap as Heatmap

    heatmaps = window.findChildren(Heatmap)
    assert len(heatmaps) >= 10
    assert not any(h._built for h in heatmaps)
