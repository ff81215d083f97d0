"""ONNX conversion checks its graph: an output of another rank than the contract's is converted again
without tf2onnx's transpose optimizer, then refused (tf2onnx 1.17's transpose optimizer now and then
drops a Squeeze, seen on FusionGAN's ``fused``)."""

import numpy as np
import onnx
import pytest
import tf2onnx
from onnx import helper

from deploy_models import tiny_generator
from thermal_keras.deploy import writers
from thermal_keras.deploy.contracts import contract_for
from thermal_keras.deploy.runners import load_runner
from thermal_keras.deploy.writers import ONNX_ATTEMPTS, onnx_bytes, onnx_graph_problem


def _one_axis_too_many(proto: onnx.ModelProto, output: str) -> onnx.ModelProto:
    """A copy of ``proto`` whose ``output`` gets an extra axis 1: ``(N, H, W, C)`` -> ``(N, 1, H, W, C)``,
    as tf2onnx's dropped Squeeze leaves it; the declared output shape stays 4-D. Nodes that read ``output``
    inside the graph (some conversions compute ``fused_u8`` from ``fused``) keep reading the 4-D tensor."""
    bad = onnx.ModelProto()
    bad.CopyFrom(proto)
    for node in bad.graph.node:  # consumers of ``output`` inside the graph keep reading the 4-D tensor
        node.output[:] = [f"{output}_4d" if name == output else name for name in node.output]
        node.input[:] = [f"{output}_4d" if name == output else name for name in node.input]
    axes = helper.make_tensor(f"{output}_axes", onnx.TensorProto.INT64, [1], [1])
    bad.graph.initializer.append(axes)
    bad.graph.node.append(helper.make_node("Unsqueeze", [f"{output}_4d", f"{output}_axes"], [output]))
    return bad


def _declared_5d(proto: onnx.ModelProto, output: str) -> onnx.ModelProto:
    """:func:`_one_axis_too_many` with the output declared 5-D as well: a graph consistent in itself,
    whose output has another rank than the contract's (what the CI run of stop 33 exported)."""
    bad = _one_axis_too_many(proto, output)
    for value in bad.graph.output:
        if value.name == output:
            value.type.tensor_type.shape.dim.insert(1, onnx.TensorShapeProto.Dimension(dim_value=1))
    return bad


@pytest.fixture(scope="module")
def fusion_contract():
    return contract_for(tiny_generator("fusiongan")[0])


def test_the_graph_check_accepts_a_good_graph_and_finds_the_extra_axis(fusion_contract):
    good = onnx.load_from_string(onnx_bytes(fusion_contract))
    assert onnx_graph_problem(good) is None
    problem = onnx_graph_problem(_one_axis_too_many(good, "fused"))
    assert problem is not None and "rank" in problem


def test_the_graph_check_compares_output_ranks_with_the_contract(fusion_contract):
    good = onnx.load_from_string(onnx_bytes(fusion_contract))
    ranks = {"fused": 4, "fused_u8": 4, "fused_rgb": 4}
    assert onnx_graph_problem(good, ranks) is None
    consistent_but_5d = _declared_5d(good, "fused")
    assert onnx_graph_problem(consistent_but_5d) is None  # strict inference alone cannot tell
    assert onnx_graph_problem(consistent_but_5d, ranks) == "output 'fused' has rank 5, the contract's is 4"


def _graph_where_fused_feeds_a_cast() -> onnx.ModelProto:
    """A tiny graph ``x -> Identity -> fused -> Cast -> fused_u8``: the layout some tf2onnx conversions
    give (``fused_u8`` computed from ``fused``; the CI run of stop 34 had it, local runs did not)."""
    four_d = ["N", "H", "W", 1]
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["fused"]),
         helper.make_node("Cast", ["fused"], ["fused_u8"], to=onnx.TensorProto.UINT8)],
        "fused_then_cast",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, four_d)],
        [helper.make_tensor_value_info("fused", onnx.TensorProto.FLOAT, four_d),
         helper.make_tensor_value_info("fused_u8", onnx.TensorProto.UINT8, four_d)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_the_spoiled_graphs_stay_consistent_where_the_output_feeds_other_nodes():
    good = _graph_where_fused_feeds_a_cast()
    ranks = {"fused": 4, "fused_u8": 4}
    assert onnx_graph_problem(good, ranks) is None
    assert "rank" in onnx_graph_problem(_one_axis_too_many(good, "fused"))
    consistent_but_5d = _declared_5d(good, "fused")
    assert onnx_graph_problem(consistent_but_5d) is None
    assert onnx_graph_problem(consistent_but_5d, ranks) == "output 'fused' has rank 5, the contract's is 4"


def _conversions_spoiled(monkeypatch, spoiled: int, spoil=_one_axis_too_many) -> list:
    """Make tf2onnx's first ``spoiled`` conversions give the extra axis on ``fused``; returns the list
    that holds, for every conversion, whether tf2onnx's transpose optimizer was on."""
    real, calls = tf2onnx.convert.from_function, []

    def convert(*args, **kwargs):
        proto, storage = real(*args, **kwargs)
        calls.append("optimize_transpose" in tf2onnx.optimizer._get_optimizers())
        return (spoil(proto, "fused") if len(calls) <= spoiled else proto), storage

    monkeypatch.setattr(tf2onnx.convert, "from_function", convert)
    return calls


def test_an_inconsistent_conversion_is_converted_again(fusion_contract, monkeypatch):
    calls = _conversions_spoiled(monkeypatch, 1)
    proto = onnx.load_from_string(onnx_bytes(fusion_contract))
    assert calls == [True, False]  # the second conversion without the transpose optimizer
    assert onnx_graph_problem(proto) is None
    assert "optimize_transpose" in tf2onnx.optimizer._get_optimizers()  # and tf2onnx is left as it was


def test_a_conversion_declaring_another_rank_is_converted_again(fusion_contract, monkeypatch):
    calls = _conversions_spoiled(monkeypatch, 1, spoil=_declared_5d)
    proto = onnx.load_from_string(onnx_bytes(fusion_contract))
    assert calls == [True, False]
    assert [len(o.type.tensor_type.shape.dim) for o in proto.graph.output] == [4, 4, 4]


def test_conversion_gives_up_with_the_reason_after_its_attempts(fusion_contract, monkeypatch):
    calls = _conversions_spoiled(monkeypatch, ONNX_ATTEMPTS)
    with pytest.raises(RuntimeError, match=rf"inconsistent ONNX graph {ONNX_ATTEMPTS} times.*rank"):
        onnx_bytes(fusion_contract)
    assert calls == [True, False] and ONNX_ATTEMPTS == 2


def test_without_the_transpose_optimizer_every_output_keeps_its_rank(fusion_contract, monkeypatch):
    """The fallback conversion itself, run as the second attempt: 4-D outputs, the same numbers."""
    _conversions_spoiled(monkeypatch, 1)
    fallback = onnx.load_from_string(onnx_bytes(fusion_contract))
    monkeypatch.undo()
    first = onnx.load_from_string(onnx_bytes(fusion_contract))
    import onnxruntime as ort

    rng = np.random.default_rng(5)
    feed = {"ir": rng.integers(0, 256, (2, 20, 24, 1), dtype=np.uint8),
            "visible": rng.integers(0, 256, (2, 20, 24, 3), dtype=np.uint8)}
    outputs = [dict(zip([o.name for o in proto.graph.output],
                        ort.InferenceSession(proto.SerializeToString()).run(None, feed))) for proto in (fallback, first)]
    for name, value in outputs[0].items():
        assert value.ndim == 4 and value.shape[0] == 2, name
        np.testing.assert_allclose(value.astype(np.float32), outputs[1][name].astype(np.float32), atol=1e-5)


def test_a_second_fusiongan_in_the_process_exports_4d_outputs(tmp_path):
    """The case that showed the bug: another FusionGAN built earlier in the same process."""
    tiny_generator("fusiongan")
    generator = tiny_generator("fusiongan", seed=1)[0]
    path = writers.export_generator(generator, "onnx", tmp_path / "fusion.onnx")
    rng = np.random.default_rng(3)
    outputs = load_runner(path)(ir=rng.integers(0, 256, (2, 20, 24, 1), dtype=np.uint8),
                                visible=rng.integers(0, 256, (2, 20, 24, 3), dtype=np.uint8))
    assert {name: value.shape for name, value in outputs.items()} == {
        "fused": (2, 20, 24, 1), "fused_u8": (2, 20, 24, 1), "fused_rgb": (2, 20, 24, 3)}
