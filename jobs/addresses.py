"""Where outgoing webhooks may go. Asked of a URL's literal address when an
endpoint is saved, and of every address its name resolves to at each
delivery (jobs/webhooks.py), since a name can point anywhere later."""

from __future__ import annotations

import ipaddress


def may_deliver_to(address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, production: bool) -> bool:
    """In production, webhooks go to public addresses only: never to this
    machine or a private network."""
    return address.is_global or not production
