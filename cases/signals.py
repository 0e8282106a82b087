"""What the cases app tells the apps above it, which it must not import (DESIGN.md §7)."""

from django.dispatch import Signal

# Sent by every verb with `case`, `verb` and its `event`, inside the verb's transaction, after
# the event is appended: a receiver's writes commit with the change or not at all, so it must
# be quick and never call out (intake/partners writes its status pushes to an outbox here).
case_changed = Signal()
