#!/usr/bin/env bash
# Rehearse a restore: a simulated month goes through `backup` and `restore` into another
# database and media folder, and must arrive whole (docs/deploy.md, "Backup and restore").
#
#   deploy/backup-roundtrip.sh SOURCE_DATABASE_URL TARGET_DATABASE_URL WORK_FOLDER [DAYS]
#
# SOURCE is filled (migrate, load_demo, simulate --days DAYS) and TARGET must be empty (a new
# SQLite path, or a database made with createdb). Exits non-zero unless both hold the same
# cases (number, status and audit-chain head), events and photos and both pass verify_audit.
set -euo pipefail
cd "$(dirname "$0")/.."
source_url=$1 target_url=$2 work=$3 days=${4:-30}
manage=(.venv/bin/python manage.py)
mkdir -p "$work"

in_source() { DATABASE_URL=$source_url MEDIA_ROOT=$work/media "${manage[@]}" "$@"; }
in_target() { DATABASE_URL=$target_url MEDIA_ROOT=$work/restored-media "${manage[@]}" "$@"; }
contents() {  # counts and a digest of every case's number, status and chain head
  "$@" shell --no-imports -c "
import hashlib
from cases.models import Case, CaseEvent, Photo
rows = sorted(f'{n} {s} {h}' for n, s, h in Case.objects.values_list('number', 'status', 'audit_head'))
print(len(rows), CaseEvent.objects.count(), Photo.objects.count(),
      hashlib.sha256('\n'.join(rows).encode()).hexdigest())"
}

time in_source migrate -v0
time in_source load_demo --quiet
time in_source simulate --days "$days" --seed 3 --quiet
time in_source backup "$work/backup"
time in_target restore "$work/backup" --yes
before=$(contents in_source) after=$(contents in_target)
echo "source:   cases events photos digest = $before"
echo "restored: cases events photos digest = $after"
in_source verify_audit
[ "$before" = "$after" ] || { echo "the restored database differs from the source" >&2; exit 1; }
echo "Round trip complete: nothing lost."
