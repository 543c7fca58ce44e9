"""Per-application rules: the matcher (table-driven) and the settings file's errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.focus import WindowInfo, choose_profile, pattern_matches
from pipeline.gestures import BUILTIN_GESTURES
from pipeline.settings import AppConfig, Rule, RuleMatch, SwitchingSettings, parse_config_text

KNOWN = set(BUILTIN_GESTURES)

VLC = WindowInfo(title="concert.mkv - VLC media player", process="vlc", wm_class=("vlc", "vlc"))
IMPRESS = WindowInfo(
    title="talk.odp - LibreOffice Impress",
    process="soffice.bin",
    wm_class=("libreoffice", "libreoffice-impress"),
)
PPT_WIN = WindowInfo(title="Deck.pptx - PowerPoint", process="POWERPNT.EXE",
                     window_class="PPTFrameClass")  # fmt: skip
KEYNOTE = WindowInfo(title="Talk", process="Keynote", bundle_id="com.apple.iWork.Keynote")
YOUTUBE = WindowInfo(title="Lofi beats - YouTube — Mozilla Firefox", process="firefox",
                     wm_class=("Navigator", "firefox"))  # fmt: skip
GSLIDES = WindowInfo(title="Quarterly - Google Slides - Google Chrome", process="chrome",
                     wm_class=("google-chrome", "Google-chrome"))  # fmt: skip
SPOTIFY = WindowInfo(title="Spotify Premium", process="spotify", wm_class=("spotify", "Spotify"))
MPV = WindowInfo(title="film.mp4 - mpv", process="mpv", wm_class=("gl", "mpv"))
TERMINAL = WindowInfo(title="~/src: bash", process="gnome-terminal-server",
                      wm_class=("gnome-terminal-server", "Gnome-terminal"))  # fmt: skip


def config(rules: list[tuple[dict, str]] = (), **switching) -> AppConfig:  # type: ignore[assignment]
    return AppConfig(
        active_profile="custom",
        switching=SwitchingSettings(
            rules=tuple(Rule(match=RuleMatch(**m), profile=p) for m, p in rules), **switching
        ),
    )


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("vlc", "VLC", True),  # substring, any case
        ("VLC", "org.videolan.vlc", True),
        ("impress", "libreoffice-impress", True),
        ("impress", "soffice.bin", False),
        ("*.odp*", "talk.odp - LibreOffice Impress", True),  # glob: the whole text
        ("*.odp", "talk.odp - LibreOffice Impress", False),
        ("talk.???", "TALK.ODP", True),
        ("[vw]lc", "vlc", True),
        ("[vw]lc", "xlc", False),
        ("[!v]lc", "vlc", False),
        ("", "anything", True),
        ("youtube", "", False),
    ],
)
def test_pattern(pattern: str, text: str, expected: bool) -> None:
    assert pattern_matches(pattern, text) is expected


@pytest.mark.parametrize(
    ("window", "profile", "source"),
    [
        (IMPRESS, "slides", "rule"),
        (PPT_WIN, "slides", "rule"),
        (KEYNOTE, "slides", "rule"),
        (GSLIDES, "slides", "rule"),
        (VLC, "media", "rule"),
        (MPV, "media", "rule"),
        (SPOTIFY, "media", "rule"),
        (YOUTUBE, "media", "rule"),
        (TERMINAL, "custom", "default"),  # no rule: active_profile
        (None, "custom", "no_window"),
    ],
    ids=lambda v: v.process if isinstance(v, WindowInfo) else str(v),
)
def test_builtin_rules(window: WindowInfo | None, profile: str, source: str) -> None:
    choice = choose_profile(config(), window)
    assert (choice.profile, choice.source) == (profile, source)
    assert choice.builtin is (source == "rule")


@pytest.mark.parametrize(
    ("rules", "switching", "window", "pinned", "expected"),
    [
        # the user's rules come before the built-in ones, in file order: first match wins
        ([({"app": "vlc"}, "custom")], {}, VLC, None, ("custom", "rule", 0)),
        ([({"title": "*concert*"}, "slides"), ({"app": "vlc"}, "custom")], {}, VLC, None,
         ("slides", "rule", 0)),
        ([({"title": "nothing"}, "slides"), ({"app": "vlc"}, "custom")], {}, VLC, None,
         ("custom", "rule", 1)),
        # app and title both given: both must match
        ([({"app": "firefox", "title": "youtube"}, "slides")], {}, YOUTUBE, None,
         ("slides", "rule", 0)),
        ([({"app": "chrome", "title": "youtube"}, "slides")], {}, YOUTUBE, None,
         ("media", "rule", 1 + 8)),  # falls through to the built-in YouTube rule
        # app is compared with the process, both WM_CLASS parts, the window class, bundle id
        ([({"app": "navigator"}, "slides")], {}, YOUTUBE, None, ("slides", "rule", 0)),
        ([({"app": "pptframe*"}, "media")], {}, PPT_WIN, None, ("media", "rule", 0)),
        ([({"app": "com.apple.iwork.*"}, "media")], {}, KEYNOTE, None, ("media", "rule", 0)),
        # built-in rules off: nothing matches VLC
        ([], {"builtin_rules": False}, VLC, None, ("custom", "default", -1)),
        # default profile when nothing matches
        ([], {"default_profile": "slides"}, TERMINAL, None, ("slides", "default", -1)),
        # pinned by hand wins over every rule, from the settings or from --profile
        ([({"app": "vlc"}, "custom")], {"pinned": "slides"}, VLC, None, ("slides", "pinned", -1)),
        ([({"app": "vlc"}, "custom")], {}, VLC, "slides", ("slides", "pinned", -1)),
        ([({"app": "vlc"}, "custom")], {"pinned": "media"}, VLC, "slides",
         ("slides", "pinned", -1)),
        # switching off: the profile chosen by hand
        ([({"app": "vlc"}, "media")], {"enabled": False}, VLC, None, ("custom", "manual", -1)),
    ],
)  # fmt: skip
def test_rule_order_pinned_and_no_match(rules, switching, window, pinned, expected) -> None:
    choice = choose_profile(config(rules, **switching), window, pinned=pinned)
    assert (choice.profile, choice.source, choice.rule_index) == expected


def test_reason_names_the_rule_and_the_window() -> None:
    choice = choose_profile(config([({"app": "vlc"}, "slides")]), VLC)
    assert choice.reason == "rule 1 (app 'vlc') matches vlc: 'concert.mkv - VLC media player'"
    assert choose_profile(config(), VLC).reason.startswith("built-in rule (app 'vlc')")


BAD_RULES = [
    (
        'rules = [\n    { match = { app = "vlc" }, profile = "nope" },\n]',
        "line 3: switching.rules[0].profile: unknown profile 'nope' (profiles: slides, media, "
        "custom, viewer)",
    ),
    (
        'rules = [\n    { match = { app = "vlc" }, profile = "media" },\n'
        '    { match = {}, profile = "media" },\n]',
        "line 4: switching.rules[1].match: empty match: give app or title",
    ),
    (
        'rules = [\n    { match = { app = "  ", title = "" }, profile = "media" },\n]',
        "line 3: switching.rules[0].match: empty match",
    ),
    (
        'rules = [\n    { match = { title = "*[Impress" }, profile = "slides" },\n]',
        "line 3: switching.rules[0].match.title: unclosed '[' at position 2",
    ),
    (
        '[[switching.rules]]\nprofile = "slides"\n[switching.rules.match]\napp = "x[]"\n',
        "line 5: switching.rules[0].match.app: unclosed '[' at position 2",
    ),
    (
        'rules = [\n    { match = { app = "[z-a]*" }, profile = "slides" },\n]',
        "line 3: switching.rules[0].match.app: reversed range 'z-a' in '[...]' (matches nothing)",
    ),
    ('default_profile = "gone"', "line 2: switching.default_profile: unknown profile 'gone'"),
    ('pinned = "gone"', "line 2: switching.pinned: unknown profile 'gone'"),
    ('rules = [{ match = { window = "x" }, profile = "media" }]',
     "line 2: switching.rules[0].match.window: unknown setting; allowed here: app, title"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "message"), BAD_RULES)
def test_bad_rules_get_file_and_line(body: str, message: str) -> None:
    text = "[switching]\n" + body + "\n" if not body.startswith("[[") else "\n" + body
    cfg, problems = parse_config_text(text, file=Path("c.toml"), known_gestures=KNOWN)
    assert cfg is None
    assert any(p.startswith("c.toml, " + message) for p in problems), problems


def test_rules_round_trip_through_the_file() -> None:
    cfg = config([({"app": "vlc", "title": "*.mkv*"}, "slides"), ({"title": "Zoom"}, "media")],
                 default_profile="slides", pinned="media")  # fmt: skip
    again, problems = parse_config_text(cfg.to_toml(), known_gestures=KNOWN)
    assert problems == []
    assert again == cfg


def test_old_files_without_switching_still_load() -> None:
    cfg, problems = parse_config_text('active_profile = "media"\n', known_gestures=KNOWN)
    assert problems == [] and cfg is not None
    assert cfg.switching == SwitchingSettings()
    assert choose_profile(cfg, TERMINAL).profile == "media"  # the default is the active profile
