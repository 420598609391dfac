"""Text rules every stage shares: word tokens and stems, sentences, the informative terms of a text, author names."""
