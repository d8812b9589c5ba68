"""The dummy plugin's receiver of the services engine's ``case_changed``: it records what
it hears, and raises when a test asks it to (a plugin's bug must not hurt the sender)."""

heard: list[tuple[str, list[int]]] = []
fail = {"now": False}


def on_case_changed(sender, cases, kind, actor, community, **kwargs):
    heard.append((kind, [case.pk for case in cases]))
    if fail["now"]:
        raise RuntimeError("the dummy plugin's receiver failed, as the test asked")
