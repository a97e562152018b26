#!/usr/bin/env bash
# Installs the Debian packages levier needs, when missing and when we can.
#   runtime: what the application itself loads (WeasyPrint's Pango, HarfBuzz, fontconfig; fonts;
#            Tesseract with its French model for OCR; Poppler's pdftoppm to rasterise scanned PDFs;
#            Graphviz's dot to draw the process map of /pilotage/processus/)
#   test:    runtime, plus Chromium (browser tests) and Dovecot (a real IMAP server in tests)
set -euo pipefail
what="${1:-test}"
lib=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
needed=()
[ -e "$lib/libpango-1.0.so.0" ] || needed+=(libpango-1.0-0)
[ -e "$lib/libpangoft2-1.0.so.0" ] || needed+=(libpangoft2-1.0-0)
[ -e "$lib/libharfbuzz-subset.so.0" ] || needed+=(libharfbuzz-subset0)
[ -e "$lib/libfontconfig.so.1" ] || needed+=(libfontconfig1)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || needed+=(fonts-dejavu-core)
command -v tesseract >/dev/null 2>&1 || needed+=(tesseract-ocr)
ls /usr/share/tesseract-ocr/*/tessdata/fra.traineddata >/dev/null 2>&1 || needed+=(tesseract-ocr-fra)
command -v dot >/dev/null 2>&1 || needed+=(graphviz)
if [ "$what" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || needed+=(chromium)
  [ -x /usr/sbin/dovecot ] || needed+=(dovecot-imapd)
fi
if [ ${#needed[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing Debian packages: ${needed[*]} (install them with apt-get; PDF generation needs the libraries, OCR needs Tesseract, the process map needs Graphviz, browser and IMAP tests are skipped without Chromium and Dovecot)." >&2
  exit 0
fi
echo "Installing Debian packages: ${needed[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
