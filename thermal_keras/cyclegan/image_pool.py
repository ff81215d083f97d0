"""A history of generated images for the CycleGAN discriminators (Shrivastava et al. 2017).

Feeding D a mix of current and older fakes damps the oscillation between G and D. The rule is the
CycleGAN reference's ``ImagePool``, image by image in batch order:

- while the pool holds fewer than ``pool_size`` images, store the image and return it;
- once full, with probability 1/2 return a uniformly chosen stored image and put the new one in its
  place; otherwise return the new image and leave the pool unchanged.

The pool lives in Keras variables (the images, the fill count and the random seed state), so it
runs inside a compiled ``train_step`` and a :class:`~thermal_keras.training.TrainingCheckpoint`
saves and restores it with the networks. Its image size is fixed when it is built.
"""

import keras
import tensorflow as tf
from keras import ops


@keras.saving.register_keras_serializable(package="thermal_keras")
class ImagePool(keras.layers.Layer):
    """History pool of ``pool_size`` images ``(H, W, C)``; ``pool_size=0`` passes images through.

    ``pool(images)``: ``(N, H, W, C)`` float -> ``(N, H, W, C)`` float32, a mix of ``images`` and
    stored ones, as in the module docstring. Call ``pool.build((N, H, W, C))`` (or call it once)
    before saving or restoring a checkpoint: that creates the storage.
    """

    def __init__(self, pool_size=50, seed=None, **kwargs):
        kwargs.setdefault("dtype", "float32")  # stored images stay float32 under mixed precision
        super().__init__(**kwargs)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ValueError(f"pool_size must be an int >= 0, got {pool_size!r}")
        self.pool_size = pool_size
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="pool_seed")

    def build(self, input_shape):
        height, width, channels = input_shape[1:]
        if None in (height, width, channels):
            raise ValueError(f"ImagePool needs a fixed image size, got input shape {input_shape}")
        self.images = self.add_weight(shape=(max(self.pool_size, 1), height, width, channels),
                                      initializer="zeros", trainable=False, name="images")
        self.num_stored = self.add_weight(shape=(), initializer="zeros", dtype="int32",
                                          trainable=False, name="num_stored")

    def _put(self, slot, image):
        # A one-hot blend rather than a scatter: the pool is small and this stays backend-neutral.
        is_slot = ops.arange(ops.shape(self.images)[0]) == slot
        self.images.assign(ops.where(is_slot[:, None, None, None], image[None], self.images))

    def _query_one(self, image, accept_draw, slot_draw):
        """Sequential rule for one ``(H, W, C)`` image; returns the image handed to D."""
        count = ops.convert_to_tensor(self.num_stored)

        def store():
            self._put(count, image)
            self.num_stored.assign(count + 1)
            return image

        def swap():
            old = ops.take(ops.convert_to_tensor(self.images), slot_draw, axis=0)
            self._put(slot_draw, image)
            return old

        def keep_or_swap():
            return ops.cond(accept_draw > 0.5, swap, lambda: image)

        return ops.cond(count < self.pool_size, store, keep_or_swap)

    def call(self, images):
        images = ops.cast(images, "float32")
        if self.pool_size == 0:
            return images
        batch = ops.shape(images)[0]
        accept = keras.random.uniform((batch,), seed=self.seed_generator)
        slots = keras.random.randint((batch,), 0, self.pool_size, seed=self.seed_generator)

        def body(index, chosen):
            picked = self._query_one(images[index], accept[index], slots[index])
            return index + 1, chosen.write(index, picked)

        chosen = tf.TensorArray("float32", size=batch, element_shape=images.shape[1:])
        _, chosen = tf.while_loop(lambda index, _: index < batch, body, (0, chosen))
        return chosen.stack()

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "seed": self.seed}
