"""Evidence and answerability: the sentences that answer a question, how many papers to read, answer or abstain."""
