"""The staff side of the services engine in the Wagtail admin, one module per concern:

- ``builder``  the service builder (low-code forms): a ModelViewSet over ``Service`` and
  its fields; every save snapshots the fields into a new ``FormVersion`` when they
  changed, so cases filed earlier keep reading as they were filed;
- ``inbox``    the case inbox (/admin/cases/): tabs, filters, SLA colours, bulk
  assignment, export;
- ``case``     the case page: answers, attachments, the whole timeline, and the actions
  the workflow allows;
- ``behalf``   filing on a resident's behalf (代办);
- ``figures``  the figures page;
- ``common``   the permissions the pages need and the base of every case view;
- ``urls``     the URLs and the "Cases" menu entries (wagtail_hooks registers them).

Why it is built this way:

- every list, page, download and export starts from ``visibility.visible_cases`` — the
  one rule of who sees which case — so a case outside the user's grids is a 404 here as
  it is in the API, and never a row in a spreadsheet;
- every change goes through ``anju.services.workflow``; these views only turn its
  ``WorkflowError`` (and upload ``ValidationError``) into a message on the page, re-shown
  with what the user typed and a 400, never a 500 and never a half-saved case;
- roles that may read but not act (resident representatives) see no action forms, and
  a POST from them is a plain 403;
- each view declares its grid scope (anju.permissions.urlscope): cases are filtered per
  grid, so grid workers may come in; services hold no grid data.
"""
