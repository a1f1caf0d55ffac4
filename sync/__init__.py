"""Everything that moves data in or out: the outbox worker, feeds, CalDAV/CardDAV push, mail."""
