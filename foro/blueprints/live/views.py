"""The live session over HTTP (helper C is writing it)."""
