#!/bin/sh
# Refreshes files/ (GraphiQL's page: React, ReactDOM and GraphiQL's browser
# builds; the reports page: Chart.js's; the calendar: EventCalendar's; their
# licences and a manifest) from the npm registry, at the
# versions pinned in package.json. Needs Node and npm; `make run` does not:
# files/ is committed. To move to another version, change package.json, run
# `make vendor` and commit files/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$work/"
npm install --prefix "$work" --ignore-scripts --no-audit --no-fund --loglevel=error
rm -rf "$here/files.new"
node "$here/collect.mjs" "$work/node_modules" "$here/files.new"
rm -rf "$here/files"
mv "$here/files.new" "$here/files"
echo "portal/vendor/files/ refreshed:"
ls -l "$here/files"
