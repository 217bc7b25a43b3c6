"""Mail-DNS knowledge, one small pure library per record kind.

``spf`` (RFC 7208), ``dmarc`` (RFC 7489, RFC 9989), ``dkim`` (RFC 6376, RFC 8463, RFC 8301),
``tlsa`` (RFC 6698, 7671, 7672), ``mtasts`` (RFC 8461 and TLS-RPT, RFC 8460). Each parses the
record text into a typed model and says what is wrong with it, citing the RFC section; none
of them touches files or the network (SPF evaluation asks a lookup object it is given).
The lint rules in ``zonegen.checks`` and the other parts of zonegen use these.
"""
