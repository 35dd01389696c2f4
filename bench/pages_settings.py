"""maca's own settings, plus the floor page: only for bench/pages.py (never in the app's URLconf).

The floor is mounted by this module's URLconf, so the permission matrix (generated from the
application's URLconf) never sees it and no deployment can serve it.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "pages_urls"
