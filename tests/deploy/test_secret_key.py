"""Outside the demo, no levier process starts with the demo's public secret key (issue 10, 5).

Each test launches a real process, as a deployment would, and reads what it prints.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import levier
from levier.startup import DEMO_SECRET_KEY

SRC = Path(levier.__file__).resolve().parent.parent
REFUSAL = "LEVIER_SECRET_KEY"
FIX = "secrets.token_urlsafe"


def levier_env(tmp_path, **variables):
    # As a deployment starts: none of the test run's own levier or Django variables.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEVIER_", "DJANGO_"))}
    env.update(
        PYTHONPATH=str(SRC), LEVIER_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="levier.settings"
    )
    env.update(variables)
    return env


def run(args, env, timeout=120):
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    "variables",
    [{}, {"LEVIER_SECRET_KEY": DEMO_SECRET_KEY}, {"LEVIER_SECRET_KEY": ""}],
    ids=["no-key", "demo-key", "empty-key"],
)
def test_web_server_refuses_to_start_with_the_demo_or_an_empty_key(tmp_path, variables):
    result = run(
        ["-m", "levier", "serve", "--port", str(free_port()), "--workers", "1"],
        levier_env(tmp_path, **variables),
        timeout=60,
    )
    assert result.returncode != 0
    assert REFUSAL in result.stderr and FIX in result.stderr
    assert "levier refuse de démarrer" in result.stderr  # in French, like the rest of levier


def test_worker_refuses_to_start_with_the_demo_key(tmp_path):
    result = run(["-m", "levier", "worker", "--queue-name", "*"], levier_env(tmp_path), timeout=60)
    assert result.returncode != 0
    assert REFUSAL in result.stderr and FIX in result.stderr


def test_any_wsgi_server_refuses_at_import_of_the_application(tmp_path):
    result = run(["-c", "import levier.wsgi"], levier_env(tmp_path))
    assert result.returncode != 0
    assert "InsecureSecretKeyError" in result.stderr and REFUSAL in result.stderr


def test_a_real_key_or_the_demo_lets_the_application_load(tmp_path):
    real_key = {"LEVIER_SECRET_KEY": "k" * 20 + "-a-long-random-production-value-9f3b"}
    for variables in (real_key, {"LEVIER_DEMO": "1"}, {"LEVIER_DEBUG": "1"}):
        result = run(["-c", "import levier.wsgi"], levier_env(tmp_path, **variables))
        assert result.returncode == 0, (variables, result.stderr)


def test_checking_the_configuration_still_runs_with_the_demo_key(tmp_path):
    """`levier check --deploy` must run to report the problem, not refuse to start."""
    result = run(["-m", "levier", "check", "--deploy"], levier_env(tmp_path))
    assert "levier.E001" in result.stderr + result.stdout
