"""Static files storage for production: whitenoise's hashed, compressed files, tolerant of the few
stylesheets in third-party packages that name files their package does not ship.

viewflow's static folder carries a copy of roboto-fontface's node_modules whose CSS names font
weights that are not there (no page uses that copy); Django's manifest storage would stop
collectstatic on the first of them. Such a reference is left as written, with a warning.
"""

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

log = logging.getLogger(__name__)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if content is not None or self.exists(name):
                raise
            log.warning("static file %s is referenced but missing; left unhashed", name)
            return name
