"""The component inventory (部件普查): surveyed city objects with their standard identifiers."""
