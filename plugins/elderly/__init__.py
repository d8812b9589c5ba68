"""Elderly canteen and activity centre (老年餐厅与活动中心): an Anju service plugin."""

__version__ = "0.1.0"
