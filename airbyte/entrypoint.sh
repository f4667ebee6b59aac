#!/bin/sh
# The Airbyte connector's entrypoint: Airbyte runs the image as
#   IMAGE spec | check --config C | discover --config C | read --config C --catalog K [--state S]
# and every argument is handed to `intercom-sync airbyte`. INTERCOM_SYNC_HOME is the folder that
# holds dist/ (the image has it in /app; tests point it at a checkout).
set -eu
exec node "${INTERCOM_SYNC_HOME:-/app}/dist/cli/main.js" airbyte "$@"
