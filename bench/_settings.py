"""Settings for the gunicorn server of the throughput benchmarks (``bench/_http.py``).

The test settings (DEBUG off, the database named by ``DATABASE_URL``, persistent connections,
the immediate task backend) with two bench-only additions: ``bench/_urls.py`` as the URLconf (the
site's URLs plus the bare view) and ``bench/templates`` first among the template directories (the
template of a plain Wagtail page). The server runs with ``bench/`` on its Python path, so this is
the module ``_settings``.
"""

from pathlib import Path

from config.settings.test import *  # noqa: F403
from config.settings.test import TEMPLATES

ROOT_URLCONF = "_urls"
TEMPLATES[0]["DIRS"] = [Path(__file__).resolve().parent / "templates", *TEMPLATES[0]["DIRS"]]
