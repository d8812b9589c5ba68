"""Tests of plugins: tests/plugins/<label>/ for each (startplugin writes them here)."""
