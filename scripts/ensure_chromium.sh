#!/usr/bin/env bash
# Debian's chromium drives the browser flows; Playwright cannot download browsers here.
set -eu
if [ ! -x /usr/bin/chromium ]; then
  echo "chromium is missing: installing Debian's package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
