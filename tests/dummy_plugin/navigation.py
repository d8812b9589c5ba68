from anju.plugins import MenuItem, PortalLink, ServiceCard

menu_items = [MenuItem("Dummy things", "dummy_things:index", icon="pick", order=9000)]
portal_links = [PortalLink("Dummy", "dummy_plugin:index")]
service_cards = [ServiceCard("Dummy service", "Things for testing", "dummy_plugin:index")]
