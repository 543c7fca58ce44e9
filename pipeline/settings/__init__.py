"""HandCue's settings: the schema (:mod:`.schema`), loading and saving with the upgrade path
(:mod:`.store`), error wording with file and line (:mod:`.locate`), and the one path from
tracker settings to the tracker's run configuration (:func:`tracker_config`)."""

from pipeline.settings.schema import (
    BUILTIN_PROFILE_NAMES,
    COUNTING_SCHEMES,
    MAX_FILE_BYTES,
    MAX_HANDS,
    PROVIDERS,
    SCHEMA_VERSION,
    ActionSettings,
    AppConfig,
    Binding,
    GestureSettings,
    Profile,
    TrackerSettings,
    builtin_profiles,
    is_dynamic_gesture,
)
from pipeline.settings.store import (
    check_config,
    config_path,
    default_known_gestures,
    load_config,
    parse_config_text,
    read_config_file,
    save_config,
    write_config_text,
)
from pipeline.settings.tracking import measurement_settings, tracker_config

__all__ = [
    "BUILTIN_PROFILE_NAMES",
    "COUNTING_SCHEMES",
    "MAX_FILE_BYTES",
    "MAX_HANDS",
    "PROVIDERS",
    "SCHEMA_VERSION",
    "ActionSettings",
    "AppConfig",
    "Binding",
    "GestureSettings",
    "Profile",
    "TrackerSettings",
    "builtin_profiles",
    "check_config",
    "config_path",
    "default_known_gestures",
    "is_dynamic_gesture",
    "load_config",
    "measurement_settings",
    "parse_config_text",
    "read_config_file",
    "save_config",
    "tracker_config",
    "write_config_text",
]
