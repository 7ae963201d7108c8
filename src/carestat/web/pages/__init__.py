"""The service's pages: each module declares its pages with ``@page`` (see ``web/registry.py``)."""
