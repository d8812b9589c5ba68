"""Residents on the portal (居民): their own accounts and pages.

- sign-in with a phone number and a one-time SMS code (``signin``), no password;
- the account linked to the resident's record of the register (``linking``): by itself
  when the phone matches exactly one resident, otherwise by a grid worker in the admin
  (``admin_views``), who also links family members acting for an elderly relative
  (代理人);
- "my household", "my requests" (with the resident's side of the 回访), "my messages"
  (the in-app inbox of the notify outbox) and notices for them (``views``);
- 长辈模式, the elder mode: larger text and simpler pages, kept in a cookie
  (``eldermode``).

This is the top layer (with the portal): it may use every layer below; nothing below
imports it.
"""
