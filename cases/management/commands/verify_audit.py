from django.core.management.base import BaseCommand, CommandError

from cases.audit import verify_all


class Command(BaseCommand):
    help = "Check every case's hash-chained event trail; exit non-zero if any link is broken."

    def handle(self, *args: object, **options: object) -> None:
        findings = 0
        for finding in verify_all():
            findings += 1
            where = f"event {finding.sequence}" if finding.sequence is not None else "chain head"
            self.stdout.write(f"case {finding.case_number}, {where}: {finding.problem}")
        if findings:
            raise CommandError(f"{findings} broken links in the audit trail.")
        self.stdout.write(self.style.SUCCESS("The audit trail is intact."))
