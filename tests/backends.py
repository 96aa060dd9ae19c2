"""Stand-ins for model backends, registered through VIDEOTALES_BACKENDS in the processes the tests start.

``FixedCostIllustrator`` is the storybook painter marked as needing a GPU, costing a fixed time per picture
(VIDEOTALES_PICTURE_SECONDS) and writing one line per call to VIDEOTALES_CALLS (scene, file path, process, cluster): what the scale-out tests and
``make bench-scale`` route, time and count, on a machine without a GPU."""

import fcntl
import os
import time

from fairytales.pipeline.illustration.storybook.backend import StorybookIllustrator

REGISTER = "illustration:fixed_cost=tests.backends:FixedCostIllustrator"


class FixedCostIllustrator(StorybookIllustrator):
    name = "fixed_cost"
    label = "Storybook at a fixed cost per picture (tests)"
    device_need = "gpu"

    def draw(self, scene, context, out_png, options, progress=None):
        seconds = float(os.environ.get("VIDEOTALES_PICTURE_SECONDS", "1"))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:  # reports like a model does, so a cancel is seen
            if progress is not None:
                progress(1 - (deadline - time.monotonic()) / max(seconds, 1e-6), "рисую")
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        drawn = super().draw(scene, context, out_png, options, *([progress] if progress else []))
        calls = os.environ.get("VIDEOTALES_CALLS")
        if calls:
            with open(calls, "a") as log:
                fcntl.flock(log, fcntl.LOCK_EX)
                log.write(f"{scene.index} {out_png} {os.getpid()} {os.environ.get('Q_CLUSTER_NAME', '')}\n")
        return drawn
