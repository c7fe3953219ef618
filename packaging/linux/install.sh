#!/bin/sh
# Install (or remove) Attnscope's desktop entry and hicolor icons for the current user.
#
#   packaging/linux/install.sh                  # into ${XDG_DATA_HOME:-~/.local/share}
#   packaging/linux/install.sh --uninstall
#   PREFIX=/usr/local packaging/linux/install.sh  # system-wide (as root): /usr/local/share
#   packaging/linux/install.sh --exec /opt/attnscope/attnscope   # launcher outside PATH
#
# Works from a source checkout (icons in resources/icons, launcher .venv/bin/attnscope if
# `attnscope` is not on PATH) and from a PyInstaller bundle (build_bundle.sh copies this script
# and attnscope.desktop into dist/attnscope/; icons then come from _internal/resources/icons and
# the launcher is the bundle's own executable).
set -eu

APP=attnscope
SIZES="16 32 48 64 128 256 512"
HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)

usage() {
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    echo "Options: --uninstall  --prefix DIR  --exec PATH  --icons DIR  --no-cache  -h|--help"
}

uninstall=0
update_caches=1
exec_path=""
icons=""
while [ $# -gt 0 ]; do
    case "$1" in
        --uninstall) uninstall=1 ;;
        --prefix) PREFIX=$2; shift ;;
        --exec) exec_path=$2; shift ;;
        --icons) icons=$2; shift ;;
        --no-cache) update_caches=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

if [ -n "${PREFIX:-}" ]; then
    data=$PREFIX/share
else
    data=${XDG_DATA_HOME:-$HOME/.local/share}
fi
apps=$data/applications
hicolor=$data/icons/hicolor

refresh() {
    [ "$update_caches" = 1 ] || return 0
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$apps" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$hicolor/index.theme" ]; then
        gtk-update-icon-cache -q -t -f "$hicolor" 2>/dev/null || true
    fi
    # without index.theme, icon lookups still work; GTK just finds no cache to refresh.
}

if [ "$uninstall" = 1 ]; then
    rm -f "$apps/$APP.desktop"
    for size in $SIZES; do
        rm -f "$hicolor/${size}x${size}/apps/$APP.png"
    done
    rm -f "$hicolor/scalable/apps/$APP.svg"
    refresh
    echo "removed Attnscope's desktop entry and icons from $data"
    exit 0
fi

# Where the desktop file, the icons and the launcher are.
if [ -f "$HERE/$APP.desktop" ]; then
    desktop=$HERE/$APP.desktop
else
    echo "install.sh: $HERE/$APP.desktop is missing" >&2; exit 1
fi
if [ -z "$icons" ]; then
    for candidate in "$HERE/_internal/resources/icons" "$HERE/resources/icons" \
                     "$HERE/../../resources/icons"; do
        if [ -f "$candidate/$APP.svg" ]; then icons=$candidate; break; fi
    done
fi
if [ -z "$icons" ] || [ ! -f "$icons/$APP.svg" ]; then
    echo "install.sh: cannot find the icons (resources/icons); pass --icons DIR" >&2; exit 1
fi
if [ -z "$exec_path" ]; then
    if [ -x "$HERE/$APP" ] && [ ! -d "$HERE/$APP" ]; then          # inside a bundle
        exec_path=$HERE/$APP
    elif command -v "$APP" >/dev/null 2>&1; then                  # on PATH: keep Exec=attnscope
        exec_path=""
    elif [ -x "$HERE/../../.venv/bin/$APP" ]; then                  # a source checkout
        exec_path=$(CDPATH= cd -- "$HERE/../../.venv/bin" && pwd)/$APP
    fi
fi

mkdir -p "$apps"
if [ -n "$exec_path" ]; then
    case "$exec_path" in
        *\"*|*\`*|*\$*|*\\*) echo "install.sh: unsupported characters in --exec path" >&2; exit 2 ;;
    esac
    case "$exec_path" in
        *" "*) quoted="\"$exec_path\"" ;;
        *) quoted=$exec_path ;;
    esac
    # sed replacement text: escape the delimiter '|' and '&'
    esc_q=$(printf '%s' "$quoted" | sed 's/[|&]/\\&/g')
    esc_p=$(printf '%s' "$exec_path" | sed 's/[|&]/\\&/g')
    sed -e "s|^Exec=$APP |Exec=$esc_q |" -e "s|^TryExec=$APP\$|TryExec=$esc_p|" \
        "$desktop" > "$apps/$APP.desktop.tmp"
else
    cp "$desktop" "$apps/$APP.desktop.tmp"
fi
chmod 644 "$apps/$APP.desktop.tmp"
mv "$apps/$APP.desktop.tmp" "$apps/$APP.desktop"

for size in $SIZES; do
    if [ -f "$icons/$APP-$size.png" ]; then
        mkdir -p "$hicolor/${size}x${size}/apps"
        cp "$icons/$APP-$size.png" "$hicolor/${size}x${size}/apps/$APP.png"
    fi
done
mkdir -p "$hicolor/scalable/apps"
cp "$icons/$APP.svg" "$hicolor/scalable/apps/$APP.svg"
refresh
echo "installed Attnscope's desktop entry into $apps and icons into $hicolor"
if [ -n "$exec_path" ]; then
    echo "launcher: $exec_path"
fi
