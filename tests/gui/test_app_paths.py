"""The window builds its AppPaths once and every panel uses that one: a window given another
library lists, compares and trains into that library, not the default one."""

import shutil

from core.paths import AppPaths


def test_panels_use_the_windows_paths(qtbot, tiny_model_dir, tmp_path) -> None:
    from gui.main_window import MainWindow

    paths = AppPaths.under(tmp_path / "elsewhere").ensure()
    model = paths.models / "tiny-demo"
    shutil.copytree(tiny_model_dir, model, ignore=shutil.ignore_patterns("checkpoints"))
    assert AppPaths.default().models != paths.models  # the test's own ATTNSCOPE_HOME differs

    win = MainWindow(paths)
    try:
        assert win.paths is paths
        assert win.library_panel.root == paths.models
        assert win.library_panel.model_paths() == [str(model)]
        win.compare_panel.refresh_models()
        assert [i.path for i in win.compare_panel.picker_a.model_infos] == [str(model)]
        assert win.train_panel.form._paths is paths  # build_job's new model folder goes here
    finally:
        win.errors.close_all()
        win.close()
        win.session.shutdown()
        win.deleteLater()


def test_create_window_hands_the_default_paths_to_the_window(make_window) -> None:
    win = make_window()
    assert win.paths == AppPaths.default()
    assert win.library_panel.root == AppPaths.default().models
