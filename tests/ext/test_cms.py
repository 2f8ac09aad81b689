"""Color management through lcms2: transforms between sRGB, Adobe RGB, gray,
Lab and XYZ for uint8, uint16, float32 and float64 against imagecodecs,
profile creation and validation, bad input, threads and the GIL.
"""

import numpy
import pytest

import ndcodecs
from ndcodecs import CMS, CmsError, cms_check, cms_profile, cms_profile_validate, cms_transform, cms_version
from common import assert_releases_gil, run_in_threads

SCALE = {'u1': 1, 'u2': 257, 'f4': 1 / 255, 'f8': 1 / 255}


def rgb(dtype, shape=(31, 17, 3), seed=0):
    data = numpy.random.default_rng(seed).integers(0, 256, shape).astype('f8')
    return (data * SCALE[dtype]).astype(dtype)


def test_names():
    assert CMS.available and CMS.INTENT.PERCEPTUAL == 0 and CMS.PT.LAB == 10
    assert CMS.FLAGS.COPY_ALPHA == 0x04000000
    assert cms_version().startswith('lcms2 2.')
    assert cms_check(cms_profile('srgb'))
    assert not cms_check(b'') and not cms_check(bytes(64))
    codec = ndcodecs.get_codec('cms')
    assert codec.kind == 'array' and codec.available


@pytest.mark.parametrize('name', ['srgb', 'adobergb', 'rgb', 'gray', 'lab2', 'lab4', 'xyz', 'null'])
def test_profiles(name):
    profile = cms_profile(name)
    assert isinstance(profile, bytes) and profile[36:40] == b'acsp'
    cms_profile_validate(profile)
    assert cms_profile(profile) == profile


def test_profile_parameters():
    custom = cms_profile('rgb', whitepoint=(0.3457, 0.3585), primaries=(0.64, 0.33, 0.3, 0.6, 0.15, 0.06), gamma=1.0)
    linear = cms_profile('rgb', primaries=(0.64, 0.33, 1, 0.3, 0.6, 1, 0.15, 0.06, 1), transferfunction=numpy.linspace(0, 1, 256))
    for profile in (custom, linear, cms_profile('gray', gamma=1.8)):
        cms_profile_validate(profile)
    data = rgb('u1')
    # a linear transfer function brightens dark sRGB values
    result = cms_transform(data, cms_profile('srgb'), linear)
    assert result[data.sum(-1) < 150].mean() < data[data.sum(-1) < 150].mean()
    with pytest.raises(ValueError):
        cms_profile('rgb', primaries=(1, 2, 3))
    with pytest.raises(ValueError):
        cms_profile('rgb', whitepoint=(1,))
    with pytest.raises(ValueError):
        cms_profile('no-such-profile')


CASES = [
    ('srgb', 'adobergb', 'rgb', 'rgb', None),
    ('srgb', 'lab2', 'rgb', 'lab', None),
    ('srgb', 'lab4', 'rgb', 'lab', None),
    ('srgb', 'lab4', 'rgb', 'lab', 'f4'),
    ('srgb', 'xyz', 'rgb', 'xyz', None),
    ('srgb', 'xyz', 'rgb', 'xyz', 'f8'),
    ('srgb', 'srgb', 'rgb', 'rgb', 'u2'),
    ('srgb', 'srgb', 'bgr', 'rgb', None),
]


@pytest.mark.parametrize('dtype', ['u1', 'u2', 'f4', 'f8'])
@pytest.mark.parametrize('case', CASES, ids=lambda c: f'{c[0]}-{c[1]}-{c[4]}')
def test_imagecodecs_parity(case, dtype):
    """With the same profiles, results equal imagecodecs' exactly."""
    imagecodecs = pytest.importorskip('imagecodecs')
    profile, outprofile, colorspace, outcolorspace, outdtype = case
    profile, outprofile = imagecodecs.cms_profile(profile), imagecodecs.cms_profile(outprofile)
    data = rgb(dtype)
    kwargs = dict(colorspace=colorspace, outcolorspace=outcolorspace, outdtype=outdtype)
    expected = imagecodecs.cms_transform(data, profile, outprofile, **kwargs)
    result = cms_transform(data, profile, outprofile, **kwargs)
    assert result.dtype == expected.dtype and result.shape == expected.shape
    numpy.testing.assert_array_equal(result, expected)


def test_imagecodecs_parity_layouts():
    imagecodecs = pytest.importorskip('imagecodecs')
    srgb, adobe = imagecodecs.cms_profile('srgb'), imagecodecs.cms_profile('adobergb')
    data = rgb('u1')
    planar = numpy.moveaxis(data, -1, 0).copy()
    for args, kwargs in [
        ((planar, srgb, adobe), dict(colorspace='rgb', outcolorspace='rgb', planar=True)),
        ((planar, srgb, adobe), dict(colorspace='rgb', outcolorspace='rgb', planar=True, outplanar=False)),
        ((data.reshape(31, 1, 17, 3), srgb, adobe), dict(colorspace='rgb', outcolorspace='rgb')),
        ((data, srgb, adobe), dict(colorspace='rgb', outcolorspace='rgb', intent=CMS.INTENT.ABSOLUTE_COLORIMETRIC, flags=CMS.FLAGS.BLACKPOINTCOMPENSATION)),
    ]:
        numpy.testing.assert_array_equal(cms_transform(*args, **kwargs), imagecodecs.cms_transform(*args, **kwargs))
    # color channels with alpha match; alpha is copied here (imagecodecs leaves it undefined)
    rgba = numpy.dstack([data, data[..., :1]])
    result = cms_transform(rgba, srgb, adobe, colorspace='rgba', outcolorspace='rgba')
    expected = imagecodecs.cms_transform(rgba, srgb, adobe, colorspace='rgba', outcolorspace='rgba')
    numpy.testing.assert_array_equal(result[..., :3], expected[..., :3])
    numpy.testing.assert_array_equal(result[..., 3], rgba[..., 3])


def test_own_profiles_close_to_imagecodecs():
    """Our sRGB, Lab and XYZ profiles transform as imagecodecs' do; our
    Adobe RGB is built from its primaries and gamma, within a few LSB."""
    imagecodecs = pytest.importorskip('imagecodecs')
    data = rgb('u1')
    for name, tolerance in [('srgb', 0), ('lab2', 0), ('xyz', 0), ('adobergb', 10)]:
        kwargs = dict(colorspace='rgb', outcolorspace={'lab2': 'lab', 'xyz': 'xyz'}.get(name, 'rgb'))
        ours = cms_transform(data, cms_profile('srgb'), cms_profile(name), **kwargs)
        theirs = imagecodecs.cms_transform(data, imagecodecs.cms_profile('srgb'), imagecodecs.cms_profile(name), **kwargs)
        assert numpy.abs(ours.astype(int) - theirs).max() <= tolerance, name


def test_defaults_and_gray():
    srgb, gray = cms_profile('srgb'), cms_profile('gray')
    data = rgb('u1')
    # colorspaces default to the profiles' color spaces
    numpy.testing.assert_array_equal(cms_transform(data, srgb, srgb), data)
    out = cms_transform(data, srgb, gray)
    assert out.shape == (31, 17) and out.dtype == numpy.uint8
    back = cms_transform(out, gray, srgb)
    assert back.shape == (31, 17, 3)
    assert (back[..., 0] == back[..., 1]).all()
    rgba = numpy.dstack([data, data[..., :1]])
    result = cms_transform(rgba, srgb, srgb)
    numpy.testing.assert_array_equal(result, rgba)
    # Lab round trip in float64 is near lossless
    lab = cms_transform(data.astype('f8') / 255, srgb, cms_profile('lab4'), outdtype='f8')
    assert 0 <= lab[..., 0].min() and lab[..., 0].max() <= 100
    again = cms_transform(lab, cms_profile('lab4'), srgb, outdtype='u1')
    assert numpy.abs(again.astype(int) - data).max() <= 1


def test_out_and_arguments():
    srgb, adobe = cms_profile('srgb'), cms_profile('adobergb')
    data = rgb('u2')
    expected = cms_transform(data, srgb, adobe)
    out = numpy.empty_like(data)
    assert cms_transform(data, srgb, adobe, out=out) is out
    numpy.testing.assert_array_equal(out, expected)
    numpy.testing.assert_array_equal(cms_transform(numpy.asfortranarray(data), srgb, adobe), expected)
    with pytest.raises(ValueError):
        cms_transform(data, srgb, adobe, out=numpy.empty((2, 2, 3), 'u2'))
    with pytest.raises(ValueError):
        cms_transform(data[..., :2], srgb, adobe, colorspace='rgb')
    with pytest.raises(ValueError):
        cms_transform(data, srgb, adobe, colorspace='nonsense')
    with pytest.raises(ValueError):
        cms_transform(data.astype('i4'), srgb, adobe)
    with pytest.raises(ValueError):
        cms_transform(data[0, :, 0], srgb, adobe)
    for bad in ('text', None, b'bytes'):
        with pytest.raises(TypeError):
            cms_transform(bad, srgb, adobe)
    with pytest.raises(TypeError):
        cms_transform(data, srgb, adobe, intent='perceptual')
    with pytest.raises(TypeError):
        cms_profile_validate('srgb')


def test_bad_profiles():
    srgb = cms_profile('srgb')
    for bad in (b'', b'abc', bytes(200), srgb[:100], srgb[:200], b'x' * 40 + b'acsp' + bytes(200)):
        with pytest.raises(CmsError):
            cms_profile_validate(bad)
        with pytest.raises(CmsError):
            cms_transform(rgb('u1'), bad, srgb)
    # lcms2's own message reaches the error
    with pytest.raises(CmsError, match='cmsOpenProfileFromMemTHR failed: .+'):
        cms_profile_validate(bytes(128) + srgb[128:])
    # an incompatible pair of profiles
    with pytest.raises(CmsError, match='cmsCreateTransformTHR'):
        cms_transform(rgb('u1'), srgb, cms_profile('null'), colorspace='rgb', outcolorspace='cmyk')
    rng = numpy.random.default_rng(1)
    for _ in range(300):
        data = bytearray(srgb)
        for _ in range(rng.integers(1, 8)):
            data[rng.integers(0, len(data))] = rng.integers(0, 256)
        try:
            cms_transform(rgb('u1', (4, 4, 3)), bytes(data), srgb)
        except (CmsError, ValueError):
            pass


def test_threads():
    """Four threads transform (and fail on bad profiles) as one does."""
    srgb, adobe, lab = cms_profile('srgb'), cms_profile('adobergb'), cms_profile('lab4')
    inputs = [rgb('u2', (128, 128, 3), i) for i in range(4)]
    expected = [(cms_transform(d, srgb, adobe), cms_transform(d, srgb, lab, outdtype='f4')) for d in inputs]
    errors = []

    def work(i):
        for _ in range(10):
            result = (cms_transform(inputs[i], srgb, adobe), cms_transform(inputs[i], srgb, lab, outdtype='f4'))
            try:
                cms_profile_validate(bytes(128) + srgb[128:])
            except CmsError as exc:
                errors.append(str(exc))
        return result

    results = run_in_threads(work)
    for (a, b), (c, d) in zip(results, expected):
        numpy.testing.assert_array_equal(a, c)
        numpy.testing.assert_array_equal(b, d)
    assert len(errors) == 40 and len(set(errors)) == 1


def test_releases_gil():
    data = rgb('f4', (1500, 1500, 3))
    srgb, lab = cms_profile('srgb'), cms_profile('lab4')
    assert_releases_gil(lambda: cms_transform(data, srgb, lab, flags=CMS.FLAGS.NOOPTIMIZE), too_fast='skip')
