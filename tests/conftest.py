import os

os.environ.setdefault("CARESTAT_DEMO", "")
