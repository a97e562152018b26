"""Create a test certificate authority and an organisation seal certificate, for a demo.

FOR DEMOS AND STAGING ONLY: a real seal uses a certificate from a qualified trust
service provider. Writes root-ca.pem, seal-cert.pem and seal-key.pem into FOLDER and
prints the environment variables that turn sealing on.

Usage: .venv/bin/python scripts/make-seal-ca.py FOLDER [--password PASSWORD]
"""

import argparse
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from levier.documents.seal import make_test_authority  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write the PEM files")
    parser.add_argument("--password", default="", help="encrypt the seal's private key")
    parser.add_argument(
        "--organisation", default="Direction de démonstration levier", help="O= of the seal"
    )
    args = parser.parse_args()

    paths = make_test_authority(
        args.folder, key_password=args.password or None, organisation=args.organisation
    )
    print(f"# Test authority written in {args.folder.resolve()} (demo only).")
    print("# Set these to seal generated PDFs:")
    print(f"export LEVIER_SEAL_KEY_FILE={shlex.quote(str(paths['org_key'].resolve()))}")
    print(f"export LEVIER_SEAL_CERT_FILE={shlex.quote(str(paths['org_cert'].resolve()))}")
    if args.password:
        print(f"export LEVIER_SEAL_KEY_PASSWORD={shlex.quote(args.password)}")
    print(f"# Trust root for verification: {paths['root_cert'].resolve()}")


if __name__ == "__main__":
    main()
