"""A preset's model card (Markdown), written from its ``preset.json`` so the two never disagree."""

from __future__ import annotations


def _table(metrics: dict) -> list[str]:
    """``{"set": {"method": {"metric": value}}}`` -> one Markdown table per evaluation set."""
    lines = []
    for set_name, methods in metrics.items():
        if not isinstance(methods, dict) or not methods:
            continue
        columns = sorted({k for scores in methods.values() if isinstance(scores, dict) for k in scores})
        lines += ["", f"**{set_name}**", "", "| method | " + " | ".join(columns) + " |",
                  "|---|" + "---|" * len(columns)]
        for method, scores in methods.items():
            if isinstance(scores, dict):
                cells = [f"{scores[c]:.3f}" if isinstance(scores.get(c), float) else str(scores.get(c, ""))
                         for c in columns]
                lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return lines


def model_card(info: dict) -> str:
    """The model card of a preset description (see :func:`thermal_keras.presets.write_preset`)."""
    training = info.get("training", {})
    weights = info["weights"]
    lines = [
        f"# {info['name']}",
        "",
        info.get("description", ""),
        "",
        f"- Family: {info['family']}; task: {info['task']}",
        f"- Input {info.get('input_shape')} -> output {info.get('output_shape')} (None: any size)",
        f"- Trainable parameters: {weights['parameters']:,}; weights stored as {weights['dtype']} "
        f"(load into float32); SHA-256 `{weights['sha256']}`",
    ]
    if info.get("target_spec"):
        spec = info["target_spec"]
        lines.append(f"- Output files: {spec['bit_depth']}-bit, value range {spec.get('value_range')}"
                     + (f", {spec['counts_per_kelvin']} counts per kelvin (°C = counts / "
                        f"{spec['counts_per_kelvin']} − 273.15)" if spec.get("counts_per_kelvin") else ""))
    lines += ["", "## Training", ""]
    for key, label in (("data", "Data"), ("data_licence", "Licence of the training data"),
                       ("command", "Recipe"), ("steps", "Steps"), ("batch_size", "Batch size"),
                       ("cpu_seconds", "Training time (s, 2 CPU cores)"),
                       ("process_cpu_seconds", "Process CPU time (s, both cores added up)"),
                       ("time_note", "About the time"), ("hardware", "Hardware")):
        if key in training:
            value = f"`{training[key]}`" if key == "command" else training[key]
            lines.append(f"- {label}: {value}")
    lines += ["", "## Held-out scores", *_table(info.get("metrics", {}))]
    if info.get("limitations"):
        lines += ["", "## Limitations", "", info["limitations"]]
    return "\n".join(lines) + "\n"
