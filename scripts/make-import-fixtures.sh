#!/usr/bin/env bash
# Makes the weight-importer fixtures (about 1.5 GB, git-ignored) unless they are already complete.
# Needs Debian's torch: sudo apt-get install -y python3-torch python3-torchvision
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-tests/fixtures/generated}"
if [ -f "$out/COMPLETE" ] && [ "${FORCE:-0}" != 1 ]; then exit 0; fi
python=/usr/bin/python3  # Debian's python, where python3-torch lives (not a pyenv shim)
if ! "$python" -c 'import torch, torchvision' 2>/dev/null; then
  echo "make-import-fixtures: $python cannot import torch/torchvision; install them with: sudo apt-get install -y python3-torch python3-torchvision" >&2
  exit 1
fi
rm -f "$out/COMPLETE"
"$python" tests/reference/make_import_fixtures.py "$out"
