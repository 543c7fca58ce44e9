"""Input and the active window on Wayland compositors.

:mod:`.wire` speaks the Wayland wire protocol itself (a Unix socket; no C library), enough for
the few protocols HandCue needs; :mod:`.keymap` builds the XKB keymap the virtual keyboard
uploads; :mod:`.sink` is the input sink for wlroots compositors (sway, Hyprland, river, labwc).
The portal sink for GNOME and KDE (:mod:`.portal`) lives here too.
"""
