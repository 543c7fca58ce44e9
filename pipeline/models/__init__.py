"""Model files: manifest, install (download + convert), verification, inference sessions."""
