"""Helpers shared by the tests: where the checkout and the shared data are (here), X servers
(:mod:`.xserver`), waiting and log reading (:mod:`.waiting`), running HandCue's command line in
a subprocess (:mod:`.commands`), fakes for the GUI's tracker and sources (:mod:`.gui_fakes`),
synthetic hands (:mod:`.handmodel`), pointer landmark sequences (:mod:`.pointer_sequences`), a
synthetic pointer video (:mod:`.synthetic_video`) and the static-photo tracker
(:mod:`.static_photos`).

Scripts that tests run as subprocesses put the checkout on ``sys.path`` themselves and may then
import these modules too."""

from pathlib import Path

#: The checkout.
ROOT = Path(__file__).resolve().parents[2]
#: The shared real photos and videos (beside the checkout; tests that need them skip without).
DATA = ROOT / ".." / "shared" / "data"
