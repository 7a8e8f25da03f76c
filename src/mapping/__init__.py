"""Zorgzame Buurten Kaart: the importable core of the dashboard.

Everything the pages and the command line do lives here; pages only wire widgets to it.
"""

__version__ = "0.1.0"
