"""The deploy formats and their options, importable without Keras or TensorFlow (the CLI's parser uses them)."""

FORMATS = ("savedmodel", "keras", "tflite", "onnx")
SUFFIXES = {"keras": ".keras", "tflite": ".tflite", "onnx": ".onnx"}  # savedmodel is a folder
TFLITE_VARIANTS = ("float32", "float16", "int8")
