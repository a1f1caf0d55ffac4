"""The collaboration directory: organisations, contacts, services, networks and their API."""

import os

# Piccolo finds its engine through this module path; pin it so any working directory works.
os.environ.setdefault("PICCOLO_CONF", "directory.piccolo_conf")
