"""Renderers as the host knows them: the hub of every window, identities, merge and scope sync."""
