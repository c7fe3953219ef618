/* Attnscope's CPU kernels: work PyTorch would do in several passes over a large tensor, done in
 * one pass a row at a time while the row is in cache. Compiled on first use by
 * core/native/__init__.py (cc -O3 -march=native -fopenmp) and called through ctypes; every
 * kernel has a PyTorch reference in the caller, which the tests compare it with.
 *
 * Tensors arrive as raw pointers to contiguous row-major memory; bf16 is passed as uint16_t
 * (its bits) and converted here (fp32 = bits << 16; back with round-to-nearest-even). */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KERNELS_VERSION 1

int attnscope_kernels_version(void) { return KERNELS_VERSION; }

static inline float bf16_to_f32(uint16_t b) {
    union { uint32_t u; float f; } v;
    v.u = (uint32_t)b << 16;
    return v.f;
}

static inline uint16_t f32_to_bf16(float f) {
    union { uint32_t u; float f; } v;
    v.f = f;
    uint32_t rounding = ((v.u >> 16) & 1u) + 0x7FFFu;
    return (uint16_t)((v.u + rounding) >> 16);
}

/* exp(x) for x <= 0 (softmax's shifted logits) without a library call, so the loops vectorise:
 * 2^n · p(r), n = round(x / ln 2), r = x − n ln 2 in two parts, p a degree-6 polynomial
 * (relative error ~2e-7, as expf's). Below −87.3 the result is 0, as it underflows anyway. */
static inline float exp_nonpositive(float x) {
    const float lo = -87.33654f;
    float clamped = x < lo ? lo : x;
    /* round to nearest by adding and taking away 1.5 · 2^23 (vectorises; roundf may not) */
    const float shifter = 12582912.0f;
    float n = (clamped * 1.44269504088896341f + shifter) - shifter;
    float r = clamped - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    union { uint32_t u; float f; } scale;
    scale.u = (uint32_t)((int32_t)n + 127) << 23;
    float e = p * scale.f;
    return x < lo ? 0.0f : e;
}

/* One row of the label-smoothed cross-entropy and its gradient (core.model.loss._chunk):
 * z the logits (V), scratch V floats; writes exp(z − max) into scratch and returns the row's
 * softmax normaliser, max and the mean logit. */
static void row_softmax_parts(const float *z, int64_t vocab, float *scratch, float *max_out,
                              float *sum_out, float *mean_out) {
    float m = -INFINITY;
#pragma omp simd reduction(max : m)
    for (int64_t j = 0; j < vocab; j++) m = z[j] > m ? z[j] : m;
    float s = 0.0f, total = 0.0f;
#pragma omp simd reduction(+ : s, total)
    for (int64_t j = 0; j < vocab; j++) {
        float e = exp_nonpositive(z[j] - m);
        scratch[j] = e;
        s += e;
        total += z[j];
    }
    *max_out = m;
    *sum_out = s;
    *mean_out = total / (float)vocab;
}

/* The loss of `rows` rows of logits z (rows × vocab; fp32 when z_bf16 is 0, else bf16 bits)
 * against targets: per row, with p = softmax(z), nll = −log max(p[target], tiny),
 * loss = (1 − ε)·nll + ε·(z[target] + nll − mean z), both times keep[i]; and, where g is not
 * NULL, d loss / d z = keep·(p − ε/V) − keep·(1 − ε) at the target, written in z's dtype. */
void attnscope_smoothed_xent(const void *z, int z_bf16, int64_t rows, int64_t vocab,
                             const int64_t *targets, const float *keep, float smoothing,
                             float *loss_out, float *nll_out, void *g, int threads) {
    const float tiny = 1.17549435e-38f;
#pragma omp parallel num_threads(threads)
    {
        float *row = z_bf16 ? (float *)malloc(sizeof(float) * vocab) : NULL;
        float *scratch = (float *)malloc(sizeof(float) * vocab);
#pragma omp for schedule(static)
        for (int64_t i = 0; i < rows; i++) {
            const float *zr;
            if (z_bf16) {
                const uint16_t *src = (const uint16_t *)z + i * vocab;
                for (int64_t j = 0; j < vocab; j++) row[j] = bf16_to_f32(src[j]);
                zr = row;
            } else {
                zr = (const float *)z + i * vocab;
            }
            float m, s, mean;
            row_softmax_parts(zr, vocab, scratch, &m, &s, &mean);
            int64_t t = targets[i];
            float gold = zr[t];
            float p_gold = scratch[t] / s;
            float nll = -logf(p_gold > tiny ? p_gold : tiny);
            float lse = gold + nll;
            float k = keep[i];
            loss_out[i] = k * ((1.0f - smoothing) * nll + smoothing * (lse - mean));
            nll_out[i] = k * nll;
            if (g) {
                float scale = k / s, shift = k * (-smoothing / (float)vocab);
                float at_target = scratch[t] * scale + shift + k * (smoothing - 1.0f);
                if (z_bf16) {
                    uint16_t *out = (uint16_t *)g + i * vocab;
#pragma omp simd
                    for (int64_t j = 0; j < vocab; j++)
                        out[j] = f32_to_bf16(scratch[j] * scale + shift);
                    out[t] = f32_to_bf16(at_target);
                } else {
                    float *out = (float *)g + i * vocab;
#pragma omp simd
                    for (int64_t j = 0; j < vocab; j++) out[j] = scratch[j] * scale + shift;
                    out[t] = at_target;
                }
            }
        }
        free(row);
        free(scratch);
    }
}
