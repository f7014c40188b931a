"""friendli_core."""
