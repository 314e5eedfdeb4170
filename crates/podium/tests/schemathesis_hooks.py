"""Schemathesis hooks for Podium's API fuzzing test (tests/openapi_fuzz.rs).

A log off with `"wait": true` answers only when its sessions have ended, so
a generated grace of ten minutes would hold the request past any client
timeout whenever a session happens to exist. Waited log offs keep their
shape but get a short grace; the test's daemon has short defaults too.
"""

import math

import schemathesis

# Seconds of grace a waited log off may ask for in this test.
LONGEST_WAITED_GRACE = 2


@schemathesis.hook("map_case")
def short_waits(context, case):
    body = case.body
    if not isinstance(body, dict) or body.get("wait") is not True:
        return case
    grace = body.get("grace_seconds")
    if isinstance(grace, bool) or not isinstance(grace, (int, float)):
        return case
    if not math.isfinite(grace):
        return case
    # Only valid graces shrink; a fraction or an out-of-range value stays
    # the error it is.
    if grace == int(grace) and LONGEST_WAITED_GRACE < grace <= 600:
        body["grace_seconds"] = LONGEST_WAITED_GRACE
    return case
