"""The `levier` console script.

`levier serve`, `levier worker`, `levier seed` and every other Django management
command (`levier migrate`, `levier createsuperuser`...). `serve` runs gunicorn;
the rest go through Django's command machinery.
"""

import os
import sys


def exit_if_secret_key_insecure(command: str) -> None:
    """Stop before starting anything that signs with the demo's public key (levier.startup)."""
    from levier.startup import COMMANDS_WITHOUT_SECRET_KEY

    if command in COMMANDS_WITHOUT_SECRET_KEY or command.startswith("-"):
        return
    import django

    django.setup()
    from levier.startup import insecure_secret_key_problem

    problem = insecure_secret_key_problem()
    if problem:
        sys.stderr.write(f"levier {command}: {problem}\n")
        sys.exit(2)


def serve(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="levier serve", description="Run the web server.")
    parser.add_argument("--host", default=os.environ.get("LEVIER_HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("LEVIER_PORT", "8000"))
    parser.add_argument("--workers", default=os.environ.get("LEVIER_WEB_WORKERS", "2"))
    args = parser.parse_args(argv)
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "levier.wsgi:application",
        f"--bind={args.host}:{args.port}",
        f"--workers={args.workers}",
        "--access-logfile=-",
        "--timeout=60",
    ]
    run()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "levier.settings")
    argv = sys.argv[1:]
    exit_if_secret_key_insecure(argv[0] if argv else "help")
    if argv and argv[0] == "serve":
        serve(argv[1:])
        return
    if argv and argv[0] == "worker":
        # django-tasks-db's worker; many can run on many machines against one database.
        argv = ["db_worker", *argv[1:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["levier", *argv])


if __name__ == "__main__":
    main()
