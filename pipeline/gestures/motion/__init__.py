"""Movement gestures from the hands' paths: swipes, drag, zoom, tap / double tap, circles
(:class:`MotionGestures`)."""

from pipeline.gestures.motion.detector import MotionConfig, MotionGestures
from pipeline.gestures.motion.swipes import SWIPES, SwipeConfig

__all__ = ["SWIPES", "MotionConfig", "MotionGestures", "SwipeConfig"]
