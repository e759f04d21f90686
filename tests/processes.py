"""manage.py run in a child process, the way an operator runs it."""

import subprocess
import sys

from django.conf import settings


def manage(*args, environment, timeout=60):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
