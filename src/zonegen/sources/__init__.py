"""Readers: turn zonegen's inputs (Mox output, Mox config, the site file) into the model."""
