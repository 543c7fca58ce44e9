#!/usr/bin/env bash
# Sets everything up (system packages when root on Debian, .venv, models) and starts HandCue.
# Arguments go to `handcue` (e.g. ./run.sh gui --source video.mp4).
set -euo pipefail
cd "$(dirname "$0")"
installer/setup_env.sh
exec .venv/bin/handcue "$@"
