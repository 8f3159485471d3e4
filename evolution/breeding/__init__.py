"""The strategies and what they share: ask/tell strategies, selection scores, origins, generators. The lowest
layer of evolution/: it imports none of the other sub-packages.
"""
