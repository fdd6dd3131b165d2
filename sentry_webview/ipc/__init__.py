"""The path from renderers to the host: wire names, bridge, protocol server, intake."""
