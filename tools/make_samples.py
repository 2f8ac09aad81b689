"""Write the generated scientific samples into src/ndcodecs/samples/.

The arrays are deterministic: running this again gives the same files.
"""

import pathlib

import numpy

SAMPLES = pathlib.Path(__file__).parents[1] / 'src' / 'ndcodecs' / 'samples'


def microscopy16(shape=(512, 512), seed=1) -> numpy.ndarray:
    """Return a 12-bit fluorescence-like uint16 image: blobs, background, shot noise."""
    rng = numpy.random.default_rng(seed)
    y, x = numpy.mgrid[: shape[0], : shape[1]].astype(numpy.float64)
    signal = numpy.full(shape, 100.0)
    signal += 40 * numpy.exp(-((x - shape[1] / 2) ** 2 + (y - shape[0] / 2) ** 2) / (0.5 * shape[0] ** 2))
    for _ in range(60):
        cy, cx = rng.uniform(0, shape[0]), rng.uniform(0, shape[1])
        radius = rng.uniform(4, 18)
        brightness = rng.uniform(300, 3000)
        signal += brightness * numpy.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius**2))
    image = rng.poisson(signal) + rng.normal(0, 3, shape)
    return numpy.clip(image, 0, 4095).astype(numpy.uint16)


def field32(shape=(256, 256), seed=2) -> numpy.ndarray:
    """Return a smooth float32 field, like a simulated temperature or height map."""
    rng = numpy.random.default_rng(seed)
    y, x = numpy.mgrid[: shape[0], : shape[1]].astype(numpy.float64) / shape[0]
    field = 15 + 5 * numpy.sin(2 * numpy.pi * x) * numpy.cos(3 * numpy.pi * y)
    for _ in range(8):
        cy, cx, width = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.05, 0.2)
        field += rng.uniform(-4, 4) * numpy.exp(-((x - cx) ** 2 + (y - cy) ** 2) / width**2)
    return field.astype(numpy.float32)


def main() -> None:
    numpy.save(SAMPLES / 'microscopy16.npy', microscopy16())
    numpy.save(SAMPLES / 'field32.npy', field32())


if __name__ == '__main__':
    main()
