"""HandCue desktop app: Qt GUI and command line."""
