#!/usr/bin/env bash
# Starts a task worker, the watcher (mail, deadlines) and the web server for the demo;
# Ctrl-C stops them all.
set -euo pipefail
bin="$1"; host="$2"; port="$3"
# The demo runs with the public demo secret key, which levier refuses anywhere else.
export LEVIER_DEMO="${LEVIER_DEMO:-1}"
# Demo emails (reference and verification code) are printed in this terminal.
export LEVIER_EMAIL_BACKEND="${LEVIER_EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"
export LEVIER_BASE_URL="${LEVIER_BASE_URL:-http://$host:$port}"
"$bin/levier" worker --queue-name "*" --interval 1 &
worker=$!
# Fetches the mailboxes and warns about due enquiries every minute.
"$bin/levier" watch --every 60 &
watcher=$!
trap 'kill $worker $watcher 2>/dev/null || true' EXIT INT TERM
echo
echo "levier is starting on http://$host:$port/"
echo "  agent workspace: http://$host:$port/           (logins above)"
echo "  usager portal:   http://$host:$port/usager/"
echo "  administration:  http://$host:$port/admin/"
echo "Emails sent by levier are printed here. Press Ctrl-C to stop."
"$bin/levier" serve --host "$host" --port "$port"
