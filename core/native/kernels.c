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

#define KERNELS_VERSION 3

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
    /* n = t rounded to the nearest integer by adding and taking away 1.5 · 2^23 (vectorises;
     * roundf and floorf do not). Under another rounding mode n could be off by one, which
     * widens r to ±ln 2 and costs at most 1.5e-5 of relative accuracy, never a wrong scale */
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

/* exp(x) for any x, through exp_nonpositive: e^x = 1 / e^−x for x > 0 (x clamped to ±80, so
 * the sigmoid below never reaches fp32's denormals, which are slow). */
static inline float sigmoid(float x) {
    float c = x > 80.0f ? 80.0f : (x < -80.0f ? -80.0f : x);
    float e = exp_nonpositive(c > 0 ? -c : c); /* e^−|c| in (0, 1] */
    /* σ(c) = 1 / (1 + e^−c): for c ≥ 0 that is 1 / (1 + e), for c < 0 it is e / (1 + e) */
    float num = c > 0 ? 1.0f : e;
    return num / (1.0f + e);
}

static inline float load(const void *p, int bf16, int64_t i) {
    return bf16 ? bf16_to_f32(((const uint16_t *)p)[i]) : ((const float *)p)[i];
}

static inline void store(void *p, int bf16, int64_t i, float v) {
    if (bf16)
        ((uint16_t *)p)[i] = f32_to_bf16(v);
    else
        ((float *)p)[i] = v;
}

/* One decoder step's additive attention (core.model.recurrence, forward): for each sentence b
 * and source position s, e = σ(keys2[b, s] + q2[b]) (A values, written to energies in their
 * dtype), score = e · v2 (e as stored), the softmax of the scores over the real positions
 * (mask 1) → alpha[b] (0 at padding), and context[b] = Σ_s alpha · values[b, s] (alpha rounded to
 * values' dtype first, as a bf16 product would take it; the sum in fp32, stored in values'
 * dtype). Row strides in elements for the views into whole-sequence tensors. */
void attnscope_attention_forward(int64_t batch, int64_t src, int64_t size, int64_t dim,
                                 const float *keys2, const float *q2, int64_t q2_stride,
                                 const float *v2, const uint8_t *mask, void *energies,
                                 int energies_bf16, float *alpha, int64_t alpha_stride,
                                 const void *values, int values_bf16, void *context,
                                 int64_t context_stride, int threads) {
#pragma omp parallel num_threads(threads)
    {
        float *scores = (float *)malloc(sizeof(float) * src);
        float *acc = (float *)malloc(sizeof(float) * dim);
        float *e = (float *)malloc(sizeof(float) * size);
#pragma omp for schedule(static)
        for (int64_t b = 0; b < batch; b++) {
            const float *q = q2 + b * q2_stride;
            float m = -INFINITY;
            for (int64_t s = 0; s < src; s++) {
                const float *k = keys2 + (b * src + s) * size;
                int64_t at = (b * src + s) * size;
#pragma omp simd
                for (int64_t a = 0; a < size; a++) e[a] = sigmoid(k[a] + q[a]);
                if (energies_bf16) {
                    uint16_t *out = (uint16_t *)energies + at;
#pragma omp simd
                    for (int64_t a = 0; a < size; a++) {
                        out[a] = f32_to_bf16(e[a]);
                        e[a] = bf16_to_f32(out[a]);
                    }
                } else {
                    memcpy((float *)energies + at, e, sizeof(float) * size);
                }
                float score = 0.0f;
#pragma omp simd reduction(+ : score)
                for (int64_t a = 0; a < size; a++) score += e[a] * v2[a];
                scores[s] = score;
                if (mask[b * src + s] && score > m) m = score;
            }
            float total = 0.0f;
            for (int64_t s = 0; s < src; s++) {
                float p = mask[b * src + s] ? expf(scores[s] - m) : 0.0f;
                scores[s] = p;
                total += p;
            }
            float *al = alpha + b * alpha_stride;
            for (int64_t s = 0; s < src; s++) al[s] = scores[s] / total;
            for (int64_t d = 0; d < dim; d++) acc[d] = 0.0f;
            for (int64_t s = 0; s < src; s++) {
                float w = values_bf16 ? bf16_to_f32(f32_to_bf16(al[s])) : al[s];
                if (w == 0.0f) continue;
                int64_t row = (b * src + s) * dim;
                if (values_bf16) {
                    const uint16_t *vr = (const uint16_t *)values + row;
#pragma omp simd
                    for (int64_t d = 0; d < dim; d++) acc[d] += w * bf16_to_f32(vr[d]);
                } else {
                    const float *vr = (const float *)values + row;
#pragma omp simd
                    for (int64_t d = 0; d < dim; d++) acc[d] += w * vr[d];
                }
            }
            for (int64_t d = 0; d < dim; d++) store(context, values_bf16, b * context_stride + d, acc[d]);
        }
        free(scores);
        free(acc);
        free(e);
    }
}

/* Its backward pass for one step, from the context's gradient dc (batch × dim, fp32): d alpha =
 * values · dc, d scores = alpha (d alpha − Σ alpha d alpha), and with e the stored energies,
 * d_e = (e − e²) d score: adds d_e into d_energy_sum (batch × src × size), writes
 * v4 ⊙ Σ_s d_e into gs (batch × size, row stride gs_stride) and adds 2 Σ d score · e into d_v. */
void attnscope_attention_backward(int64_t batch, int64_t src, int64_t size, int64_t dim,
                                  const void *values, int values_bf16, const float *dc,
                                  const float *alpha, int64_t alpha_stride,
                                  const void *energies, int energies_bf16, const float *v4,
                                  float *d_energy_sum, float *gs, int64_t gs_stride, float *d_v,
                                  int threads) {
#pragma omp parallel num_threads(threads)
    {
        float *d_scores = (float *)malloc(sizeof(float) * src);
        float *dv_local = (float *)calloc(size, sizeof(float));
        float *e = (float *)malloc(sizeof(float) * size);
#pragma omp for schedule(static)
        for (int64_t b = 0; b < batch; b++) {
            const float *al = alpha + b * alpha_stride;
            const float *g = dc + b * dim;
            float weighted = 0.0f;
            for (int64_t s = 0; s < src; s++) {
                int64_t row = (b * src + s) * dim;
                float d = 0.0f;
                if (values_bf16) {
                    const uint16_t *vr = (const uint16_t *)values + row;
#pragma omp simd reduction(+ : d)
                    for (int64_t k = 0; k < dim; k++) d += bf16_to_f32(vr[k]) * g[k];
                } else {
                    const float *vr = (const float *)values + row;
#pragma omp simd reduction(+ : d)
                    for (int64_t k = 0; k < dim; k++) d += vr[k] * g[k];
                }
                d_scores[s] = d;
                weighted += al[s] * d;
            }
            float *out = gs + b * gs_stride;
            for (int64_t a = 0; a < size; a++) out[a] = 0.0f;
            for (int64_t s = 0; s < src; s++) {
                float ds = (d_scores[s] - weighted) * al[s];
                if (ds == 0.0f) continue; /* padding: alpha is 0 */
                int64_t at = (b * src + s) * size;
                if (energies_bf16) {
                    const uint16_t *er = (const uint16_t *)energies + at;
#pragma omp simd
                    for (int64_t a = 0; a < size; a++) e[a] = bf16_to_f32(er[a]);
                } else {
                    memcpy(e, (const float *)energies + at, sizeof(float) * size);
                }
                float *sum = d_energy_sum + at;
#pragma omp simd
                for (int64_t a = 0; a < size; a++) {
                    float de = (e[a] - e[a] * e[a]) * ds;
                    sum[a] += de;
                    out[a] += de;
                    dv_local[a] += 2.0f * ds * e[a];
                }
            }
#pragma omp simd
            for (int64_t a = 0; a < size; a++) out[a] *= v4[a];
        }
#pragma omp critical
        for (int64_t a = 0; a < size; a++) d_v[a] += dv_local[a];
        free(d_scores);
        free(dv_local);
        free(e);
    }
}

/* A batch of rows laid out as outer × inner (the two directions × the batch of the encoder's
 * layer, or 1 × the decoder's batch): row (o, i) of a tensor starts at o · so + i · si. */
typedef struct {
    int64_t so, si;
} strides_t;

#define ROW(ptr, type, st, o, i) ((type *)(ptr) + (o) * (st).so + (i) * (st).si)

/* The GRU cell's gates for one step (core.model.recurrence._gates): from the input and hidden
 * products gi, gh (3H each, fp32), r, z = σ(gi + gh); n = tanh(gi_n + r · gh_n) (as
 * 2σ(2x) − 1); new = n + z (state − n). Writes r, z, n, gh_n to cell (4H, in its dtype) and
 * the new state to out, or, where a mask is given and is 0 at the row, the old state. */
void attnscope_gru_forward(int64_t outer, int64_t inner, int64_t hidden, const float *gi,
                           strides_t gi_s, const float *gh, strides_t gh_s, const float *state,
                           strides_t state_s, void *cell, int cell_bf16, strides_t cell_s,
                           float *out, strides_t out_s, const uint8_t *mask, strides_t mask_s,
                           int threads) {
    int64_t rows = outer * inner;
#pragma omp parallel num_threads(threads)
    {
        float *c = (float *)malloc(sizeof(float) * 4 * hidden);
#pragma omp for schedule(static)
        for (int64_t row = 0; row < rows; row++) {
            int64_t o = row / inner, i = row % inner;
            const float *x = ROW(gi, const float, gi_s, o, i);
            const float *h = ROW(gh, const float, gh_s, o, i);
            const float *s = ROW(state, const float, state_s, o, i);
            float *y = ROW(out, float, out_s, o, i);
            int keep = mask ? *ROW(mask, const uint8_t, mask_s, o, i) : 1;
#pragma omp simd
            for (int64_t k = 0; k < hidden; k++) {
                float r = sigmoid(x[k] + h[k]);
                float z = sigmoid(x[hidden + k] + h[hidden + k]);
                float hn = h[2 * hidden + k];
                float n = 2.0f * sigmoid(2.0f * (x[2 * hidden + k] + r * hn)) - 1.0f;
                c[k] = r;
                c[hidden + k] = z;
                c[2 * hidden + k] = n;
                c[3 * hidden + k] = hn;
                y[k] = keep ? n + z * (s[k] - n) : s[k];
            }
            if (cell_bf16) {
                uint16_t *dst = ROW(cell, uint16_t, cell_s, o, i);
#pragma omp simd
                for (int64_t k = 0; k < 4 * hidden; k++) dst[k] = f32_to_bf16(c[k]);
            } else {
                memcpy(ROW(cell, float, cell_s, o, i), c, sizeof(float) * 4 * hidden);
            }
        }
        free(c);
    }
}

/* Its backward pass (core.model.recurrence._gates_backward): from the new state's gradient ds,
 * the previous state and the kept cell, the gradients of gi and gh (3H each) and the part of
 * the previous state's gradient that skips the products, ds · z, written to direct. Where a
 * mask is given and is 0 at the row, ds counts as 0 (the position passed the state through). */
void attnscope_gru_backward(int64_t outer, int64_t inner, int64_t hidden, const float *ds,
                            strides_t ds_s, const float *prev, strides_t prev_s,
                            const void *cell, int cell_bf16, strides_t cell_s, float *d_gi,
                            strides_t d_gi_s, float *d_gh, strides_t d_gh_s, float *direct,
                            strides_t direct_s, const uint8_t *mask, strides_t mask_s,
                            int threads) {
    int64_t rows = outer * inner;
#pragma omp parallel num_threads(threads)
    {
        float *c = (float *)malloc(sizeof(float) * 4 * hidden);
#pragma omp for schedule(static)
        for (int64_t row = 0; row < rows; row++) {
            int64_t o = row / inner, i = row % inner;
            const float *g = ROW(ds, const float, ds_s, o, i);
            const float *p = ROW(prev, const float, prev_s, o, i);
            float *gi = ROW(d_gi, float, d_gi_s, o, i);
            float *gh = ROW(d_gh, float, d_gh_s, o, i);
            float *dd = ROW(direct, float, direct_s, o, i);
            float keep = (mask && !*ROW(mask, const uint8_t, mask_s, o, i)) ? 0.0f : 1.0f;
            if (cell_bf16) {
                const uint16_t *src = ROW(cell, const uint16_t, cell_s, o, i);
#pragma omp simd
                for (int64_t k = 0; k < 4 * hidden; k++) c[k] = bf16_to_f32(src[k]);
            } else {
                memcpy(c, ROW(cell, const float, cell_s, o, i), sizeof(float) * 4 * hidden);
            }
#pragma omp simd
            for (int64_t k = 0; k < hidden; k++) {
                float r = c[k], z = c[hidden + k], n = c[2 * hidden + k], hn = c[3 * hidden + k];
                float d = g[k] * keep;
                float dn_pre = d * (1.0f - z) * (1.0f - n * n);
                float d_r = dn_pre * hn * (r - r * r);
                float d_z = (p[k] - n) * d * (z - z * z);
                gi[k] = d_r;
                gi[hidden + k] = d_z;
                gi[2 * hidden + k] = dn_pre;
                gh[k] = d_r;
                gh[hidden + k] = d_z;
                gh[2 * hidden + k] = dn_pre * r;
                dd[k] = d * z;
            }
        }
        free(c);
    }
}
