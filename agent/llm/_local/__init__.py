"""Helpers of the local llama.cpp backend: prompts, grammars, the token loop."""
