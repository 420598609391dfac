"""Understanding a question: a follow-up resolved against the conversation, metadata filters recognised in it."""
