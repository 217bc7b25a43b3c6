"""zonegen: Mox's DNS records plus a site file, as octoDNS YAML and BIND zone files."""

__version__ = "0.1.0"
