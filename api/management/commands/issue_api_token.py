"""Issue an API token from the command line, e.g. the api_key of a partner platform for Open311:

    manage.py issue_api_token city-platform "城市管理平台 Open311"
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.auth import token_issue


class Command(BaseCommand):
    help = "Issue a named API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for (device or system)")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        _token, secret = token_issue(actor=user, user=user, name=name)
        self.stdout.write(secret)
