"""The 21-point hand skeleton, as data shared by gestures, overlay and the 3D plot."""

from __future__ import annotations

NUM_LANDMARKS = 21

LANDMARK_NAMES: tuple[str, ...] = (
    "wrist",
    "thumb_cmc", "thumb_mcp", "thumb_ip", "thumb_tip",
    "index_mcp", "index_pip", "index_dip", "index_tip",
    "middle_mcp", "middle_pip", "middle_dip", "middle_tip",
    "ring_mcp", "ring_pip", "ring_dip", "ring_tip",
    "pinky_mcp", "pinky_pip", "pinky_dip", "pinky_tip",
)  # fmt: skip

WRIST = 0
FINGER_NAMES: tuple[str, ...] = ("thumb", "index", "middle", "ring", "pinky")

# Each finger's chain from the wrist outwards (wrist included so angles at the base exist).
FINGER_CHAINS: dict[str, tuple[int, ...]] = {
    "thumb": (0, 1, 2, 3, 4),
    "index": (0, 5, 6, 7, 8),
    "middle": (0, 9, 10, 11, 12),
    "ring": (0, 13, 14, 15, 16),
    "pinky": (0, 17, 18, 19, 20),
}

FINGER_TIPS: dict[str, int] = {name: chain[-1] for name, chain in FINGER_CHAINS.items()}

# Bones as (parent, child) pairs with the finger each belongs to ("palm" for the knuckle line).
BONES: tuple[tuple[int, int, str], ...] = tuple(
    (chain[i], chain[i + 1], name)
    for name, chain in FINGER_CHAINS.items()
    for i in range(len(chain) - 1)
) + ((5, 9, "palm"), (9, 13, "palm"), (13, 17, "palm"))

# Palm size as the reference data defines it: wrist to middle-finger MCP.
PALM_SIZE_PAIR = (0, 9)

# One colour per finger (RGB 0-255), used by the overlay and the 3D plot alike.
FINGER_COLOURS: dict[str, tuple[int, int, int]] = {
    "thumb": (255, 196, 0),
    "index": (64, 200, 255),
    "middle": (120, 230, 90),
    "ring": (255, 110, 190),
    "pinky": (180, 130, 255),
    "palm": (230, 230, 230),
}
