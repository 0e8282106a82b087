"""The inspector app (城管通), phone-first, under /m/."""
