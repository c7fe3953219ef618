"""The inspector beside the N-best list: every view of one translation, one tab each.

Heatmap (with export) and its statistics side by side, alignment lines, the beam's search tree
(click a node: that partial hypothesis's attention), the user's translation beside the model's
(tokens coloured by confidence), the what-if re-decode and gradient attribution beside attention.
For a Transformer, one shared layer × head choice (``HeadState``) decides which matrix the
heatmap, statistics, lines and what-if show; the Heads tab draws every head, the Self-attention
tab the encoder's and decoder's own attention.
It shows what the Translate panel hands it; what it asks the model for itself (a what-if re-decode,
an attribution) goes through ``Session.submit`` like every job.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSplitter,
    QTabWidget,
    QToolButton,
)

from core.inspection.heads import default_choice, fits, has_heads, with_choice
from core.inspection.word_merge import in_view
from core.inspection.word_tree import same_node, words_inspection
from gui.widgets.alignment_view import AlignmentView
from gui.widgets.attention_heatmap import AttentionHeatmap
from gui.widgets.attention_stats_view import AttentionStatsView
from gui.widgets.attribution_view import AttributionView
from gui.widgets.beam_tree_view import BeamTreeView
from gui.widgets.column import column
from gui.widgets.head_alignment import HeadAlignmentPanel
from gui.widgets.head_grid import HeadGrid
from gui.widgets.head_selector import HeadSelector, HeadState
from gui.widgets.naming import named
from gui.widgets.self_attention_view import SelfAttentionView
from gui.widgets.splitter_memory import remember_sizes
from gui.widgets.token_strip import ConfidenceComparison
from gui.widgets.what_if_view import WhatIfView
from gui.widgets.words_switch import WordsSwitch
from gui.words_mode import words_mode_of

GREEDY_TREE_MESSAGE = "Beam size 1 (greedy search) explores no tree — set the beam to 2 or more"
KIND_ATTRIBUTION = "attribution"
EXPORT_FILTERS = {
    "png": "PNG image (*.png)",
    "svg": "SVG image (*.svg)",
    "csv": "CSV table (*.csv)",
    "json": "JSON (*.json)",
}


def _attribution_job(translator, ctx, tr, method: str):
    """Runs on the worker thread, which imports the torch-heavy attribution code itself: the
    GUI thread never does, so opening the tab costs nothing."""
    from core.inspection.attribution import attribution_job

    return attribution_job(translator, ctx, tr, method)


class Inspector(QTabWidget):
    exportFinished = Signal(str)  # the path written

    def __init__(self, session, errors, settings, parent=None) -> None:
        super().__init__(parent)
        named(self, "inspectorTabs")
        self.setDocumentMode(True)
        self._session, self._errors, self._settings = session, errors, settings
        self._inspection = None
        self._hypothesis = None  # the chosen hypothesis as the model made it (pieces, every head)
        self._node_id = 0  # the beam-tree node whose partial hypothesis is shown
        self._tree_inspection = None  # the inspection the tree view draws (pieces or words)
        self._attribution_handle = None  # gui.job.Job of the running attribution
        self._text = ""
        self.heads = HeadState(self)
        self.heads.changed.connect(self._on_head_changed)
        self.addTab(self._build_heatmap_tab(settings, errors), "Heatmap && statistics")
        self.head_grid = HeadGrid(self.heads)
        self.head_grid.headClicked.connect(self._open_head)
        self._heads_tab = self.addTab(self.head_grid, "Heads")
        self.alignment_view = named(
            AlignmentView(settings=settings, errors=errors), "alignmentView"
        )
        self.alignment_panel = HeadAlignmentPanel(self.alignment_view, self.heads)
        self.addTab(self.alignment_panel, "Alignment lines")
        self.self_attention = SelfAttentionView(self.heads)
        self._self_tab = self.addTab(self.self_attention, "Self-attention")
        self.addTab(self._build_tree_tab(), "Beam tree")
        self.addTab(self._build_confidence_tab(), "Your translation")
        for tab in (self._heads_tab, self._self_tab):  # until a Transformer's translation comes
            self.setTabVisible(tab, False)
        self.what_if_view = WhatIfView()
        self.what_if_view.whatIfRequested.connect(self._request_what_if)
        self.what_if_heads = named(QLabel(), "whatIfHeadsLabel")  # which heads a what-if replaces
        self.what_if_heads.setWordWrap(True)
        self.addTab(column(self.what_if_heads, (self.what_if_view, 1)), "What if…")
        self.attribution_view = AttributionView()
        self.attribution_view.attributionRequested.connect(self._request_attribution)
        self.attribution_view.cancelRequested.connect(self._cancel_attribution)
        self.addTab(self.attribution_view, "Attribution")
        self.words_mode = words_mode_of(session, self)
        self.words_switch = WordsSwitch(self.words_mode, "inspectorWordsSwitch")
        self.setCornerWidget(self.words_switch, Qt.Corner.TopRightCorner)
        self.words_mode.changed.connect(self._on_words_changed)
        self.attribution_view.set_words(self.words_mode.words)

    # ------------------------------------------------------------------ building
    def _build_heatmap_tab(self, settings, errors):
        """The matrix with its statistics beside it: entropy and peak per row, coverage (and the
        under/over-attended flags) per column; clicking a statistics row selects it on the map."""
        self.heatmap = AttentionHeatmap()
        self.export_button = named(QToolButton(), "exportAttentionButton")
        self.export_button.setText("Export…")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for fmt, label in (
            ("png", "Heatmap as PNG…"),
            ("svg", "Heatmap as SVG…"),
            ("csv", "Matrix as CSV…"),
            ("json", "Matrix as JSON…"),
        ):
            act = QAction(label, menu)
            act.setData(fmt)
            menu.addAction(act)
        menu.triggered.connect(self._on_export_action)
        self.export_button.setMenu(menu)
        self.export_button.setEnabled(False)
        self.head_selector = HeadSelector(self.heads, "heatmapHeadSelector")
        head = QHBoxLayout()
        head.addWidget(QLabel("Attention — hover a cell; click a word; arrow keys move"))
        head.addStretch(1)
        head.addWidget(self.head_selector)
        head.addWidget(self.export_button)
        self.stats_view = named(AttentionStatsView(settings=settings, errors=errors), "statsView")
        self.stats_view.sourceTokenSelected.connect(lambda j: self.heatmap.select(None, j))
        self.stats_view.targetTokenSelected.connect(lambda i: self.heatmap.select(i, None))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(column(head, (self.heatmap, 1)))
        split.addWidget(self.stats_view)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        remember_sizes(split, settings, "heatmapStats", [720, 320])
        return split

    def _build_tree_tab(self):
        self.tree_view = BeamTreeView()
        self.tree_heatmap = named(AttentionHeatmap(), "treeNodeHeatmap")
        self.tree_label = QLabel("The chosen node's partial hypothesis and its attention")
        self.tree_label.setWordWrap(True)
        self.tree_view.nodeSelected.connect(self._show_tree_node)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree_view)
        split.addWidget(column(self.tree_label, (self.tree_heatmap, 1)))
        split.setSizes([420, 300])
        return split

    def _build_confidence_tab(self):
        self.confidence = ConfidenceComparison()
        self.model_heatmap = named(AttentionHeatmap(), "modelBestHeatmap")
        self.your_heatmap = named(AttentionHeatmap(), "yourTranslationHeatmap")
        pair = QSplitter(Qt.Orientation.Horizontal)
        pair.addWidget(column("The model's translation", (self.model_heatmap, 1)))
        pair.addWidget(column("Your translation (type it above)", (self.your_heatmap, 1)))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.confidence)
        split.addWidget(pair)
        split.setSizes([170, 500])
        return split

    # ------------------------------------------------------------------ showing
    def _view(self, tr):
        """``tr`` as the views show it: merged into words when the switch says Words."""
        return in_view(tr, self.words_mode.words)

    def show_inspection(self, inspection, source_text: str) -> None:
        """A new result: the views that belong to the whole request (tree, confidence)."""
        self._inspection, self._text = inspection, source_text
        self._node_id = 0
        self._show_tree()
        self.tree_heatmap.clear()
        best = inspection.hypotheses[0] if inspection.hypotheses else None
        self._sync_heads(best)
        self._show_request()

    def _show_tree(self) -> None:
        """The beam tree in the switch's mode: a node per piece, or per word (a word node's
        partial hypothesis is the piece tree's, merged into words)."""
        inspection = self._inspection
        self._tree_inspection = (
            words_inspection(inspection) if self.words_mode.words else inspection
        )
        if inspection.tree is not None:
            self.tree_view.set_inspection(self._tree_inspection)
        else:
            self.tree_view.clear(GREEDY_TREE_MESSAGE)

    def _show_request(self) -> None:
        """The model's best and the user's translation, in the switch's mode, showing the chosen
        head."""
        inspection = self._inspection
        best = inspection.hypotheses[0] if inspection.hypotheses else None
        ref = inspection.reference
        if best is not None and best.attention.size:
            self.confidence.set_pair(self._view(best), self._view(ref))
            self.model_heatmap.set_translation(self._chosen(best))
        else:
            self.confidence.clear()
            self.model_heatmap.clear()
        if ref is not None and ref.attention.size:
            self.your_heatmap.set_translation(self._chosen(ref))
        else:
            self.your_heatmap.clear()

    def _sync_heads(self, tr) -> None:
        """The selectors offer this model's layers and heads (none for a GRU); the Heads and
        Self-attention tabs show only for a Transformer."""
        shape = tr.cross_attention.shape[:2] if has_heads(tr) else (0, 0)
        self.heads.set_shape(*shape)  # a new shape (model) resets to the default view
        self.setTabVisible(self._heads_tab, has_heads(tr))
        self.setTabVisible(self._self_tab, has_heads(tr))

    def _chosen(self, tr):
        """``tr`` with the chosen head's matrix as its attention, as the views show it: the head
        is chosen in the pieces, then merged into words in Words mode (a view still holding
        another model's translation while the choice moves shows its default)."""
        return self._view(self._chosen_pieces(tr))

    def _chosen_pieces(self, tr):
        """``tr`` with the chosen head's matrix as its attention, not merged."""
        choice = self.heads.choice
        return with_choice(tr, choice) if choice and fits(choice, tr) else tr

    def show_hypothesis(self, tr) -> None:
        """The hypothesis chosen in the N-best list: heatmap, heads, lines, statistics,
        self-attention, what-if."""
        self._hypothesis = tr
        self._sync_heads(tr)
        if tr.attention.size == 0:
            self.heatmap.clear()
            self.alignment_panel.clear()
            self.stats_view.clear()
            self.head_grid.clear()
            self.self_attention.clear()
            self.export_button.setEnabled(False)
            return
        self._show_hypothesis_views()
        self._cancel_attribution()  # a running one explains the previous hypothesis
        self.attribution_view.set_translation(tr)

    def _show_hypothesis_views(self, what_if: bool = True) -> None:
        """Every view of the hypothesis, in the switch's mode (``what_if`` False: the what-if
        view keeps its translation and result; it is told the mode apart)."""
        self._show_chosen_head(what_if)
        self.head_grid.set_translation(self._hypothesis, self._view)
        self.self_attention.set_translation(self._view(self._hypothesis))

    def _show_chosen_head(self, what_if: bool = True) -> None:
        """The views that show one matrix, showing the chosen head's (then merged into words
        in Words mode)."""
        tr = self._hypothesis
        shown = self._chosen(tr)
        self.heatmap.set_translation(shown)
        self.alignment_panel.set_translation(tr, self._view)
        self.stats_view.set_translation(shown)
        self.export_button.setEnabled(True)
        if what_if:
            self.what_if_view.set_translation(
                self._text, self._chosen_pieces(tr), self.words_mode.words
            )
        self._describe_what_if_heads()

    @Slot(bool)
    def _on_words_changed(self, words: bool) -> None:
        """The switch moved: every view shows the same translations again, in the new mode."""
        self.attribution_view.set_words(words)
        if self._hypothesis is not None and self._hypothesis.attention.size:
            self._show_hypothesis_views(what_if=False)
            self.what_if_view.set_words(words)
        if self._inspection is not None:
            before, node = self._tree_inspection, self._node_id
            self._show_tree()
            self._show_request()
            node = same_node(before, self._tree_inspection, node)
            if node > 0:
                self.tree_view.select_node(node)  # shows its partial hypothesis
            else:
                self._node_id = 0
                self.tree_heatmap.clear()

    @Slot(object)
    def _on_head_changed(self, _choice) -> None:
        """Every view of one matrix shows the newly chosen head."""
        if self._hypothesis is not None and self._hypothesis.attention.size:
            self._show_chosen_head()
        if self._inspection is not None:
            self._show_request()
            self._show_tree_node(self._node_id)

    @Slot(object)
    def _open_head(self, choice) -> None:
        """A thumbnail of the head grid was clicked: show that head in the heatmap."""
        self.heads.set_choice(choice)
        self.setCurrentIndex(0)

    def clear(self) -> None:
        self._inspection = self._hypothesis = self._tree_inspection = None
        for view in (
            self.heatmap,
            self.alignment_panel,
            self.head_grid,
            self.self_attention,
            self.stats_view,
            self.tree_view,
            self.tree_heatmap,
            self.confidence,
            self.model_heatmap,
            self.your_heatmap,
            self.what_if_view,
            self.attribution_view,
        ):
            view.clear()
        self.export_button.setEnabled(False)

    @Slot(int)
    def _show_tree_node(self, node_id: int) -> None:
        """A node's partial hypothesis, in the tree's mode (a word node's attention is its
        pieces' merged into words); a Transformer's tree keeps the last layer's mean over heads."""
        self._node_id = node_id
        ins = self._tree_inspection
        if ins is None or ins.tree is None or node_id <= 0:
            self.tree_heatmap.clear()
            return
        part = ins.partial(node_id)
        node = ins.tree.nodes[node_id]
        note = ""
        if has_heads(self._hypothesis) and self.heads.choice != default_choice(self.heads.shape[0]):
            note = " — the tree keeps the last layer's mean over heads, not the chosen head"
        self.tree_label.setText(
            f"Partial hypothesis ({node.status}, log p = {node.logp:.3f}): “{part.text}”{note}"
        )
        self.tree_heatmap.set_translation(self._chosen(part))

    # ------------------------------------------------------------------ what-if
    @Slot(int, int)
    def _request_what_if(self, step: int, source_index: int) -> None:
        from core.decoding.inspection import what_if

        try:
            kwargs = self.what_if_view.job_kwargs(step, source_index)
            job = partial(what_if, **kwargs, **self._what_if_heads())
            handle = self._session.submit("what-if", job, title="Cannot re-decode")
        except Exception as exc:  # noqa: BLE001 — e.g. refused while a model trains
            self._errors.report_exception("Cannot re-decode", exc)
            return
        handle.on_end(self._on_what_if_ended).on_result(self._show_what_if)
        self.what_if_view.busy(True)

    @Slot(object)
    def _show_what_if(self, changed) -> None:
        """The re-decoded translation, showing the same head as the original beside it."""
        self.what_if_view.show_result(self._chosen_pieces(changed))  # it merges in Words mode

    def _what_if_heads(self) -> dict:
        """The layer and head a Transformer what-if replaces: the chosen ones (all heads for a
        mean; the last layer's when the mean over all layers is shown); nothing for a GRU."""
        tr, choice = self._hypothesis, self.heads.choice
        if tr is None or choice is None or not has_heads(tr):
            return {}
        layer = self.heads.shape[0] - 1 if choice.layer is None else choice.layer
        return {"layer": layer, "head": choice.head}

    def _describe_what_if_heads(self) -> None:
        heads = self._what_if_heads()
        if not heads:
            self.what_if_heads.setVisible(False)
            return
        which = "all heads" if heads["head"] is None else f"head {heads['head']}"
        self.what_if_heads.setText(
            f"A re-decode replaces the cross-attention of <b>layer {heads['layer']}, "
            f"{which}</b> at the chosen step by a one-hot on the chosen source token; the other "
            "layers and heads attend as the model does. Choose the layer and head on the "
            "Heatmap tab."
        )
        self.what_if_heads.setVisible(True)

    @Slot()
    def _on_what_if_ended(self) -> None:
        self.what_if_view.busy(False)

    # ------------------------------------------------------------------ attribution
    @Slot(str)
    def _request_attribution(self, method: str) -> None:
        """Attribute the shown hypothesis on the worker thread."""
        tr = self.attribution_view.translation
        try:
            job = self._session.submit(
                KIND_ATTRIBUTION,
                partial(_attribution_job, tr=tr, method=method),
                title="Cannot compute the attribution",
            )
        except Exception as exc:  # noqa: BLE001 — e.g. refused while a model trains
            self._errors.report_exception("Cannot compute the attribution", exc)
            return
        job.on_progress(self.attribution_view.set_progress).on_result(self._on_attributed)
        job.on_cancelled(self.attribution_view.cancelled).on_end(self._on_attribution_ended)
        self._attribution_handle = job
        self.attribution_view.busy(True)

    def _cancel_attribution(self) -> None:
        if self._attribution_handle is not None and self._attribution_handle.active:
            self._attribution_handle.cancel()

    @Slot(object)
    def _on_attributed(self, result) -> None:
        """Show it only if it still explains the shown hypothesis."""
        shown = self.attribution_view.translation
        if shown is not None and list(result.target_tokens) == list(shown.target_tokens):
            self.attribution_view.show_result(result)

    @Slot()
    def _on_attribution_ended(self) -> None:
        self.attribution_view.busy(False)

    # ------------------------------------------------------------------ export
    @Slot(QAction)
    def _on_export_action(self, action: QAction) -> None:
        fmt = action.data()
        start = Path(self._settings.last_folder("export")) / f"attention.{fmt}"
        path, _ = QFileDialog.getSaveFileName(
            self, "Export attention", str(start), EXPORT_FILTERS[fmt]
        )
        if path:
            if not path.lower().endswith("." + fmt):
                path += "." + fmt
            self.export_to(path)

    def export_to(self, path: str) -> bool:
        try:
            self.heatmap.export(path)
        except Exception as exc:  # noqa: BLE001 — a file problem must not kill the app
            self._errors.report_exception("Export failed", exc)
            return False
        self._settings.set_last_folder("export", path)
        self.exportFinished.emit(str(path))
        return True
