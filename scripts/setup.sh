#!/usr/bin/env bash
# Installs what VkResNet needs on a Debian/Ubuntu machine that has the .NET 10 SDK, then builds it.
#   mesa-vulkan-drivers  lavapipe, the CPU Vulkan driver every test runs on (a GPU driver works too)
#   libvulkan1           the Vulkan loader
#   glslc                GLSL -> SPIR-V compiler used by the build
#   vulkan-validationlayers  VK_LAYER_KHRONOS_validation, on in every test
#   vulkan-tools         vulkaninfo, for looking at a device by hand
#   libglfw3 xvfb        the viewer's window (xvfb for headless machines)
#   dataset-fashion-mnist  the default training data (/usr/share/datasets/fashion-mnist)
#   python3-torch python3-torchvision  PyTorch fixtures for the tests (tests/reference/*.py)
#   openmpi-bin libopenmpi-dev  Open MPI (mpirun, libmpi.so.40) for train --distributed and its tests
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(mesa-vulkan-drivers libvulkan1 glslc vulkan-validationlayers vulkan-tools libglfw3 xvfb dataset-fashion-mnist python3-torch python3-torchvision openmpi-bin libopenmpi-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v dotnet >/dev/null; then
  echo "setup: the .NET 10 SDK is required (https://dot.net); dotnet is not on PATH" >&2
  exit 1
fi
dotnet build VkResNet.sln -c Release -v quiet -nologo
echo "setup: done"
