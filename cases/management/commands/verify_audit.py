from itertools import chain

from django.core.management.base import BaseCommand, CommandError

from cases.audit import verify_all, verify_photos


class Command(BaseCommand):
    help = (
        "Check every case's hash-chained event trail, each case row against the state its "
        "newest event recorded, and each photo file against the SHA-256 its event recorded; "
        "exit non-zero on any broken link or difference."
    )

    def handle(self, *args: object, **options: object) -> None:
        findings = 0
        for finding in chain(verify_all(), verify_photos()):
            findings += 1
            where = f"event {finding.sequence}" if finding.sequence is not None else "case row"
            self.stdout.write(f"case {finding.case_number}, {where}: {finding.problem}")
        if findings:
            raise CommandError(f"{findings} broken links in the audit trail.")
        self.stdout.write(self.style.SUCCESS("The audit trail is intact."))
