"""Campaigns in the Wagtail admin: the campaign builder (with its target rule), the
progress page per round and grid, the grid worker's due list and the answer page."""
