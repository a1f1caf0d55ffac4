"""The collaboration directory: the domain of Samverkan, one sub-package per domain.

``core`` is the shared ground (database, settings, errors, access, change log, vocabulary);
``records``, ``meetings``, ``accounts`` and ``guidance`` stand on it, and ``api`` assembles their
controllers into one router. ``search``, ``sync`` and ``samverkan`` may import it; it imports
none of them.
"""

import os

# Piccolo finds its engine through this module path; pin it so any working directory works.
os.environ.setdefault("PICCOLO_CONF", "directory.piccolo_conf")
