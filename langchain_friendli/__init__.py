"""langchain_friendli."""
