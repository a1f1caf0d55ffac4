"""The composition root: the app factory and the command line wire directory, search and sync."""
