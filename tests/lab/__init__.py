"""A lab of broken DNS for ``zonegen verify``, all on loopback: zones signed wrong on purpose
with BIND's own tools (``zones.py``), a small misbehaving DNS server of our own (``baddns.py``)
and hostile SMTP servers (``smtp.py``). ``tests/test_verify_lab.py`` runs verify against it."""
