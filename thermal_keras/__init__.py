"""thermal-keras: Keras 3 GAN image translation for thermal imaging.

Conventions (see README): channels-last ``(batch, height, width, channels)``, RGB with 3 channels,
thermal with 1 channel, every image inside a model in ``[-1, 1]``.
"""

__version__ = "0.1.0"
