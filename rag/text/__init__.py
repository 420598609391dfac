"""Text rules every stage shares: word tokens and their stems, sentences, the informative terms of a text."""
