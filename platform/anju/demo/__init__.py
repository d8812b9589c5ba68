"""The Anjuyuan (安居苑) demo: ``manage.py load_demo``."""
