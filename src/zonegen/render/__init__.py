"""Renderers: turn the record model into file text (octoDNS YAML, BIND zone files)."""
