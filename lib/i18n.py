"""Translation markers for the pure helpers in lib/.

lib/ does not import Django. Its user-facing texts (rules, error templates) are marked with
`gettext_noop`, which Django's makemessages recognises by name, and are translated where they
are shown (see geo.messages).
"""


def gettext_noop(message: str) -> str:
    """Mark `message` for translation and return it unchanged."""
    return message
