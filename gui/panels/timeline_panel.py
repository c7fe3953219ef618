"""Attention through training: replay how the probe sentences' attention sharpened, validation by
validation, and diff two points in time.

It reads the open model's ``probes.jsonl`` (``core.inspection.probe_timeline``) on the Session's
worker thread; Reload reads it again while a run appends to it. Dev probes were recorded on their
reference, so every point has the same matrix shape and the diff is exact cell by cell. A
Transformer's probes keep every head, so a layer × head selector follows one head (or a mean).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.inspection.heads import has_heads, with_choice
from core.inspection.probe_timeline import (
    KIND_REFERENCE,
    PROBES,
    ProbeSnapshot,
    Snapshot,
    Timeline,
    attention_diff,
    read_timeline,
)
from core.inspection.word_merge import in_view
from gui.read_job import read_job
from gui.widgets.attention_heatmap import AttentionHeatmap
from gui.widgets.column import column
from gui.widgets.head_selector import HeadSelector, HeadState
from gui.widgets.naming import named as _named
from gui.widgets.words_switch import WordsSwitch
from gui.words_mode import words_mode_of

log = logging.getLogger(__name__)

KIND_READ = "timeline-read"  # the Session job key of this panel (latest wins)
PLAY_INTERVAL_MS = 700


def _describe(snap: Snapshot, n: int, total: int) -> str:
    bleu = "" if snap.bleu is None else f" · BLEU {snap.bleu:.1f}"
    return f"validation {n} of {total} · step {snap.step:,} · epoch {snap.epoch + 1}{bleu}"


def _head_note(t, choice) -> str:
    return f" · <b>{choice.label}</b>" if choice is not None and has_heads(t) else ""


class TimelinePanel(QWidget):
    """A probe chooser, a slider over the validations, the attention then, and its change."""

    def __init__(self, session, errors, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._errors = errors
        self._settings = settings
        self._model_dir: str | None = None
        self._model_name = ""
        self._timeline = Timeline(Path("."))
        self._series: list[tuple[Snapshot, ProbeSnapshot]] = []

        self.status_label = _named(
            QLabel("Open a model to replay how its attention formed during training."),
            "timelineStatusLabel",
        )
        self.status_label.setWordWrap(True)
        self.probe_combo = _named(QComboBox(), "probeCombo")
        self.probe_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.probe_combo.setMinimumContentsLength(40)
        self.reload_button = _named(QPushButton("Reload"), "reloadTimelineButton")
        self.reload_button.setToolTip(
            f"Read {PROBES} again (a running training adds a point at each validation)"
        )
        self.play_button = _named(QPushButton("▶ Play"), "playTimelineButton")
        self.play_button.setCheckable(True)
        self.slider = _named(QSlider(Qt.Orientation.Horizontal), "timelineSlider")
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setPageStep(1)
        self.step_label = _named(QLabel(" "), "timelineStepLabel")
        self.step_label.setMinimumWidth(330)
        self.compare_slider = _named(QSlider(Qt.Orientation.Horizontal), "compareSlider")
        self.compare_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.compare_slider.setPageStep(1)
        self.compare_label = _named(QLabel(" "), "compareStepLabel")
        for slider in (self.slider, self.compare_slider):
            slider.setRange(0, 0)
        self.compare_label.setMinimumWidth(330)

        self._build_heatmaps()
        self.words_mode = words_mode_of(session, self)
        self.words_switch = WordsSwitch(self.words_mode, "timelineWordsSwitch")
        self.heads = HeadState(self)
        self.head_selector = HeadSelector(self.heads, "timelineHeadSelector")

        self._lay_out()

        self._play_timer = QTimer(self)
        self._play_timer.setInterval(PLAY_INTERVAL_MS)
        self._play_timer.timeout.connect(self._advance)
        self.play_button.toggled.connect(self._on_play_toggled)
        self.reload_button.clicked.connect(self.reload)
        self.probe_combo.currentIndexChanged.connect(self._on_probe_changed)
        self.slider.valueChanged.connect(self._show)
        self.compare_slider.valueChanged.connect(self._show)
        self.words_mode.changed.connect(self._show)
        self.heads.changed.connect(self._show)
        session.modelLoaded.connect(self.on_model_loaded)
        self._set_enabled(False)
        self.reload_button.setEnabled(False)
        if session.model_info is not None:  # built after a model was opened
            self.on_model_loaded(session.model_info)

    def _lay_out(self) -> None:
        """The probe row (with the head selector and the Words switch), the two sliders, and
        the two heatmaps one above the other."""
        top = QHBoxLayout()
        top.addWidget(QLabel("Probe:"))
        top.addWidget(self.probe_combo, 1)
        top.addWidget(self.head_selector)
        top.addWidget(self.reload_button)
        top.addWidget(self.words_switch)
        at = QHBoxLayout()
        at.addWidget(self.play_button)
        at.addWidget(QLabel("At:"))
        at.addWidget(self.slider, 1)
        at.addWidget(self.step_label)
        versus = QHBoxLayout()
        versus.addWidget(QLabel("Compare with:"))
        versus.addWidget(self.compare_slider, 1)
        versus.addWidget(self.compare_label)
        # one above the other: token labels need width (a column per source word), rows less
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(column(self.heatmap_caption, (self.heatmap, 1)))
        split.addWidget(column(self.diff_caption, (self.diff_heatmap, 1)))
        lay = QVBoxLayout(self)
        lay.addWidget(self.status_label)
        lay.addLayout(top)
        lay.addLayout(at)
        lay.addLayout(versus)
        lay.addWidget(split, 1)

    def _build_heatmaps(self) -> None:
        """The attention at the chosen point, and its change since the compared one."""
        self.heatmap = AttentionHeatmap(placeholder="Choose a probe sentence and a point in time.")
        _named(self.heatmap, "timelineHeatmap")
        self.diff_heatmap = AttentionHeatmap.diverging()
        _named(self.diff_heatmap, "timelineDiffHeatmap")
        self.heatmap_caption = QLabel(" ")
        self.diff_caption = QLabel(" ")
        for label in (self.heatmap_caption, self.diff_caption):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    # ------------------------------------------------------------------ loading
    @Slot(object)
    def on_model_loaded(self, info) -> None:
        self._model_dir, self._model_name = str(info.path), info.name
        self.show_timeline(Timeline(Path(info.path) / PROBES))
        self.status_label.setText(f"Reading the probe timeline of “{info.name}”…")
        self.reload()

    @Slot(str)
    def follow_folder(self, folder: str) -> None:
        """A run the Train tab follows (File → Attach to a training…): its probes, read again
        at each of its validations, until a model is opened."""
        if self._model_dir != folder:
            self._model_dir, self._model_name = folder, Path(folder).name
            self.show_timeline(Timeline(Path(folder) / PROBES))
            self.status_label.setText(f"Reading the probe timeline of the run in {folder}…")
        self.reload()

    @Slot()
    def reload(self) -> None:
        """Read the model folder's probes.jsonl again (on the worker thread)."""
        if self._model_dir is None:
            return
        self.reload_button.setEnabled(False)
        job = self._session.submit(
            KIND_READ,
            read_job(read_timeline, self._model_dir),
            needs_model=False,
            title="Cannot read the probe timeline",
        )
        job.on_result(self._on_read).on_error(self._on_read_failed)

    @Slot(object)
    def _on_read(self, timeline: Timeline) -> None:
        self.reload_button.setEnabled(self._model_dir is not None)
        self.show_timeline(timeline)

    @Slot(object)
    def _on_read_failed(self, failure) -> None:
        """The main window shows the dialog; here the panel says what happened."""
        self.reload_button.setEnabled(self._model_dir is not None)
        self.status_label.setText(f"Cannot read the probe timeline: {failure.message}")

    def show_timeline(self, timeline: Timeline) -> None:
        """Show ``timeline``, keeping the chosen probe, and the latest point if it was shown."""
        # a first look starts at the latest point; a reload stays at the end if it was there
        was_at_end = not self._series or self.slider.value() == self.slider.maximum()
        previous = self.probe_combo.currentData()
        self._timeline = timeline
        self.probe_combo.blockSignals(True)
        self.probe_combo.clear()
        kinds = {p.source: p.kind for s in timeline.snapshots for p in s.probes}
        for source in timeline.sources:
            tag = (
                "dev sentence, on its reference"
                if kinds[source] == KIND_REFERENCE
                else "your sentence, on the model's output"
            )
            self.probe_combo.addItem(f"{source}   ({tag})", source)
        index = max(0, self.probe_combo.findData(previous)) if previous is not None else 0
        self.probe_combo.setCurrentIndex(index if self.probe_combo.count() else -1)
        self.probe_combo.blockSignals(False)
        if timeline.empty:
            self._stop_playing()
            self._series = []
            for slider in (self.slider, self.compare_slider):
                slider.blockSignals(True)
                slider.setRange(0, 0)
                slider.blockSignals(False)
            self._set_enabled(False)
            self.heatmap.clear()
            self.diff_heatmap.clear()
            self.heatmap_caption.setText(" ")
            self.diff_caption.setText(" ")
            self.step_label.setText(" ")
            self.compare_label.setText(" ")
            if self._model_dir is not None:
                self.status_label.setText(
                    f"“{self._model_name}” has no probe timeline ({PROBES}): it was trained before "
                    "Attnscope recorded one, or it has not reached its first validation yet. "
                    "Models trained now record their probe sentences at every validation."
                )
            return
        n = len(timeline.snapshots)
        warn = f" Note: {timeline.warnings[-1]}" if timeline.warnings else ""
        self.status_label.setText(
            f"“{self._model_name}”: {len(timeline.sources)} probe sentence(s) recorded at {n} "
            f"validation(s), steps {timeline.snapshots[0].step:,}–{timeline.snapshots[-1].step:,}. "
            f"Move the slider or press Play to watch the attention form.{warn}"
        )
        self._set_enabled(True)
        self._load_series(keep_end=was_at_end)

    # ------------------------------------------------------------------ choosing what to show
    @Slot(int)
    def _on_probe_changed(self, _index: int) -> None:
        self._load_series(keep_end=True)

    def _load_series(self, keep_end: bool) -> None:
        source = self.probe_combo.currentData()
        self._series = self._timeline.series(source) if source is not None else []
        last = max(0, len(self._series) - 1)
        at = last if keep_end else min(self.slider.value(), last)
        for s in (self.slider, self.compare_slider):
            s.blockSignals(True)
            s.setRange(0, last)
        self.slider.setValue(at)
        self.compare_slider.setValue(min(self.compare_slider.value(), last))
        for s in (self.slider, self.compare_slider):
            s.blockSignals(False)
        first = self._series[0][1].translation if self._series else None
        self.heads.set_shape(*(first.cross_attention.shape[:2] if has_heads(first) else (0, 0)))
        self._show()

    def select(self, probe: int, at: int, compare: int | None = None) -> None:
        """Show probe number ``probe`` at validation ``at`` (indices), optionally diffed with
        validation ``compare`` (for scripts, tests and screenshots)."""
        self.probe_combo.setCurrentIndex(probe)
        self.slider.setValue(at)
        if compare is not None:
            self.compare_slider.setValue(compare)

    def _show(self, *_args) -> None:
        if not self._series:
            return
        total = len(self._series)
        snap, probe = self._series[self.slider.value()]
        before_snap, before = self._series[self.compare_slider.value()]
        self.step_label.setText(_describe(snap, self.slider.value() + 1, total))
        self.compare_label.setText(_describe(before_snap, self.compare_slider.value() + 1, total))
        words, choice = self.words_mode.words, self.heads.choice
        t = in_view(with_choice(probe.translation, choice), words)  # the head, then words
        if t.attention.size:
            self.heatmap.set_translation(t)
        else:
            self.heatmap.clear()
        if probe.kind == KIND_REFERENCE:
            self.heatmap_caption.setText(
                f"<b>Step {snap.step:,}</b>: attention while the model reads the reference "
                f"“{probe.reference}” (forced decoding; p = its probability of each word). "
                f"Its own translation then: “{probe.output}”{_head_note(t, choice)}"
            )
        else:
            self.heatmap_caption.setText(
                f"<b>Step {snap.step:,}</b>: attention of the model's output “{probe.output}”"
                f"{_head_note(t, choice)}"
            )
        d = attention_diff(in_view(with_choice(before.translation, choice), words), t)
        if d.diff.size:
            self.diff_heatmap.set_matrix(d.diff, d.source_tokens, d.target_tokens)
        else:
            self.diff_heatmap.clear()
        note = f" <i>{d.note}.</i>" if d.note else ""
        self.diff_caption.setText(
            f"<b>Change from step {before_snap.step:,} to {snap.step:,}</b> (red: more "
            f"attention, blue: less) · mean entropy {d.before_entropy:.2f} → "
            f"{d.after_entropy:.2f} nats{note}"
        )

    @property
    def timeline(self) -> Timeline:
        return self._timeline

    @property
    def series(self) -> list[tuple[Snapshot, ProbeSnapshot]]:
        return list(self._series)

    # ------------------------------------------------------------------ playing
    @Slot(bool)
    def _on_play_toggled(self, on: bool) -> None:
        if on:
            if self.slider.value() >= self.slider.maximum():
                self.slider.setValue(0)  # replay from the start
            self.play_button.setText("❚❚ Pause")
            self._play_timer.start()
        else:
            self._play_timer.stop()
            self.play_button.setText("▶ Play")

    def _stop_playing(self) -> None:
        if self.play_button.isChecked():
            self.play_button.setChecked(False)

    @Slot()
    def _advance(self) -> None:
        if self.slider.value() >= self.slider.maximum():
            self._stop_playing()
            return
        self.slider.setValue(self.slider.value() + 1)
        if self.slider.value() >= self.slider.maximum():
            self._stop_playing()

    def _set_enabled(self, on: bool) -> None:
        for w in (self.probe_combo, self.play_button, self.slider, self.compare_slider):
            w.setEnabled(on)
