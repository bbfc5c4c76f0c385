"""The benchmark: the skill against an idiomatic ask-sdk-core hello world (``make bench``)."""
