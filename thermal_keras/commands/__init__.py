"""The commands that serve every family, each in its own module with ``register(commands, train_models)``
(:mod:`thermal_keras.cli` lists them): ``demo``, ``evaluate``, ``export`` and ``translate``. A family's
own ``cli.py`` holds only that family's commands (``train MODEL`` and the like)."""
