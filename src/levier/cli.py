"""The `levier` console script.

`levier serve`, `levier worker`, `levier seed` and every other Django management
command (`levier migrate`, `levier createsuperuser`...). `serve` runs gunicorn;
the rest go through Django's command machinery.
"""

import os
import sys


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
