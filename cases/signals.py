"""What the cases app tells the apps above it, which it must not import (DESIGN.md §7)."""

from django.dispatch import Signal

# Sent once a verb's change of a case is committed, with `case` and `verb`: partner systems
# are told of their incidents' progress from it (intake/partners).
case_changed = Signal()
