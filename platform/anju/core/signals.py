"""Signals that reach plugins only where they are active, and never break the sender.

A ``PluginSignal`` is sent for one community (``send(sender, community=..., **kwargs)``),
in the spirit of pretix's ``EventPluginSignal``:

- receivers in the core run as with any Django signal: now, inside the sender's
  transaction, and their exceptions propagate;
- receivers defined in a plugin's package run only if that plugin is active for the
  community (``anju.core.plugingate``), *after* the sender's transaction commits, each in
  a transaction of its own; one that raises is logged and rolled back alone. So a broken
  plugin can neither roll back the sender's work (the SLA sweep's batch, a resident's
  submission) nor stop the other receivers, and it never sees work that was rolled back.

A receiver belongs to the plugin whose Python package defines it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal
from django.dispatch.dispatcher import NO_RECEIVERS

from . import plugingate

logger = logging.getLogger("anju.plugins")


class PluginSignal(Signal):
    def send(self, sender, *, community, **named):
        """Call the core's receivers now and schedule the active plugins' receivers for
        after commit. Returns the core receivers' [(receiver, response)]."""
        if not self.receivers or self.sender_receivers_cache.get(sender) is NO_RECEIVERS:
            return []
        sync_receivers, _async = self._live_receivers(sender)
        named = {**named, "community": community}
        responses = []
        for receiver in sync_receivers:
            label = plugingate.plugin_of(receiver)
            if label is None:
                responses.append((receiver, receiver(signal=self, sender=sender, **named)))
            elif plugingate.is_active(community, label):
                transaction.on_commit(_isolated(self, receiver, label, sender, named), robust=False)
        return responses


def _isolated(signal, receiver, label, sender, named):
    def run():
        try:
            with transaction.atomic():
                receiver(signal=signal, sender=sender, **named)
        except Exception:
            logger.exception(
                "Receiver %s of plugin %s failed; the sender's work stands",
                getattr(receiver, "__qualname__", receiver),
                label,
            )

    return run
