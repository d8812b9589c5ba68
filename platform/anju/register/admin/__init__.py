"""The household register in the Wagtail admin, one module per concern:

- ``viewsets``  the "Community" menu: one grid-scoped viewset per model;
- ``forms``     their forms (foreign keys scoped; whole ID numbers never sent back);
- ``filters``   their listing filters;
- ``views``     their listing, inspect and "show the whole ID number" views;
- ``my_grids``  a grid worker's "My grids" page and dashboard panel;
- ``coverage``  visit coverage per grid.

Every view is built on the scoped bases of ``anju.permissions.admin``. (Django's admin
autodiscovery imports this package; it imports nothing itself.)
"""
