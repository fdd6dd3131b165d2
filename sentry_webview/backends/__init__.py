"""Web engines behind one small interface (``base.Backend``), and how windows are wired."""
