"""The dashboard (看板): the admin home of the committee and the grid workers, and the
township's monthly report.

Figures come in tiles (``anju.plugins.DashboardTile``): the core's own — visit coverage,
notice reach, cases and the in-grid resolution rate, campaign progress — and one per
active plugin that declares ``panels.dashboard_tiles``. Each tile counts per grid in
one query whatever the number of grids; the board adds the counts up for the
community, works out the rates and draws the charts (Chart.js, vendored under
static/dashboard/vendor/). ``board.build_board`` is the one place the figures are put
together: the home panel, the printable report and the Excel workbook all read it.
"""
