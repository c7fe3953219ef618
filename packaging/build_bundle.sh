#!/usr/bin/env bash
# Build the Attnscope desktop bundle with PyInstaller (onedir) into dist/attnscope/.
#
#   bash packaging/build_bundle.sh            # build, then run the bundle's --self-test
#   bash packaging/build_bundle.sh --no-test  # build only
#
# Linux and macOS (on Windows, run the same steps by hand: see packaging/README.md). Uses the
# project's .venv (create it with .ci/setup) and installs PyInstaller into it when missing.
# Set PYTHON=/path/to/python to build from another environment.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
run_test=1
[ "${1:-}" = "--no-test" ] && run_test=0

if [ ! -x "$PY" ]; then
    echo "build_bundle.sh: $PY not found; run .ci/setup first (or set PYTHON=...)" >&2
    exit 1
fi
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
    echo "installing PyInstaller into $("$PY" -c 'import sys; print(sys.prefix)')"
    "$PY" -m pip install -q "pyinstaller>=6.10"
fi
if "$PY" -c "import torch, sys; sys.exit(0 if torch.version.cuda else 1)" 2>/dev/null; then
    echo "warning: this environment has a CUDA build of torch; the bundle will be several GB" >&2
fi

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/pyinstaller/attnscope.spec
echo "built in $(( $(date +%s) - start )) s"

bundle=dist/attnscope
case "$(uname -s)" in
    Linux)
        # desktop integration travels with the bundle: dist/attnscope/install.sh installs the
        # menu entry and icons pointing at this folder's executable.
        cp packaging/linux/attnscope.desktop packaging/linux/install.sh "$bundle/"
        chmod +x "$bundle/install.sh"
        exe=$bundle/attnscope ;;
    Darwin)
        exe=$bundle/attnscope
        echo "app bundle: dist/Attnscope.app ($(du -sh dist/Attnscope.app | cut -f1))" ;;
    *)
        exe=$bundle/attnscope.exe ;;
esac
echo "bundle: $bundle ($(du -sh "$bundle" | cut -f1))"

if [ "$run_test" = 1 ]; then
    # the self-test must not touch the user's model library or settings
    tmp_home=$(mktemp -d)
    trap 'rm -rf "$tmp_home"' EXIT
    ATTNSCOPE_HOME=$tmp_home QT_QPA_PLATFORM=offscreen "$exe" --self-test
fi
