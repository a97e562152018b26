#!/usr/bin/env bash
# Vendors the DSFR's chart web components (@gouvfr/dsfr-chart, MIT) into
# src/levier/insights/static/insights/dsfr-chart/: the all-in-one ES module build
# (DSFRChart.js: bar, line, pie, radar, scatter, gauge, table, map-chart, map-chart-reg,
# with Vue and Chart.js bundled inside, no import, no request at run time), its stylesheet
# and the licence. Served by levier itself: no CDN.
#   scripts/vendor-dsfr-chart.sh            # the pinned version below
#   scripts/vendor-dsfr-chart.sh 2.0.5      # another one (then update README.md, test the pages)
set -euo pipefail
version="${1:-2.0.4}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/levier/insights/static/insights/dsfr-chart"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@gouvfr/dsfr-chart@$version" >/dev/null && tar xzf gouvfr-dsfr-chart-"$version".tgz)
pkg="$work/package"
mkdir -p "$dest"
cp "$pkg/dist/DSFRChart/DSFRChart.js" "$pkg/dist/DSFRChart/DSFRChart.css" "$pkg/LICENSE" "$dest/"
# Nothing may be fetched from outside at run time: refuse a build that imports a module.
if grep -qE '^import |import\(' "$dest/DSFRChart.js"; then
  echo "DSFRChart.js $version imports other modules: vendor them too before using it" >&2
  exit 1
fi
sha="$(sha256sum "$dest/DSFRChart.js" | cut -d' ' -f1)"
echo "Vendored @gouvfr/dsfr-chart $version (DSFRChart.js sha256 $sha)"
