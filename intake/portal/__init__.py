"""The public portal under /public/: report without an account, track, rate."""
