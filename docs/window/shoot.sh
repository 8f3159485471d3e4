#!/usr/bin/env bash
# The window's screenshots in this folder, under a real X server: evolving and test-driving, at ×1 and ×8,
# at 800×500, 1280×720 and 1920×1080. Run from the repository root: bash docs/window/shoot.sh
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python main.py --headless --seed 42 --generations 40 --save "$work/best.json" > /dev/null
for size in 800x500 1280x720 1920x1080; do
  for speed in 1 8; do
    (cd "$work" && xvfb-run -a -s "-screen 0 ${size}x24" python "$OLDPWD/main.py" --seed 42 --size "$size" \
      --speed "$speed" --frames 400 --screenshot "$out/evolve-$size-x$speed.png" > /dev/null)
    (cd "$work" && xvfb-run -a -s "-screen 0 ${size}x24" python "$OLDPWD/main.py" --load best.json --track test \
      --size "$size" --speed "$speed" --frames 300 --screenshot "$out/drive-$size-x$speed.png" > /dev/null)
  done
done
echo "screenshots in $out"
