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

#define KERNELS_VERSION 7

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

/* σ(x) through exp_nonpositive, x clamped to ±80 so the result never reaches fp32's denormals
 * (slow); σ(c) = 1 / (1 + e^−c) for c ≥ 0 and e^c / (1 + e^c) for c < 0, e^−|c| in (0, 1]. */
static inline float sigmoid(float x) {
    float c = x > 80.0f ? 80.0f : (x < -80.0f ? -80.0f : x);
    float e = exp_nonpositive(c > 0 ? -c : c);
    float num = c > 0 ? 1.0f : e;
    return num / (1.0f + e);
}

/* n values from p (fp32, or bf16 bits when bf16) into the fp32 array out. */
static inline void load_row(float *out, const void *p, int bf16, int64_t n) {
    if (bf16) {
        const uint16_t *src = (const uint16_t *)p;
#pragma omp simd
        for (int64_t k = 0; k < n; k++) out[k] = bf16_to_f32(src[k]);
    } else {
        memcpy(out, p, sizeof(float) * n);
    }
}

/* n fp32 values to p in bf16 (bits) or fp32. */
static inline void store_row(void *p, int bf16, const float *in, int64_t n) {
    if (bf16) {
        uint16_t *dst = (uint16_t *)p;
#pragma omp simd
        for (int64_t k = 0; k < n; k++) dst[k] = f32_to_bf16(in[k]);
    } else {
        memcpy(p, in, sizeof(float) * n);
    }
}

/* One decoder step's additive attention (core.model.recurrence, forward): for each sentence b
 * and source position s, e = σ(keys2[b, s] + q2[b]) (A values, written to energies in their
 * dtype), score = e · v2 (e as stored), the softmax of the scores over the real positions
 * (mask 1) → alpha[b] (0 at padding), and context[b] = Σ_s alpha · values[b, s] (alpha rounded to
 * values' dtype first, as a bf16 product would take it; the sum in fp32, stored in values'
 * dtype), and where ctx_copy is not NULL the context again in bf16 (the next product's input).
 * q2 is fp32 or bf16 (q2_bf16). Row strides in elements, for views into larger tensors.
 * energies NULL (a search's step, which keeps nothing for a backward pass): the scores are
 * taken from the fp32 energies, unrounded. */
void attnscope_attention_forward(int64_t batch, int64_t src, int64_t size, int64_t dim,
                                 const float *keys2, const void *q2, int q2_bf16,
                                 int64_t q2_stride, const float *v2, const uint8_t *mask,
                                 void *energies, int energies_bf16, float *alpha,
                                 int64_t alpha_stride, const void *values, int values_bf16,
                                 void *context, int64_t context_stride, uint16_t *ctx_copy,
                                 int threads) {
#pragma omp parallel num_threads(threads)
    {
        float *scores = (float *)malloc(sizeof(float) * src);
        float *acc = (float *)malloc(sizeof(float) * dim);
        float *e = (float *)malloc(sizeof(float) * size);
        float *q = (float *)malloc(sizeof(float) * size);
#pragma omp for schedule(static)
        for (int64_t b = 0; b < batch; b++) {
            load_row(q, (const char *)q2 + b * q2_stride * (q2_bf16 ? 2 : 4), q2_bf16, size);
            float m = -INFINITY;
            for (int64_t s = 0; s < src; s++) {
                const float *k = keys2 + (b * src + s) * size;
                int64_t at = (b * src + s) * size;
#pragma omp simd
                for (int64_t a = 0; a < size; a++) e[a] = sigmoid(k[a] + q[a]);
                if (!energies) {
                    /* inference: nothing kept for a backward pass, the energies stay fp32 */
                } else if (energies_bf16) {
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
            if (values_bf16) /* the context is stored in bf16: what a bf16 product returns */
                for (int64_t d = 0; d < dim; d++) acc[d] = bf16_to_f32(f32_to_bf16(acc[d]));
            store_row((char *)context + b * context_stride * (values_bf16 ? 2 : 4), values_bf16,
                      acc, dim);
            if (ctx_copy) store_row(ctx_copy + b * dim, 1, acc, dim);
        }
        free(scores);
        free(acc);
        free(e);
        free(q);
    }
}

/* Its backward pass for one step. The context's gradient is dc (batch × dim, fp32 or bf16 by
 * dc_bf16, row stride dc_stride) plus dc_extra (fp32 rows, or NULL); where dc_out is not NULL
 * their sum is written there (fp32 rows). Then d alpha = values · dc, d scores = alpha (d alpha −
 * Σ alpha d alpha), and with e the stored energies, d_e = (e − e²) d score: adds d_e into
 * d_energy_sum (batch × src × size), writes v4 ⊙ Σ_s d_e into gs (fp32 rows) and, where
 * gs_copy is not NULL, again in bf16 (rows), and adds 2 Σ d score · e into d_v. */
void attnscope_attention_backward(int64_t batch, int64_t src, int64_t size, int64_t dim,
                                  const void *values, int values_bf16, const void *dc,
                                  int dc_bf16, int64_t dc_stride, const float *dc_extra,
                                  int64_t dc_extra_stride, float *dc_out, int64_t dc_out_stride,
                                  const float *alpha, int64_t alpha_stride,
                                  const void *energies, int energies_bf16, const float *v4,
                                  float *d_energy_sum, float *gs, int64_t gs_stride,
                                  uint16_t *gs_copy, int64_t gs_copy_stride, float *d_v,
                                  int threads) {
#pragma omp parallel num_threads(threads)
    {
        float *d_scores = (float *)malloc(sizeof(float) * src);
        float *dv_local = (float *)calloc(size, sizeof(float));
        float *e = (float *)malloc(sizeof(float) * size);
        float *g = (float *)malloc(sizeof(float) * dim);
#pragma omp for schedule(static)
        for (int64_t b = 0; b < batch; b++) {
            const float *al = alpha + b * alpha_stride;
            load_row(g, (const char *)dc + b * dc_stride * (dc_bf16 ? 2 : 4), dc_bf16, dim);
            if (dc_extra) {
                const float *x = dc_extra + b * dc_extra_stride;
#pragma omp simd
                for (int64_t k = 0; k < dim; k++) g[k] += x[k];
            }
            if (dc_out) memcpy(dc_out + b * dc_out_stride, g, sizeof(float) * dim);
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
                load_row(e, (const char *)energies + at * (energies_bf16 ? 2 : 4), energies_bf16,
                         size);
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
            if (gs_copy) store_row(gs_copy + b * gs_copy_stride, 1, out, size);
        }
#pragma omp critical
        for (int64_t a = 0; a < size; a++) d_v[a] += dv_local[a];
        free(d_scores);
        free(dv_local);
        free(e);
        free(g);
    }
}

/* A batch of rows laid out as outer × inner (the two directions × the batch of the encoder's
 * layer, or 1 × the decoder's batch): row (o, i) of a tensor starts at o · so + i · si
 * elements. A NULL pointer is an absent input or output. */
typedef struct {
    int64_t so, si;
} strides_t;

#define AT(ptr, st, o, i) ((o) * (st).so + (i) * (st).si)

/* The GRU cell's gates for one step (core.model.recurrence._gates): from the input and hidden
 * products gi, gh (3H each, fp32 or bf16 by their flags), r, z = σ(gi + gh);
 * n = tanh(gi_n + r · gh_n) (as 2σ(2x) − 1); new = n + z (state − n). Writes r, z, n, gh_n to
 * cell (4H, in its dtype) and the new state to out (fp32) or, where a mask is given and is 0
 * at the row, the old state; where state_copy is not NULL, that state again in bf16. cell NULL:
 * a search's step, which keeps nothing for a backward pass. */
void attnscope_gru_forward(int64_t outer, int64_t inner, int64_t hidden, const void *gi,
                           int gi_bf16, strides_t gi_s, const void *gh, int gh_bf16,
                           strides_t gh_s, const float *state, strides_t state_s, void *cell,
                           int cell_bf16, strides_t cell_s, float *out, strides_t out_s,
                           uint16_t *state_copy, strides_t copy_s, const uint8_t *mask,
                           strides_t mask_s, int threads) {
    int64_t rows = outer * inner;
#pragma omp parallel num_threads(threads)
    {
        float *c = (float *)malloc(sizeof(float) * 4 * hidden);
        float *x = (float *)malloc(sizeof(float) * 3 * hidden);
        float *h = (float *)malloc(sizeof(float) * 3 * hidden);
#pragma omp for schedule(static)
        for (int64_t row = 0; row < rows; row++) {
            int64_t o = row / inner, i = row % inner;
            load_row(x, (const char *)gi + AT(gi, gi_s, o, i) * (gi_bf16 ? 2 : 4), gi_bf16,
                     3 * hidden);
            load_row(h, (const char *)gh + AT(gh, gh_s, o, i) * (gh_bf16 ? 2 : 4), gh_bf16,
                     3 * hidden);
            const float *s = state + AT(state, state_s, o, i);
            float *y = out + AT(out, out_s, o, i);
            int keep = mask ? mask[AT(mask, mask_s, o, i)] : 1;
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
            if (cell)
                store_row((char *)cell + AT(cell, cell_s, o, i) * (cell_bf16 ? 2 : 4), cell_bf16,
                          c, 4 * hidden);
            if (state_copy) store_row(state_copy + AT(state_copy, copy_s, o, i), 1, y, hidden);
        }
        free(c);
        free(x);
        free(h);
    }
}

/* Its backward pass (core.model.recurrence._gates_backward). The new state's gradient is ds
 * (fp32) plus ds_extra (fp32, or NULL) plus ds_product (fp32 or bf16 by its flag, or NULL);
 * from it, the previous state and the kept cell: the gradients of gi and gh (3H each, fp32),
 * where gi_copy / gh_copy are not NULL again in bf16, and the part of the previous state's
 * gradient that skips the products, ds · z, written to direct. Where a mask is given and is 0
 * at the row, ds counts as 0 (the position passed the state through). */
void attnscope_gru_backward(int64_t outer, int64_t inner, int64_t hidden, const float *ds,
                            strides_t ds_s, const float *ds_extra, strides_t extra_s,
                            const void *ds_product, int product_bf16, strides_t product_s,
                            const float *prev, strides_t prev_s, const void *cell,
                            int cell_bf16, strides_t cell_s, float *d_gi, strides_t d_gi_s,
                            float *d_gh, strides_t d_gh_s, uint16_t *gi_copy,
                            strides_t gi_copy_s, uint16_t *gh_copy, strides_t gh_copy_s,
                            float *direct, strides_t direct_s, const uint8_t *mask,
                            strides_t mask_s, int threads) {
    int64_t rows = outer * inner;
#pragma omp parallel num_threads(threads)
    {
        float *c = (float *)malloc(sizeof(float) * 4 * hidden);
        float *g = (float *)malloc(sizeof(float) * hidden);
        float *pr = (float *)malloc(sizeof(float) * hidden);
#pragma omp for schedule(static)
        for (int64_t row = 0; row < rows; row++) {
            int64_t o = row / inner, i = row % inner;
            memcpy(g, ds + AT(ds, ds_s, o, i), sizeof(float) * hidden);
            if (ds_extra) {
                const float *e = ds_extra + AT(ds_extra, extra_s, o, i);
#pragma omp simd
                for (int64_t k = 0; k < hidden; k++) g[k] += e[k];
            }
            if (ds_product) {
                load_row(pr,
                         (const char *)ds_product +
                             AT(ds_product, product_s, o, i) * (product_bf16 ? 2 : 4),
                         product_bf16, hidden);
#pragma omp simd
                for (int64_t k = 0; k < hidden; k++) g[k] += pr[k];
            }
            const float *p = prev + AT(prev, prev_s, o, i);
            float *gi = d_gi + AT(d_gi, d_gi_s, o, i);
            float *gh = d_gh + AT(d_gh, d_gh_s, o, i);
            float *dd = direct + AT(direct, direct_s, o, i);
            float keep = (mask && !mask[AT(mask, mask_s, o, i)]) ? 0.0f : 1.0f;
            load_row(c, (const char *)cell + AT(cell, cell_s, o, i) * (cell_bf16 ? 2 : 4),
                     cell_bf16, 4 * hidden);
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
            if (gi_copy) store_row(gi_copy + AT(gi_copy, gi_copy_s, o, i), 1, gi, 3 * hidden);
            if (gh_copy) store_row(gh_copy + AT(gh_copy, gh_copy_s, o, i), 1, gh, 3 * hidden);
        }
        free(c);
        free(g);
        free(pr);
    }
}

/* A search step's choice from rows × vocab logits z (fp32, or bf16 bits when z_bf16): per row
 * the `width` largest logits, largest first (equal values: the lower id first), into
 * top_values / top_ids, and the row's log-sum-exp into lse, so that a candidate's
 * log-probability is its logit − lse without a log-softmax over the whole vocabulary
 * (core.decoding.search). Blocks of 16 logits are compared with the current width-th best at
 * once; only a block holding a larger one is looked at logit by logit. */
void attnscope_row_top(const void *z, int z_bf16, int64_t rows, int64_t vocab, int64_t width,
                       float *top_values, int64_t *top_ids, float *lse, int threads) {
#pragma omp parallel num_threads(threads)
    {
        float *row = z_bf16 ? (float *)malloc(sizeof(float) * vocab) : NULL;
#pragma omp for schedule(static)
        for (int64_t i = 0; i < rows; i++) {
            const float *zr;
            if (z_bf16) {
                load_row(row, (const uint16_t *)z + i * vocab, 1, vocab);
                zr = row;
            } else {
                zr = (const float *)z + i * vocab;
            }
            float *vals = top_values + i * width;
            int64_t *ids = top_ids + i * width;
            int64_t filled = 0;
            float bar = -INFINITY; /* the width-th best so far (−inf while fewer are held) */
            for (int64_t start = 0; start < vocab; start += 16) {
                int64_t end = start + 16 < vocab ? start + 16 : vocab;
                int above = 0;
#pragma omp simd reduction(| : above)
                for (int64_t j = start; j < end; j++) above |= zr[j] > bar;
                if (!above && filled == width) continue;
                for (int64_t j = start; j < end; j++) {
                    float x = zr[j];
                    if (filled == width && !(x > bar)) continue;
                    int64_t p = filled < width ? filled : width - 1;
                    /* the smaller ones move down a slot (the width-th best drops out) */
                    while (p > 0 && vals[p - 1] < x) {
                        vals[p] = vals[p - 1];
                        ids[p] = ids[p - 1];
                        p--;
                    }
                    if (filled < width) filled++;
                    vals[p] = x;
                    ids[p] = j;
                    if (filled == width) bar = vals[width - 1];
                }
            }
            float m = vals[0], s = 0.0f;
            if (m == -INFINITY) {
                lse[i] = -INFINITY;
                continue;
            }
#pragma omp simd reduction(+ : s)
            for (int64_t j = 0; j < vocab; j++) s += exp_nonpositive(zr[j] - m);
            lse[i] = m + logf(s);
        }
        free(row);
    }
}

/* SplitMix64's output function: 64 well-mixed bits from a counter (a stateless generator, so
 * that any element's bits can be computed again from the seed and its index). */
static inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Dropout in one pass (core.model.dropout): element i of x (n values, fp32 or bf16 by x_bf16)
 * is kept where its 16 random bits, lane i % 4 of mix64(seed + (i / 4 + 1) · γ), are at least
 * threshold (so with probability 1 − threshold / 65,536), and written to out times scale, else
 * 0. The bits depend only on the seed and i: the backward pass applies the same mask to the
 * gradient by calling this again with the same seed, and nothing is kept in between. */
static inline float dropout_lane(uint64_t r, int lane, uint32_t threshold, float scale) {
    return (uint32_t)((r >> (16 * lane)) & 0xFFFFu) >= threshold ? scale : 0.0f;
}

void attnscope_dropout(const void *x, int x_bf16, void *out, int64_t n, uint64_t seed,
                       uint32_t threshold, float scale, int threads) {
    const uint64_t gamma = 0x9E3779B97F4A7C15ull;
    int64_t full = n / 4;
    if (x_bf16) {
        const uint16_t *xs = (const uint16_t *)x;
        uint16_t *o = (uint16_t *)out;
#pragma omp parallel for simd num_threads(threads) schedule(static)
        for (int64_t w = 0; w < full; w++) {
            uint64_t r = mix64(seed + (uint64_t)(w + 1) * gamma);
            for (int lane = 0; lane < 4; lane++)
                o[4 * w + lane] = f32_to_bf16(bf16_to_f32(xs[4 * w + lane]) *
                                              dropout_lane(r, lane, threshold, scale));
        }
    } else {
        const float *xs = (const float *)x;
        float *o = (float *)out;
#pragma omp parallel for simd num_threads(threads) schedule(static)
        for (int64_t w = 0; w < full; w++) {
            uint64_t r = mix64(seed + (uint64_t)(w + 1) * gamma);
            for (int lane = 0; lane < 4; lane++)
                o[4 * w + lane] = xs[4 * w + lane] * dropout_lane(r, lane, threshold, scale);
        }
    }
    if (full * 4 < n) { /* the last word's first n % 4 lanes */
        uint64_t r = mix64(seed + (uint64_t)(full + 1) * gamma);
        for (int64_t i = full * 4; i < n; i++) {
            float m = dropout_lane(r, (int)(i - full * 4), threshold, scale);
            if (x_bf16)
                ((uint16_t *)out)[i] = f32_to_bf16(bf16_to_f32(((const uint16_t *)x)[i]) * m);
            else
                ((float *)out)[i] = ((const float *)x)[i] * m;
        }
    }
}

/* acc += x over n elements, acc fp32 and x fp32 or bf16 (x_bf16): a gradient summed in fp32 over
 * the pieces of a product taken in bf16 (core.model.loss), in one pass that converts as it adds
 * (PyTorch's mixed-dtype add_ converts through a buffer, several times slower). */
void attnscope_accumulate(float *acc, const void *x, int x_bf16, int64_t n, int threads) {
    if (x_bf16) {
        const uint16_t *xs = (const uint16_t *)x;
#pragma omp parallel for simd num_threads(threads) schedule(static)
        for (int64_t i = 0; i < n; i++)
            acc[i] += bf16_to_f32(xs[i]);
    } else {
        const float *xs = (const float *)x;
#pragma omp parallel for simd num_threads(threads) schedule(static)
        for (int64_t i = 0; i < n; i++)
            acc[i] += xs[i];
    }
}
