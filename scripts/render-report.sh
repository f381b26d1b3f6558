#!/bin/sh
# Renders a Tandem HTML report in headless Chromium and saves a full-page screenshot, to check
# that the page displays (offline: the page has no scripts and no network references).
#
#   scripts/render-report.sh report/index.html [screenshot.png] [width]
#
# Needs Debian's `chromium` package. Exit status is non-zero when Chromium fails or writes no PNG.
set -eu
page=${1:?usage: render-report.sh PAGE.html [OUT.png] [WIDTH]}
out=${2:-${page%.html}.png}
width=${3:-1280}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "render-report.sh: chromium not found (apt-get install chromium)" >&2
    exit 2
fi
case $page in /*) ;; *) page=$(pwd)/$page ;; esac
rm -f "$out"
# A tall window captures the whole page; --virtual-time-budget lets layout settle.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=2000 \
    --window-size="$width,${HEIGHT:-5200}" --screenshot="$out" "file://$page" >/dev/null 2>&1
if [ ! -s "$out" ]; then
    echo "render-report.sh: no screenshot written" >&2
    exit 1
fi
echo "$out"
