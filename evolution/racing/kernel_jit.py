"""The compiled race's numba code; imported by evolution.race_kernel, which explains the arithmetic.

Importing this module loads numba and compiles (or reads from numba's cache) the functions below.
"""

import numba
import numpy as np
from llvmlite import ir
from numba.core import types as nbtypes
from numba.extending import intrinsic


@intrinsic
def _call_unary_loop(typingctx, address, args, dims, steps, data):
    """Call numpy's inner loop at `address` (a ufunc loop: char **args, npy_intp *dims, *steps, void *)."""
    signature = nbtypes.void(nbtypes.int64, nbtypes.int64, nbtypes.int64, nbtypes.int64, nbtypes.int64)

    def codegen(context, builder, sig, values):
        bytes_pointer = ir.IntType(8).as_pointer()
        sizes_pointer = ir.IntType(64).as_pointer()
        loop_type = ir.FunctionType(
            ir.VoidType(), [bytes_pointer.as_pointer(), sizes_pointer, sizes_pointer, bytes_pointer]
        )
        loop = builder.inttoptr(values[0], loop_type.as_pointer())
        arguments = [
            builder.inttoptr(values[1], bytes_pointer.as_pointer()),
            builder.inttoptr(values[2], sizes_pointer),
            builder.inttoptr(values[3], sizes_pointer),
            builder.inttoptr(values[4], bytes_pointer),
        ]
        builder.call(loop, arguments)
        return context.get_dummy_value()

    return signature, codegen


_jit = numba.njit(cache=True, fastmath=False, error_model="numpy", nogil=True, boundscheck=False)


@_jit
def _exp_in_place(values, count, call, address, data):
    """values[:count] = np.exp(values[:count]) through numpy's own loop; call is an int64 scratch (5,)."""
    if count == 0:
        return
    pointer = values.ctypes.data
    call[0] = pointer  # args: input and output, the same buffer (numpy's in-place exp)
    call[1] = pointer
    call[2] = count  # dimensions
    call[3] = 8  # steps: float64, contiguous
    call[4] = 8
    base = call.ctypes.data
    _call_unary_loop(address, base, base + 16, base + 24, data)


@_jit
def exp_vector(values, address, data):
    """np.exp of a whole vector, in place, through the loop the kernel uses (for the check at load)."""
    call = np.empty(5, np.int64)
    _exp_in_place(values, values.size, call, address, data)


@_jit
def _lane_step(lane0, lane1, products, first, count, last, added):
    """One step of numpy's two-lane sum: the terms first (and first + 1) added into the lanes."""
    term0 = products[first * count : first * count + count]
    if first + 1 < last:
        term1 = products[(first + 1) * count : (first + 1) * count + count]
        for slot in range(count):
            lane0[slot] = term0[slot] + lane0[slot]
            lane1[slot] = term1[slot] + lane1[slot]
    else:  # an odd last term joins lane 0; lane 1 is copied when it was still a term (+ 0.0)
        for slot in range(count):
            lane0[slot] = term0[slot] + lane0[slot]
        if added == 0:
            for slot in range(count):
                lane1[slot] = lane1[slot] + 0.0


@_jit
def _two_lane_rows(products, terms, count, lane0, lane1, out):
    """out[:count] = each slot's sum of its `terms` products (rows of products, `count` apart), added
    as numpy's two-lane dot kernel adds them (network._two_lane_plan)."""
    if terms == 1:
        for slot in range(count):
            out[slot] = products[slot] + 0.0
        return
    blocks = terms // 8 * 8
    first = 6 if blocks else 0
    lane0[:count] = products[first * count : first * count + count]
    lane1[:count] = products[(first + 1) * count : (first + 1) * count + count]
    added = 0
    for block in range(0, blocks, 8):
        for pair in (6, 4, 2, 0):
            if block or pair != 6:
                _lane_step(lane0, lane1, products, block + pair, count, terms, added)
                added += 1
    for index in range(blocks if blocks else 2, terms, 2):
        _lane_step(lane0, lane1, products, index, count, terms, added)
        added += 1
    for slot in range(count):
        out[slot] = lane0[slot] + lane1[slot]


@_jit
def _two_lane_sum(terms, count):
    """The sum of terms[:count] as numpy's two-lane dot kernel forms it, for one dot (see _two_lane_rows)."""
    if count == 1:
        return terms[0] + 0.0
    blocks = count // 8 * 8
    first = 6 if blocks else 0
    lane0 = terms[first]
    lane1 = terms[first + 1]
    added = 0
    for block in range(0, blocks, 8):
        for pair in (6, 4, 2, 0):
            if block or pair != 6:
                lane0 = terms[block + pair] + lane0
                lane1 = terms[block + pair + 1] + lane1
                added += 1
    for index in range(blocks if blocks else 2, count, 2):
        lane0 = terms[index] + lane0
        if index + 1 < count:
            lane1 = terms[index + 1] + lane1
        elif added == 0:  # an odd last term joins lane 0; lane 1 is copied when it was still a term
            lane1 = lane1 + 0.0
        added += 1
    return lane0 + lane1


@_jit
def _race_block(
    layers, weights, first, size, ids, p, v, margins, lanes, tables, start, stop, scores, alive,
    final_p, final_v, margin_sum, paths, trail, safety, values, products, call, address, data,
):  # fmt: skip
    """Race the dots in slots first .. first+size-1 from column start to stop (or until all are out).

    Survivors are packed to the block's front in their order; returns (survivors, last crash column).
    A layer's values are rows `count` apart in `values`; products holds a two-lane layer's terms, then
    its two lanes."""
    inputs = layers[0]
    depth = layers.size - 1
    last_crash = -1
    count = size
    out = np.zeros(size, np.bool_)
    for column in range(start, stop):
        if count == 0:
            break
        end = first + count
        # sensing: row 0 the speed, then the distances to both barriers at each sensor
        values[:count] = v[first:end]
        here_p = p[first:end]
        here_lanes = lanes[first:end]
        for sensor in range(inputs - 1):
            row = values[(sensor + 1) * count : (sensor + 2) * count]
            for slot in range(count):
                row[slot] = here_p[slot] - tables[here_lanes[slot], column, sensor]
        offset = 0  # of the layer's weights in a genome
        here = 0  # of the layer's values in `values`
        for layer in range(depth):
            a = layers[layer]
            b = layers[layer + 1]
            there = here + a * count
            if b == 1 and (layer > 0 or count == 1) and count < 8:  # a few dots: one at a time
                for slot in range(count):
                    dot = first + slot
                    for i in range(a):
                        products[i] = values[here + i * count + slot] * weights[offset + i, dot]
                    values[there + slot] = _two_lane_sum(products, a) + weights[offset + a, dot]
            elif b == 1 and (layer > 0 or count == 1):
                # numpy's two lanes (network._two_lane_plan); the bias is added after
                for i in range(a):
                    source = values[here + i * count : here + (i + 1) * count]
                    weight = weights[offset + i, first:end]
                    target = products[i * count : (i + 1) * count]
                    for slot in range(count):
                        target[slot] = source[slot] * weight[slot]
                lanes_at = a * count
                result = values[there : there + count]
                _two_lane_rows(
                    products, a, count, products[lanes_at : lanes_at + count],
                    products[lanes_at + count : lanes_at + 2 * count], result,
                )  # fmt: skip
                bias = weights[offset + a, first:end]
                for slot in range(count):
                    result[slot] = result[slot] + bias[slot]
            elif count < 8:  # a few dots (a test drive): plain loops, the same sums in the same order
                for slot in range(count):
                    dot = first + slot
                    for k in range(b):
                        added = 0.0
                        for i in range(a):
                            added = added + values[here + i * count + slot] * weights[offset + i * b + k, dot]
                        values[there + k * count + slot] = added + 1.0 * weights[offset + a * b + k, dot]
            else:
                for k in range(b):
                    target = values[there + k * count : there + (k + 1) * count]
                    for slot in range(count):
                        target[slot] = 0.0
                    for i in range(a):
                        source = values[here + i * count : here + (i + 1) * count]
                        weight = weights[offset + i * b + k, first:end]
                        for slot in range(count):
                            target[slot] = target[slot] + source[slot] * weight[slot]
                    bias = weights[offset + a * b + k, first:end]
                    for slot in range(count):
                        target[slot] = target[slot] + 1.0 * bias[slot]
            total = b * count
            layer_values = values[there : there + total]
            _exp_in_place(layer_values, total, call, address, data)
            for j in range(total):
                layer_values[j] = 1.0 / (1.0 + layer_values[j])
            offset += a * b + b
            here = there
        # the physics, the bookkeeping and the crash check, as Race._advance
        crashed = 0
        for slot in range(count):
            dot = first + slot
            force = values[here + slot] - 0.5
            position = p[dot] + v[dot] * 0.5
            speed = v[dot] + force
            position = position + speed * 0.5
            p[dot] = position
            v[dot] = speed
            top = tables[lanes[dot], column, inputs - 1]
            bottom = tables[lanes[dot], column, inputs]
            if safety:
                above = top - position
                below = position - bottom
                margin = above if (above <= below or above != above) else below  # np.minimum
                margin = margin if (margin >= 0.0 or margin != margin) else 0.0  # np.maximum
                margins[dot] = margins[dot] + margin
            if paths.shape[0]:
                paths[column + 1, ids[dot]] = position
            if trail.shape[0]:
                trail[(column + 1) % trail.shape[0], ids[dot]] = np.float32(position)
            out[slot] = position > top or position < bottom
            crashed += out[slot]
        if crashed:
            last_crash = column
            kept = 0
            for slot in range(count):
                dot = first + slot
                if out[slot]:
                    index = ids[dot]
                    scores[index] = column
                    alive[index] = False
                    final_p[index] = p[dot]
                    final_v[index] = v[dot]
                    if safety:
                        margin_sum[index] = margins[dot]
                    continue
                if kept != slot:
                    _move(weights, ids, p, v, margins, lanes, dot, first + kept)
                kept += 1
            count = kept
    return count, last_crash


@_jit
def _move(weights, ids, p, v, margins, lanes, source, target):
    """Move one dot's state from slot source to slot target."""
    for j in range(weights.shape[0]):
        weights[j, target] = weights[j, source]
    ids[target] = ids[source]
    p[target] = p[source]
    v[target] = v[source]
    margins[target] = margins[source]
    lanes[target] = lanes[source]


@_jit
def race_columns(
    layers, weights, count, ids, p, v, margins, lanes, tables, start, stop, scores, alive,
    final_p, final_v, margin_sum, paths, trail, safety, block, address, data,
):  # fmt: skip
    """Race the `count` dots in slots 0..count-1 from column start to stop, block by block.

    weights (D, capacity) are the genomes negated and transposed, slot by slot; ids, p, v, margins and
    lanes (capacity,) each slot's dot, position, speed, sum of margins and track; tables (tracks, finish,
    inputs + 1): what a dot reads at each column, the sensors then the column's top and bottom barrier.
    A dot out at column i gets scores[dot] = i, alive[dot] = False and its final position, speed and
    (with safety) margin_sum; paths (finish + 1, P) and trail (L, P) are written where not empty.
    Survivors are packed into the first slots, in order. Returns (survivors, last crash column or -1)."""
    width = 0
    for layer in range(layers.size):
        width = max(width, layers[layer])
    values = np.empty(block * layers.sum())
    products = np.empty(block * (width + 2))
    call = np.empty(5, np.int64)
    survivors = 0
    last_crash = -1
    for first in range(0, count, block):
        size = min(block, count - first)
        kept, crash = _race_block(
            layers, weights, first, size, ids, p, v, margins, lanes, tables, start, stop, scores, alive,
            final_p, final_v, margin_sum, paths, trail, safety, values, products, call, address, data,
        )  # fmt: skip
        last_crash = max(last_crash, crash)
        for slot in range(kept):
            if survivors + slot != first + slot:
                _move(weights, ids, p, v, margins, lanes, first + slot, survivors + slot)
        survivors += kept
    return survivors, last_crash
