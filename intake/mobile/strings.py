"""The texts the app's script shows, in the user's language: handed to it in the page's JSON
configuration, since the Content-Security-Policy allows no inline script and the catalogue
is the one in locale/. Placeholders are %(name)s, filled in by the script."""

from __future__ import annotations

from django.utils.translation import gettext as _


def app_strings() -> dict[str, object]:
    return {
        "online": _("Online"),
        "offline": _("Offline"),
        "goOnDuty": _("Go on duty"),
        "goOffDuty": _("Go off duty"),
        "nowOnDuty": _("You are on duty: your position is shared every 30 seconds."),
        "nowOffDuty": _("You are off duty: your position is no longer shared."),
        "pinTitle": _("Drag to where the problem is"),
        "pinAt": _("Pin at %(lon)s, %(lat)s"),
        "accuracy": _("(±%(m)s m)"),
        "noPosition": _("This phone gives no position: tap the map where the problem is."),
        "metres": _("%(n)s m"),
        "kilometres": _("%(n)s km"),
        "componentChosen": _("Component %(name)s (%(id)s): it fixes the type and position."),
        "clear": _("Clear"),
        "frequentTypes": _("My frequent types"),
        "allTypes": _("All types"),
        "photo": _("Photo"),
        "needPosition": _("Set the position: tap the map or drag the pin to the problem."),
        "needDescription": _("Describe the problem."),
        "queued": _("Saved on the phone. It is sent as soon as there is a connection."),
        "reportNumbered": _("Case %(number)s"),
        "verifyOf": _("Verification of case %(number)s"),
        "checkOf": _("Check of case %(number)s"),
        "refused": _("Refused"),
        "signInAgain": _("Your sign-in has expired: sign in again, then it is sent."),
        "waiting": _("Waiting to be sent"),
        "attempts": _("tried %(n)s times"),
        "photosSent": _("Photos sent: %(sent)s of %(all)s"),
        "discard": _("Discard"),
        "confirmDiscard": _("Discard this? It will not be sent."),
        "sendNow": _("Send now"),
        "noConnection": _("No connection; it will be sent later."),
        "serverTrouble": _("The server could not take it now; it will be sent later."),
        "sent": _("Sent: case %(number)s."),
        "photoRefused": _("A photo was refused: %(problem)s"),
        "taskDone": _("Your answer to the task was sent."),
        "serverRefused": _("The server refused the request (HTTP %(status)s)."),
        "lights": {"green": _("On time"), "yellow": _("Due soon"), "red": _("Overdue")},
        "verify": _("Verify (核实)"),
        "check": _("Check (核查)"),
        "due": _("due %(at)s"),
        "answer": _("Answer"),
        "chooseAnswer": _("Choose an answer."),
        "noReports": _("You have not reported anything yet."),
        "otherUser": _(
            "Someone else is signed in on this phone: reports waiting here are sent only when "
            "their inspector signs in again."
        ),
        "noStorage": _("This browser cannot keep reports offline: allow site storage."),
    }
