"""The convolution primitives: values against a direct loop over output positions and taps,
gradients by the shared check (`tests/ops/gradcheck.py`) for every code path (padding,
strides, dilation, groups, rank, fused activation), and Keras's output sizes."""

import itertools

import numpy as np
import pytest

from minikeras.ops import nn
from minikeras.ops.nn.conv import conv_geometry, conv_transpose_geometry
from tests.ops.gradcheck import check_grads


def reference_conv(x, kernel, strides, dilation, pads, groups=1):
    """The definition, one output position and one tap at a time (float64)."""
    rank = kernel.ndim - 2
    x = np.pad(x, [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)])
    cg, cout = kernel.shape[-2], kernel.shape[-1]
    og = cout // groups
    k_eff = [(k - 1) * d + 1 for k, d in zip(kernel.shape[:rank], dilation)]
    out_sp = [(x.shape[1 + i] - k_eff[i]) // strides[i] + 1 for i in range(rank)]
    out = np.zeros((x.shape[0], *out_sp, cout))
    for o in itertools.product(*map(range, out_sp)):
        for t in itertools.product(*map(range, kernel.shape[:rank])):
            pos = tuple(oi * s + ti * d for oi, ti, s, d in zip(o, t, strides, dilation))
            for grp in range(groups):
                xs = x[(slice(None),) + pos + (slice(grp * cg, (grp + 1) * cg),)]
                out[(slice(None),) + o + (slice(grp * og, (grp + 1) * og),)] += \
                    xs @ kernel[t][:, grp * og:(grp + 1) * og]
    return out


def reference_conv_transpose(y, kernel, geo):
    """The transposed convolution as the adjoint of the convolution `geo` describes."""
    n, c = y.shape[0], kernel.shape[-2]
    k_eff = [(k - 1) * d + 1 for k, d in zip(geo.kernel, geo.dilation)]
    padded = [max(p + s, (o - 1) * st + k) for p, s, o, st, k in
              zip(geo.pad, geo.in_spatial, geo.out_spatial, geo.strides, k_eff)]
    out = np.zeros((n, *padded, c))
    for o in itertools.product(*map(range, geo.out_spatial)):
        for t in itertools.product(*map(range, geo.kernel)):
            pos = tuple(oi * s + ti * d for oi, ti, s, d in zip(o, t, geo.strides, geo.dilation))
            out[(slice(None),) + pos] += y[(slice(None),) + o] @ kernel[t].T
    crop = tuple(slice(p, p + s) for p, s in zip(geo.pad, geo.in_spatial))
    return out[(slice(None),) + crop + (slice(None),)]


CASES = [
    # rank, spatial, kernel, strides, dilation, padding, groups
    (1, (7,), (3,), (1,), (1,), "valid", 1),
    (1, (8,), (3,), (2,), (1,), "same", 1),
    (1, (7,), (3,), (1,), (2,), "causal", 1),
    (2, (5, 6), (3, 2), (1, 1), (1, 1), "valid", 1),
    (2, (6, 7), (3, 3), (2, 2), (1, 1), "same", 1),
    (2, (5, 5), (2, 2), (2, 1), (1, 1), "same", 1),
    (2, (7, 6), (3, 2), (1, 1), (2, 2), "same", 1),
    (2, (6, 5), (3, 3), (1, 1), (2, 1), "valid", 1),
    (2, (5, 6), (3, 3), (1, 1), (1, 1), "same", 2),
    (2, (5, 5), (3, 3), (2, 2), (1, 1), "valid", 4),  # depthwise: groups == channels
    (3, (4, 5, 4), (2, 3, 2), (1, 2, 1), (1, 1, 1), "same", 1),
    (3, (5, 4, 4), (2, 2, 2), (1, 1, 1), (2, 1, 1), "valid", 2),
]


def _case(rank, spatial, kernel, groups, rng, cin=4, cout=4):
    x = rng.normal(size=(2, *spatial, cin))
    k = rng.normal(size=(*kernel, cin // groups, cout))
    b = rng.normal(size=cout)
    return x, k, b


@pytest.mark.parametrize("rank,spatial,kernel,strides,dilation,padding,groups", CASES)
def test_conv_values_match_the_definition(rank, spatial, kernel, strides, dilation, padding,
                                          groups):
    rng = np.random.default_rng(0)
    x, k, b = _case(rank, spatial, kernel, groups, rng)
    geo = conv_geometry(spatial, kernel, strides, dilation, padding)
    pads = [(lo, (o - 1) * st + (kk - 1) * d + 1 - s - lo) for lo, o, st, kk, d, s in
            zip(geo.pad, geo.out_spatial, strides, kernel, dilation, spatial)]
    pads = [(lo, max(hi, 0)) for lo, hi in pads]
    expected = reference_conv(x, k, strides, dilation, pads, groups) + b
    out = nn.conv(x, k, b, strides=strides, padding=padding, dilation_rate=dilation,
                  groups=groups)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("rank,spatial,kernel,strides,dilation,padding,groups", CASES)
def test_conv_gradients(rank, spatial, kernel, strides, dilation, padding, groups):
    rng = np.random.default_rng(1)
    x, k, b = _case(rank, spatial, kernel, groups, rng, cin=4, cout=2 if groups < 4 else 4)
    check_grads(nn.conv, x, k, b, strides=strides, padding=padding, dilation_rate=dilation,
                groups=groups, max_entries=60 if rank == 3 else None)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_conv_with_a_fused_activation(activation):
    rng = np.random.default_rng(2)
    x, k, b = _case(2, (5, 5), (3, 3), 1, rng)
    z = nn.conv(x, k, b, padding="same")
    assert np.abs(z).min() > 1e-4  # nothing on relu's kink
    expected = {"relu": np.maximum(z, 0), "sigmoid": 1 / (1 + np.exp(-z)),
                "tanh": np.tanh(z)}[activation]
    np.testing.assert_allclose(nn.conv(x, k, b, padding="same", activation=activation),
                               expected, rtol=1e-12)
    check_grads(nn.conv, x, k, b, padding="same", activation=activation)


def test_conv_without_bias_and_only_some_arguments():
    rng = np.random.default_rng(3)
    x, k, _ = _case(2, (4, 5), (2, 2), 1, rng)
    check_grads(nn.conv, x, k, strides=2, argnums=[1])
    check_grads(nn.conv, x, k, dilation_rate=2, argnums=[0])


TRANSPOSE_CASES = [
    # spatial, kernel, strides, dilation, padding, output_padding
    ((4,), (3,), (2,), (1,), "valid", None),
    ((5,), (3,), (1,), (2,), "same", None),
    ((3, 4), (3, 3), (2, 2), (1, 1), "same", None),
    ((3, 4), (3, 2), (2, 3), (1, 1), "valid", None),
    ((3, 3), (2, 2), (3, 3), (1, 1), "valid", None),  # stride > kernel: gaps in the output
    ((3, 4), (3, 3), (2, 2), (1, 1), "same", (1, 0)),
    ((4, 3), (3, 3), (2, 2), (1, 1), "valid", (1, 1)),
    ((3, 3), (3, 3), (1, 1), (2, 2), "valid", None),
    ((2, 3, 2), (2, 2, 3), (2, 1, 2), (1, 1, 1), "same", None),
]


@pytest.mark.parametrize("spatial,kernel,strides,dilation,padding,output_padding",
                         TRANSPOSE_CASES)
def test_conv_transpose_is_the_adjoint_of_a_conv(spatial, kernel, strides, dilation, padding,
                                                 output_padding):
    rng = np.random.default_rng(4)
    y = rng.normal(size=(2, *spatial, 3))
    k = rng.normal(size=(*kernel, 2, 3))  # (…, out, in)
    b = rng.normal(size=2)
    geo = conv_transpose_geometry(spatial, kernel, strides, dilation, padding, output_padding)
    out = nn.conv_transpose(y, k, b, strides=strides, padding=padding,
                            output_padding=output_padding, dilation_rate=dilation)
    np.testing.assert_allclose(out, reference_conv_transpose(y, k, geo) + b, rtol=1e-10,
                               atol=1e-10)
    check_grads(nn.conv_transpose, y, k, b, strides=strides, padding=padding,
                output_padding=output_padding, dilation_rate=dilation,
                max_entries=60 if len(spatial) == 3 else None)


@pytest.mark.parametrize("size,kernel,stride,padding,output_padding,expected", [
    # Keras's rule (keras/src/backend/common/backend_utils.py), checked by hand.
    (4, 3, 2, "valid", None, 9),   # (4 - 1) * 2 + max(3, 2)
    (4, 2, 3, "valid", None, 12),  # (4 - 1) * 3 + max(2, 3)
    (4, 3, 2, "same", None, 8),    # 4 * 2
    (4, 3, 2, "same", 1, 8),       # (4 - 1) * 2 + 3 % 2 + 1
    (4, 3, 2, "valid", 1, 10),     # (4 - 1) * 2 + 3 + 1
])
def test_conv_transpose_output_sizes(size, kernel, stride, padding, output_padding, expected):
    geo = conv_transpose_geometry((size,), (kernel,), stride, 1, padding, output_padding)
    assert geo.in_spatial == (expected,) and geo.out_spatial == (size,)


@pytest.mark.parametrize("size,kernel,stride,dilation,padding,expected,pad", [
    (28, 3, 1, 1, "valid", 26, 0),
    (28, 3, 2, 1, "same", 14, 0),   # total padding 1: all of it after, as TensorFlow
    (7, 3, 2, 1, "same", 4, 1),
    (7, 3, 1, 2, "same", 7, 2),
    (7, 3, 1, 2, "causal", 7, 4),
    (7, 3, 1, 3, "valid", 1, 0),
])
def test_conv_output_sizes_and_padding(size, kernel, stride, dilation, padding, expected, pad):
    geo = conv_geometry((size,), (kernel,), stride, dilation, padding)
    assert geo.out_spatial == (expected,) and geo.pad == (pad,)


def test_a_kernel_larger_than_a_valid_input_is_a_value_error():
    with pytest.raises(ValueError, match=r"output would be empty: input spatial shape \(2, 5\)"):
        nn.conv(np.ones((1, 2, 5, 1)), np.ones((3, 3, 1, 1)))


def test_wrong_rank_and_channels_are_value_errors():
    with pytest.raises(ValueError, match=r"expects an input of rank 4.*shape \(2, 5, 1\)"):
        nn.conv(np.ones((2, 5, 1)), np.ones((3, 3, 1, 1)))
    with pytest.raises(ValueError, match="the input has 3 channels"):
        nn.conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 2, 1)))


def test_float32_in_float32_out_and_inputs_untouched():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 6, 6, 3)).astype(np.float32)
    k = rng.normal(size=(3, 3, 3, 4)).astype(np.float32)
    x0, k0 = x.copy(), k.copy()
    out = nn.conv(x, k, padding="same", activation="relu")
    assert out.dtype == np.float32
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(k, k0)


@pytest.fixture
def split_everything(monkeypatch):
    """Every convolution, however small, runs on two threads over batch halves."""
    from minikeras.ops.nn import batch_split

    monkeypatch.setattr(batch_split, "MIN_WORK", 0)
    monkeypatch.setattr(batch_split, "THREADS", 2)


@pytest.mark.parametrize("case", [CASES[1], CASES[6], CASES[8], CASES[9], CASES[10]])
def test_batch_halves_on_two_threads_give_the_same_values_and_gradients(case, split_everything):
    rank, spatial, kernel, strides, dilation, padding, groups = case
    rng = np.random.default_rng(6)
    x, k, b = _case(rank, spatial, kernel, groups, rng, cin=4, cout=4)
    x = np.concatenate([x, x[:1] * 0.5])  # an odd batch: halves of 2 and 1
    kwargs = dict(strides=strides, padding=padding, dilation_rate=dilation, groups=groups)
    geo = conv_geometry(spatial, kernel, strides, dilation, padding)
    pads = [(lo, max((o - 1) * st + (kk - 1) * d + 1 - s - lo, 0)) for lo, o, st, kk, d, s in
            zip(geo.pad, geo.out_spatial, strides, kernel, dilation, spatial)]
    np.testing.assert_allclose(nn.conv(x, k, b, **kwargs),
                               reference_conv(x, k, strides, dilation, pads, groups) + b,
                               rtol=1e-10, atol=1e-10)
    check_grads(nn.conv, x, k, b, activation="tanh", max_entries=40, **kwargs)


def test_transposed_convolution_on_two_threads(split_everything):
    spatial, kernel, strides, dilation, padding, output_padding = TRANSPOSE_CASES[2]
    rng = np.random.default_rng(7)
    y, k = rng.normal(size=(3, *spatial, 3)), rng.normal(size=(*kernel, 2, 3))
    geo = conv_transpose_geometry(spatial, kernel, strides, dilation, padding, output_padding)
    np.testing.assert_allclose(nn.conv_transpose(y, k, strides=strides, padding=padding),
                               reference_conv_transpose(y, k, geo), rtol=1e-10, atol=1e-10)
    check_grads(nn.conv_transpose, y, k, strides=strides, padding=padding)
