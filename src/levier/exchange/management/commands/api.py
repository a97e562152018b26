"""`levier api client-create|client-list|client-revoke`: the partners' API clients."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from levier.exchange.models import SCOPES, ApiClient
from levier.exchange.services import api_client_create, api_client_revoke
from levier.journal.services import Actor

ACTOR = Actor.robot("cli")


class Command(BaseCommand):
    help = "Clients of the partners' API: create one (its token is printed once), list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{client-create,client-list,client-revoke}"
        )
        create = actions.add_parser("client-create", help="Create a client and print its token.")
        create.add_argument("name", metavar="NAME")
        create.add_argument(
            "--scopes",
            required=True,
            help=f"Comma-separated, among: {', '.join(SCOPES)}.",
        )
        create.add_argument("--description", default="", help="Who the partner is.")
        actions.add_parser("client-list", help="List the clients (never their tokens).")
        revoke = actions.add_parser("client-revoke", help="Refuse a client's token from now on.")
        revoke.add_argument("name", metavar="NAME")

    def handle(self, *args, **options) -> None:
        if options["action"] == "client-create":
            self.create(options["name"], options["scopes"], options["description"])
        elif options["action"] == "client-list":
            self.list()
        else:
            self.revoke(options["name"])

    def create(self, name: str, scopes: str, description: str) -> None:
        try:
            client, token = api_client_create(
                name=name, scopes=scopes.split(","), description=description, actor=ACTOR
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Client “{client.name}” created, scopes: {', '.join(client.scopes)}.")
        self.stdout.write("Token (shown only this once, give it to the partner securely):")
        self.stdout.write(token)

    def list(self) -> None:
        clients = ApiClient.objects.order_by("name")
        if not clients:
            self.stdout.write("No API client yet: levier api client-create NAME --scopes ...")
        for client in clients:
            used = (
                timezone.localtime(client.last_used_at).strftime("%Y-%m-%d %H:%M")
                if client.last_used_at
                else "never used"
            )
            state = "active" if client.is_active else "revoked"
            self.stdout.write(
                f"{client.name}\t{client.token_prefix}…\t{','.join(client.scopes)}\t{state}\t{used}"
            )

    def revoke(self, name: str) -> None:
        client = ApiClient.objects.filter(name__iexact=name.strip()).first()
        if client is None:
            known = ", ".join(ApiClient.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"No API client named “{name}”. Clients: {known}.")
        if not client.is_active:
            self.stdout.write(f"“{client.name}” was already revoked.")
            return
        api_client_revoke(client=client, actor=ACTOR)
        self.stdout.write(f"“{client.name}” revoked: its token is refused from now on.")
