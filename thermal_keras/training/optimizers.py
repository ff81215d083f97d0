"""``FusedAdam``: Keras' Adam with TensorFlow's one-kernel update on the TensorFlow backend.

Keras 3's ``Adam.update_step`` is written in backend-neutral ops: for each weight it makes about ten
element-wise passes (two ``assign_add``, a square, a square root, products, a division, an
``assign_sub``). On a CPU that is memory traffic: for the 54.4 M weights of ``unet_256`` it took
0.25 s a step here, a fifth of a 256² pix2pix step at batch 1. TensorFlow's ``ResourceApplyAdam``
kernel does the same update in one pass (0.04 s); PyTorch's default Adam is in between.

The update is the same formula as Keras' ``Adam`` (not AMSGrad, no Nesterov)::

    alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
    m += (g - m) * (1 - beta_1);  v += (g**2 - v) * (1 - beta_2)
    w -= alpha * m / (sqrt(v) + epsilon)

and the state is the same (``iterations``, one momentum and one velocity per weight), so checkpoints
of either optimizer restore into the other. Everything else — schedules, weight decay, clipping,
``LossScaleOptimizer`` wrapping, ``tf.distribute`` — is Keras' own code. ``amsgrad=True``, sparse
gradients and other backends (JAX) take Keras' path unchanged.
"""

import keras

_TENSORFLOW = keras.backend.backend() == "tensorflow"
if _TENSORFLOW:
    import tensorflow as tf


def _resource_handle(variable):
    """The resource handle of a Keras variable or of the per-device ``tf.Variable`` being updated."""
    if isinstance(variable, keras.Variable):
        variable = variable.value
    return variable.handle


@keras.saving.register_keras_serializable(package="thermal_keras")
class FusedAdam(keras.optimizers.Adam):
    """``keras.optimizers.Adam`` whose dense TensorFlow update is one ``ResourceApplyAdam`` per weight.

    Takes exactly ``keras.optimizers.Adam``'s arguments and serialises the same way. The default
    name is Adam's ("adam"), so variable paths, and checkpoints of runs trained with Adam, match.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("name", "adam")
        super().__init__(*args, **kwargs)

    def update_step(self, gradient, variable, learning_rate):
        if not _TENSORFLOW or self.amsgrad or isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable, learning_rate)
        dtype = variable.dtype
        local_step = tf.cast(self.iterations + 1, dtype)
        index = self._get_variable_index(variable)
        tf.raw_ops.ResourceApplyAdam(
            var=_resource_handle(variable),
            m=_resource_handle(self._momentums[index]),
            v=_resource_handle(self._velocities[index]),
            beta1_power=tf.pow(tf.cast(self.beta_1, dtype), local_step),
            beta2_power=tf.pow(tf.cast(self.beta_2, dtype), local_step),
            lr=tf.cast(learning_rate, dtype),
            beta1=tf.cast(self.beta_1, dtype),
            beta2=tf.cast(self.beta_2, dtype),
            epsilon=tf.cast(self.epsilon, dtype),
            grad=tf.cast(gradient, dtype),
            use_locking=False,
            use_nesterov=False,
        )
