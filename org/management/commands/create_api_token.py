from argparse import ArgumentParser

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from org.tokens import TokenError, issue_token


class Command(BaseCommand):
    help = (
        "Issue an API token for a user and print its key. The key is shown only this once; "
        "revoke tokens in the admin (API tokens)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--name", required=True, help="what the token is for, e.g. the device: phone-7"
        )

    def handle(self, *args: object, **options: str) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: options["username"]})
        except User.DoesNotExist:
            raise CommandError(f"There is no user {options['username']}.") from None
        try:
            token, key = issue_token(user, options["name"])
        except TokenError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(
            f"Token {token.name} for {user.get_username()} — keep the key secret; "
            "it is not shown again. Send it as the header  Authorization: Bearer <key>"
        )
        self.stdout.write(key)
