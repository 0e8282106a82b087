"""Register a partner system (联动系统) and print its key once; change an existing partner's
callback URL (with a new signing secret, printed once); or revoke one."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator, validate_slug
from django.utils import timezone

from intake.partners.keys import new_partner
from intake.partners.models import Partner, PartnerKind


class Command(BaseCommand):
    help = (
        "Create a partner system and print its API key (and callback signing secret) once: "
        "create_partner CODE NAME KIND [--callback-url URL]. Revoke one: create_partner CODE "
        "--revoke. Change the callback URL of an existing partner (a new signing secret is "
        "printed): create_partner CODE --set-callback URL ('' for none). Kinds: "
        + ", ".join(PartnerKind.values)
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="short code, letters, digits, - and _ (e.g. 110)")
        parser.add_argument("name", nargs="?", help="the partner's name")
        parser.add_argument("kind", nargs="?", choices=PartnerKind.values)
        parser.add_argument("--callback-url", default="", help="where status changes are posted")
        parser.add_argument("--revoke", action="store_true", help="revoke the partner's key")
        parser.add_argument(
            "--set-callback",
            metavar="URL",
            help="an existing partner's new callback URL, with a new signing secret",
        )

    def handle(
        self,
        *args: object,
        code: str,
        name: str | None,
        kind: str | None,
        callback_url: str,
        revoke: bool,
        set_callback: str | None,
        **options: object,
    ) -> None:
        if revoke:
            self.revoke(code)
            return
        if set_callback is not None:
            self.set_callback(code, set_callback)
            return
        if not name or not kind:
            raise CommandError("Give the partner's CODE, NAME and KIND.")
        try:
            validate_slug(code)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        check_url(callback_url)
        if len(code) > 30 or len(name) > 100:
            raise CommandError("The code is at most 30 characters, the name at most 100.")
        if Partner.objects.filter(code=code).exists():
            raise CommandError(f"A partner with code {code} exists already.")
        partner, key = new_partner(code, name, kind, callback_url=callback_url)
        self.stdout.write(f"Partner {partner.code} ({partner.get_kind_display()}) created.")
        self.stdout.write("Its key, shown only now (send it as Authorization: Bearer <key>):")
        self.stdout.write(key)
        if partner.callback_secret:
            self.stdout.write("Its callback signing secret (HMAC-SHA256), shown only now:")
            self.stdout.write(partner.callback_secret)

    def set_callback(self, code: str, url: str) -> None:
        check_url(url)
        partner = Partner.objects.filter(code=code).first()
        if partner is None:
            raise CommandError(f"There is no partner with code {code}.")
        partner.callback_url = url
        partner.callback_secret = secrets.token_urlsafe(32) if url else ""
        partner.save(update_fields=["callback_url", "callback_secret"])
        if not url:
            self.stdout.write(f"Partner {code} gets no more status pushes.")
            return
        self.stdout.write(f"Partner {code} gets status pushes at {url}.")
        self.stdout.write("Its new callback signing secret (HMAC-SHA256), shown only now:")
        self.stdout.write(partner.callback_secret)

    def revoke(self, code: str) -> None:
        changed = Partner.objects.filter(code=code, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not changed:
            raise CommandError(f"There is no active partner with code {code}.")
        self.stdout.write(f"Partner {code} revoked: its key no longer works.")


def check_url(url: str) -> None:
    """An http(s) URL, or none."""
    if not url:
        return
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from error
    if len(url) > 200:  # the field's length
        raise CommandError("The callback URL is longer than 200 characters.")
