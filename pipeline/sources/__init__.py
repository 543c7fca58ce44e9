"""Frame sources behind one interface: a camera index, a video file or a folder of images;
their pacing; and the one-frame mailbox between a reading thread and the tracking thread.
Modules: :mod:`.base` (Frame, the interface, spec kinds, :class:`RunningMode`), :mod:`.images`,
:mod:`.video` (cameras and video files), :mod:`.opening` (:func:`open_source`), :mod:`.pacing`,
:mod:`.image_header` (an image's size before it is decoded).

Iterate a source to get ``Frame`` objects; images come as OpenCV BGR uint8. Image folders yield
files in name order; files that cannot be read are reported through ``skipped`` (and logged)
rather than stopping the stream; named pipes and devices are refused, not waited on, and image
files past MAX_DECODE_PIXELS are refused from their header before they are decoded. Sources
decode as fast as they are read; :class:`FrameClock` paces files to their own frame rate (as a
camera would deliver them) and keeps timestamps increasing across loops and reconnects. Both
``handcue run`` and the app use these.
"""

from pipeline.errors import SourceError
from pipeline.sources.base import (
    IMAGE_SUFFIXES,
    MAX_DECODE_PIXELS,
    MAX_FRAME_STEP,
    MAX_IMAGE_PIXELS,
    VIDEO_SUFFIXES,
    Frame,
    FrameSource,
    RunningMode,
    check_frame_step,
    is_camera_spec,
    is_folder_spec,
    is_photo_spec,
)
from pipeline.sources.images import (
    ImageFolderSource,
    LoadedImage,
    list_images,
    load_image,
    read_image,
    to_bgr8,
)
from pipeline.sources.opening import open_source
from pipeline.sources.pacing import FrameClock, LatestSlot
from pipeline.sources.video import (
    VideoSource,
    camera_node_exists,
    decode_jpeg,
    is_jpeg,
    jpeg_raw_checked,
    list_cameras,
    open_video_file,
)

__all__ = [
    "IMAGE_SUFFIXES",
    "MAX_DECODE_PIXELS",
    "MAX_FRAME_STEP",
    "MAX_IMAGE_PIXELS",
    "VIDEO_SUFFIXES",
    "Frame",
    "FrameClock",
    "FrameSource",
    "ImageFolderSource",
    "LatestSlot",
    "LoadedImage",
    "RunningMode",
    "SourceError",
    "VideoSource",
    "camera_node_exists",
    "check_frame_step",
    "decode_jpeg",
    "is_camera_spec",
    "is_folder_spec",
    "is_jpeg",
    "is_photo_spec",
    "jpeg_raw_checked",
    "list_cameras",
    "list_images",
    "load_image",
    "open_source",
    "open_video_file",
    "read_image",
    "to_bgr8",
]
