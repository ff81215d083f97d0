"""``thermal-keras presets``: list the shipped presets; ``presets build NAME`` reruns a recipe.

    thermal-keras presets                      # name, family, task, size, headline metric
    thermal-keras presets show NAME            # the model card
    thermal-keras presets build NAME           # train (or resume) and package; `make presets` runs it
    thermal-keras presets package NAME         # rewrite the preset folder from a finished build run
"""

from __future__ import annotations


def register(commands, train_models) -> dict:
    parser = commands.add_parser("presets", help="list the pretrained presets (show NAME: its model card)")
    parser.add_argument("action", nargs="?", default="list", choices=("list", "show", "build", "package"),
                        help="list (default), show NAME, build NAME (train and package a recipe) or "
                             "package NAME (repackage a finished build)")
    parser.add_argument("name", nargs="?", default=None, help="preset name for show / build")
    parser.add_argument("--work-dir", default="build/presets", help="where build trains (default: build/presets)")
    return {"presets": presets_command}


def format_presets(rows: list[dict]) -> str:
    """A fixed-width table of :func:`thermal_keras.presets.list_presets` rows."""
    heads = ("name", "family", "task", "MB", "headline")
    table = [heads] + [(r["name"], r["family"], r["task"], f"{r['size_mb']:.1f}", r["headline"]) for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(heads) - 1)]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(row[:-1], widths)) + "  " + row[-1]
                     for row in table)


def presets_command(args) -> int:
    from thermal_keras import presets

    if args.action != "list":
        from thermal_keras.cli import quiet_tensorflow

        quiet_tensorflow(args.verbose)  # listing reads JSON only; show and build load Keras
    if args.action == "list":
        rows = presets.list_presets()
        print(format_presets(rows) if rows else "no presets shipped")
        return 0
    if not args.name:
        raise ValueError(f"presets {args.action} needs a preset name")
    if args.action == "show":
        print(presets.load_preset(args.name).card)
        return 0
    from thermal_keras.presets import recipes

    action = recipes.build if args.action == "build" else recipes.package
    out = action(args.name, work_dir=args.work_dir)
    print(f"wrote {out}")
    return 0
