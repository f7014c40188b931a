"""llama_index_friendli."""
