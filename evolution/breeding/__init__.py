"""The strategies and what they share: ask/tell strategies, selection scores, origins, generators."""
