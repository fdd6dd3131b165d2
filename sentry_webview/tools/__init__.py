"""Tools that ship with the package: the demo, the doctor and a local ingest."""
