#!/usr/bin/env bash
# Debian's chromium drives the browser flows; Playwright cannot download browsers here.
# A CJK font too: without one the screenshots the flows save show boxes instead of Chinese.
set -eu
export DEBIAN_FRONTEND=noninteractive
if [ ! -x /usr/bin/chromium ]; then
  echo "chromium is missing: installing Debian's package"
  apt-get update -qq
  apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
elif ! fc-list 2>/dev/null | grep -qiE "wqy|noto sans cjk|noto serif cjk"; then
  echo "no CJK font: installing fonts-wqy-microhei"
  apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei >/dev/null; } || true
fi
