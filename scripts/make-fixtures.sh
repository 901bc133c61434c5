#!/usr/bin/env bash
# Regenerates tests/fixtures/*.safetensors from tests/reference/make_fixtures.py.
# PyTorch is used only here, to make reference data; it is Debian's python3-torch, so the script
# runs with Debian's /usr/bin/python3 (not a pyenv/venv python that lacks torch).
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
if ! "$py" -c "import torch, torchvision" 2>/dev/null; then
  echo "python3-torch / python3-torchvision missing; installing them with apt-get" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y python3-torch python3-torchvision
  else sudo apt-get install -y python3-torch python3-torchvision; fi
fi
"$py" tests/reference/make_fixtures.py
