"""The hotline console (12319-style) where acceptors record calls."""
