"""Training the learned parts of context injection from labelled dialogues (never imported at serving time).

`dialogues` reads the labelled dialogues (the project's written training dialogues and its case files) into one
shape; `ranker` fits the antecedent ranker (`dst.ranking`) on them with cross-validation by dialogue.
"""
