#!/bin/sh
# The track editor under a real X server: a track drawn with the mouse (xdotool), saved with Enter, raced,
# then read back with --track headless. Run as: xvfb-run -a -s "-screen 0 1280x720x24" sh docs/editor/xdotool_demo.sh OUT
set -e
out=${1:-/tmp/editor-demo}
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out" && cd "$out" && rm -rf tracks
python "$repo/main.py" --edit --seed 5 --speed 8 --frames 1500 &
app=$!
until xwininfo -name neuroracer >/dev/null 2>&1; do sleep 0.2; done  # (no window manager: it sits at 0,0)
sleep 2
# a hill and a valley, drawn left to right with the left button held (the flat new track's centre is at y 380)
xdotool mousemove 200 380 mousedown 1
for point in 260:360 320:320 380:280 440:250 500:250 560:280 620:340 680:400 740:440 800:460 860:450 920:420 980:390 1040:380; do
  xdotool mousemove "${point%:*}" "${point#*:}"
  sleep 0.05
done
xdotool mouseup 1
sleep 1
import -window root "$out/drawn.png"
xdotool key Return
sleep 6
import -window root "$out/racing.png"
xdotool key q
wait $app
ls tracks
python "$repo/main.py" --headless --seed 5 --track tracks/track-1.csv --generations 30 --no-test-curve | tail -1
