#!/usr/bin/env bash
# Installs the Debian 12 / Ubuntu packages Atelier needs, only those missing.
# Safe to run twice: it asks dpkg first and calls apt-get only when something is absent.
set -euo pipefail

packages=(
  # build
  pkg-config build-essential curl ca-certificates
  # Tauri / WebKitGTK
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libssl-dev
  # GStreamer (camera, encoders, native video layer)
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
  gstreamer1.0-libav gstreamer1.0-tools gstreamer1.0-x gstreamer1.0-gtk3 gstreamer1.0-gl
  # face detection for skin analysis (facedetect element, Haar cascades)
  gstreamer1.0-opencv opencv-data
  # fonts the UI depends on (CJK for zh-CN)
  fonts-noto-cjk fonts-noto-core
  # headless run and tests
  xvfb xauth dbus-x11 webkit2gtk-driver chromium chromium-driver imagemagick coturn
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "system packages: all present"
  exit 0
fi

echo "system packages: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
