"""``GANModel``: what every GAN family's ``keras.Model`` shares.

A family's model (:class:`~thermal_keras.pix2pix.model.Pix2Pix`, ``CycleGAN``, ``SRGAN``,
``FusionGAN``) holds its networks as attributes named in ``NETWORKS``, takes a generator optimizer and
a discriminator optimizer in ``compile()`` and writes its own ``train_step``/``test_step``. This base
gives them:

* network checks at construction (each a ``keras.Model``) and :func:`channels` for channel checks;
* :meth:`GANModel.compile_optimizers`: the ``compile()`` guard (no ``optimizer=``/``loss=``), two
  distinct optimizer instances, loss scaling under ``mixed_float16``, synchronized BatchNorm under a
  multi-replica strategy, and optimizers built on their variables (so a checkpoint can restore them
  before the first step);
* :meth:`GANModel.require_compiled` for ``train_step``;
* :meth:`GANModel.checkpoint_objects` for :class:`~thermal_keras.training.TrainingCheckpoint`;
* ``get_config``/``from_config`` (networks serialised by name, plus ``CONFIG_FIELDS``) and
  ``get_compile_config``/``compile_from_config`` (optimizers plus the settings a family's
  ``compile()`` recorded in ``compile_settings``).
"""

from __future__ import annotations

import keras

from thermal_keras.distribute import MultiWorkerFitMixin, synchronize_batch_norm
from thermal_keras.precision import with_loss_scaling

REJECTED_COMPILE_ARGS = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics")


def channels(model: keras.Model, which: str) -> int | None:
    """Channel count of ``model``'s ``"input"`` or ``"output"``; ``None`` when not static."""
    try:
        shape = model.input_shape if which == "input" else model.output_shape
    except (AttributeError, ValueError):
        return None
    return shape[-1] if isinstance(shape, tuple) else None


def check_weight(value, name: str) -> float:
    """A loss weight as float; a ``ValueError`` naming it unless it is a number >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return float(value)


class GANModel(MultiWorkerFitMixin, keras.Model):
    """Base class of the GAN families (see the module docstring).

    Subclasses set ``NETWORKS`` (attribute names, in the order ``__init__`` takes them),
    ``OPTIONAL_NETWORKS`` (those that may be ``None``) and ``CONFIG_FIELDS`` (other constructor
    arguments stored as attributes of the same name), call :meth:`set_networks` in ``__init__`` and
    :meth:`compile_optimizers` in ``compile``.
    """

    NETWORKS: tuple[str, ...] = ("generator", "discriminator")
    OPTIONAL_NETWORKS: tuple[str, ...] = ()
    CONFIG_FIELDS: tuple[str, ...] = ()

    def set_networks(self, *networks):
        """Check and store ``networks`` under ``NETWORKS``; the model is built when they all are."""
        for name, network in zip(self.NETWORKS, networks, strict=True):
            if network is None and name in self.OPTIONAL_NETWORKS:
                setattr(self, name, None)
                continue
            if not isinstance(network, keras.Model):
                raise TypeError(f"{name} must be a keras.Model, got {type(network).__name__}")
            setattr(self, name, network)
        self.g_optimizer = self.d_optimizer = None
        self.compile_settings, self._compile_kwargs = {}, {}
        if all(network.built for network in self.networks):
            self.built = True

    @property
    def networks(self) -> tuple:
        """The networks that are present, in ``NETWORKS`` order."""
        return tuple(n for n in (getattr(self, name) for name in self.NETWORKS) if n is not None)

    def compile_optimizers(self, g_optimizer, d_optimizer, g_variables, d_variables, kwargs: dict):
        """The shared part of ``compile()``: see the module docstring. ``d_optimizer`` may be
        ``None`` (no discriminator); ``kwargs`` go to ``keras.Model.compile``."""
        rejected = sorted(set(kwargs) & set(REJECTED_COMPILE_ARGS))
        if rejected:
            raise ValueError(f"{type(self).__name__}.compile() does not take {rejected}: pass "
                             "g_optimizer/d_optimizer; the losses come from the model's own settings")
        if g_optimizer is d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two optimizer instances")
        keras.Model.compile(self, optimizer=None, **kwargs)
        self.g_optimizer = with_loss_scaling(g_optimizer, "g_loss_scale_optimizer")
        self.d_optimizer = None if d_optimizer is None else with_loss_scaling(d_optimizer, "d_loss_scale_optimizer")
        self.optimizer = self.g_optimizer  # what Keras callbacks (TensorBoard, LR schedulers) see
        synchronize_batch_norm(self.networks, self.distribute_strategy)
        for optimizer, variables in ((self.g_optimizer, g_variables), (self.d_optimizer, d_variables)):
            if optimizer is not None and not optimizer.built:
                optimizer.build(variables)
        self._compile_kwargs = dict(kwargs)

    def require_compiled(self):
        if self.g_optimizer is None:
            raise RuntimeError(f"{type(self).__name__} must be compiled before training: call model.compile()")

    def checkpoint_objects(self) -> dict:
        """``{name: object}`` for a :class:`~thermal_keras.training.TrainingCheckpoint`: the
        networks and both optimizers (subclasses add their own state)."""
        objects = {name: getattr(self, name) for name in self.NETWORKS if getattr(self, name) is not None}
        objects["g_optimizer"] = self.g_optimizer
        if self.d_optimizer is not None:
            objects["d_optimizer"] = self.d_optimizer
        return objects

    def call(self, inputs, training=False):
        """The first network (the generator) on ``inputs``."""
        return getattr(self, self.NETWORKS[0])(inputs, training=training)

    def get_config(self):
        config = super().get_config()
        for name in self.NETWORKS:
            network = getattr(self, name)
            config[name] = None if network is None else keras.saving.serialize_keras_object(network)
        return {**config, **{name: getattr(self, name) for name in self.CONFIG_FIELDS}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        networks = [config.pop(name) for name in cls.NETWORKS]
        networks = [None if n is None else keras.saving.deserialize_keras_object(n, custom_objects)
                    for n in networks]
        return cls(*networks, **config)

    def get_compile_config(self):
        if self.g_optimizer is None:
            return {}
        optimizers = {"g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer}
        return {**{k: keras.saving.serialize_keras_object(v) for k, v in optimizers.items() if v is not None},
                **{k: list(v) if isinstance(v, tuple) else v for k, v in self.compile_settings.items()},
                **self._compile_kwargs}

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("g_optimizer", "d_optimizer"):
            if key in config:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)
