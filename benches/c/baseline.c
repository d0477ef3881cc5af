/* The C loops the crate is compared with: plain loops with the crate's
 * semantics, as gcc -O3 -march=native vectorizes them, on 1 thread and on
 * 2 OpenMP threads (the calling thread is one of the two, as a program's
 * main thread is).
 *
 * Build and run (prints CSV: op,size,threads,elements,ns_per_call,gelem_per_s):
 *   gcc -O3 -march=native -fopenmp benches/c/baseline.c -o target/c-baseline
 *   target/c-baseline [reps [size ...]]      (sizes in elements; default
 *                                             4Ki 64Ki 1Mi 16Mi 64Mi)
 *
 * Timing follows examples/throughput.rs: the median over `reps` timings of
 * a batch of calls sized to about 2 ms, the cases of one size interleaved,
 * the destination restored (untimed) before each batch and, for the Leaky
 * ReLU forward and backward passes, every 8 calls; the input is generated
 * by the same xorshift, and the two-slice ops read `x * 0.5 + 1` as their
 * source, as the report does. */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const float ALPHA = 0.01f;

/* Each op as a serial loop and as an OpenMP loop over the same body; `s`
 * is the source (or the forward input x), `d` the destination (or grad). */
#define OP(name, body)                                                      \
    static void name##_1(const float *s, float *d, long n) {                \
        (void)s;                                                            \
        for (long i = 0; i < n; i++) d[i] = (body);                         \
    }                                                                       \
    static void name##_2(const float *s, float *d, long n) {                \
        (void)s;                                                            \
        _Pragma("omp parallel for schedule(static) num_threads(2)")         \
        for (long i = 0; i < n; i++) d[i] = (body);                         \
    }

/* In place: the op reads and writes d. */
OP(relu, d[i] <= 0.0f ? 0.0f : d[i])
OP(leaky_relu, d[i] > 0.0f ? d[i] : ALPHA * d[i])
OP(relu_grad, d[i] >= 0.0f ? 1.0f : (d[i] < 0.0f ? 0.0f : d[i]))
OP(leaky_relu_grad, d[i] >= 0.0f ? 1.0f : (d[i] < 0.0f ? ALPHA : d[i]))
/* Two slices: backward passes update d (grad) from s (x); _into writes d. */
OP(relu_backward, s[i] >= 0.0f ? d[i] : (s[i] < 0.0f ? 0.0f : s[i]))
OP(leaky_relu_backward, s[i] >= 0.0f ? d[i] : (s[i] < 0.0f ? ALPHA * d[i] : s[i]))
OP(relu_into, s[i] <= 0.0f ? 0.0f : s[i])
OP(leaky_relu_into, s[i] > 0.0f ? s[i] : ALPHA * s[i])
/* clamp with the report's bounds, -1 and 1 (NaN stays NaN). */
OP(clamp, d[i] <= -1.0f ? -1.0f : (d[i] >= 1.0f ? 1.0f : d[i]))

/* The per-channel ops in place, on the two layouts of
 * examples/channel_throughput.rs: `dense`, rows of 1024 channels (inner 1),
 * a loop over each row against the parameter row; `nchw`, 64 channels of
 * runs of `inner` (3136, or size / 64 below one image), a loop along each
 * run with its channel's parameter. The parameter is the example's,
 * (c % 7) * 0.01 - 0.03. With 2 threads, OpenMP shares the rows (dense) or
 * the runs (nchw). PReLU is restored as Leaky ReLU is: repeated calls drive
 * the negatives to subnormals, which cost the scalar loop gcc makes of it
 * (it vectorizes the select only with -fno-trapping-math) microcode
 * assists per element. */
static float PARAM[1024];
static long ch_inner(long n) { return n / 64 < 3136 ? n / 64 : 3136; }
/* The elements an op covers: whole periods of its layout (0 for none). */
static long covered(int layout, long n) {
    long period = layout == 1 ? 1024 : layout == 2 ? 64 * ch_inner(n) : 1;
    return period > 0 ? n / period * period : 0;
}
/* One layout's loop nest, with `PRAGMA` before the loop that threads share. */
#define DENSE_LOOP(PRAGMA, expr)                                              \
    PRAGMA                                                                    \
    for (long o = 0; o < n / 1024; o++) {                                     \
        float *r = d + o * 1024;                                              \
        for (long c = 0; c < 1024; c++) {                                     \
            float v = r[c], p = PARAM[c];                                     \
            r[c] = (expr);                                                    \
        }                                                                     \
    }
#define NCHW_LOOP(PRAGMA, expr)                                               \
    long inner = ch_inner(n), runs = n / inner / 64 * 64;                     \
    PRAGMA                                                                    \
    for (long j = 0; j < runs; j++) {                                         \
        float *r = d + j * inner, p = PARAM[j % 64];                          \
        for (long k = 0; k < inner; k++) {                                    \
            float v = r[k];                                                   \
            r[k] = (expr);                                                    \
        }                                                                     \
    }
#define SERIAL
#define SHARED _Pragma("omp parallel for schedule(static) num_threads(2)")
#define CHANNEL_OP(name, expr)                                                \
    static void name##_dense_1(const float *s, float *d, long n) {            \
        (void)s;                                                              \
        DENSE_LOOP(SERIAL, expr)                                              \
    }                                                                         \
    static void name##_dense_2(const float *s, float *d, long n) {            \
        (void)s;                                                              \
        DENSE_LOOP(SHARED, expr)                                              \
    }                                                                         \
    static void name##_nchw_1(const float *s, float *d, long n) {             \
        (void)s;                                                              \
        NCHW_LOOP(SERIAL, expr)                                               \
    }                                                                         \
    static void name##_nchw_2(const float *s, float *d, long n) {             \
        (void)s;                                                              \
        NCHW_LOOP(SHARED, expr)                                               \
    }

CHANNEL_OP(bias_relu, (v + p) <= 0.0f ? 0.0f : (v + p))
/* The product taken unconditionally, so that gcc vectorizes the select (it
 * does not speculate a multiply that the branch would skip). */
static inline float prelu_of(float v, float p) {
    float m = p * v;
    return v > 0.0f ? v : m;
}
CHANNEL_OP(prelu, prelu_of(v, p))

typedef void (*op_fn)(const float *, float *, long);

struct op {
    const char *name;
    op_fn f[2];
    int restore; /* repeated calls drift (Leaky ReLU shrinks the negatives) */
    int layout;  /* per-channel ops: 1 dense, 2 nchw */
};

static const struct op OPS[] = {
    {"relu", {relu_1, relu_2}, 0, 0},
    {"leaky_relu", {leaky_relu_1, leaky_relu_2}, 1, 0},
    {"relu_grad", {relu_grad_1, relu_grad_2}, 0, 0},
    {"leaky_relu_grad", {leaky_relu_grad_1, leaky_relu_grad_2}, 0, 0},
    {"relu_backward", {relu_backward_1, relu_backward_2}, 0, 0},
    {"leaky_relu_backward", {leaky_relu_backward_1, leaky_relu_backward_2}, 1, 0},
    {"relu_into", {relu_into_1, relu_into_2}, 0, 0},
    {"leaky_relu_into", {leaky_relu_into_1, leaky_relu_into_2}, 0, 0},
    {"clamp", {clamp_1, clamp_2}, 0, 0},
    {"bias_relu/dense", {bias_relu_dense_1, bias_relu_dense_2}, 0, 1},
    {"bias_relu/nchw", {bias_relu_nchw_1, bias_relu_nchw_2}, 0, 2},
    {"prelu/dense", {prelu_dense_1, prelu_dense_2}, 1, 1},
    {"prelu/nchw", {prelu_nchw_1, prelu_nchw_2}, 1, 2},
};
#define N_OPS (sizeof OPS / sizeof OPS[0])

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double timed(long iters, const float *init, const float *src, float *buf, long n, op_fn f,
                    int restore) {
    double total = 0;
    for (long done = 0; done < iters;) {
        memcpy(buf, init, n * sizeof(float));
        long k = iters - done;
        if (restore && k > 8) k = 8;
        double t0 = now();
        for (long j = 0; j < k; j++) {
            f(src, buf, n);
            __asm__ volatile("" : : "r"(buf) : "memory");
        }
        total += now() - t0;
        done += k;
    }
    return total;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    if (reps < 1 || reps > 99) reps = 5;
    long default_sizes[] = {4L << 10, 64L << 10, 1L << 20, 16L << 20, 64L << 20};
    long n_sizes = 5, *sizes = default_sizes;
    if (argc > 2) {
        n_sizes = argc - 2;
        sizes = malloc(n_sizes * sizeof(long));
        for (long s = 0; s < n_sizes; s++) {
            sizes[s] = atol(argv[2 + s]);
            if (sizes[s] < 1) {
                fprintf(stderr, "c-baseline: bad size %s\n", argv[2 + s]);
                return 2;
            }
        }
    }
    for (int c = 0; c < 1024; c++) PARAM[c] = (float)(c % 7) * 0.01f - 0.03f;
    printf("op,size,threads,elements,ns_per_call,gelem_per_s\n");
    for (long s = 0; s < n_sizes; s++) {
        long n = sizes[s];
        float *init = malloc(n * sizeof(float)), *src = malloc(n * sizeof(float)),
              *buf = malloc(n * sizeof(float));
        uint64_t x = 0x2545f4914f6cdd1dULL;
        for (long i = 0; i < n; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            init[i] = ((float)(x >> 40) / (float)(1ULL << 24)) * 8.0f - 4.0f + 1e-3f;
            src[i] = init[i] * 0.5f + 1.0f;
        }
        long batch[N_OPS][2];
        double per_call[N_OPS][2][99];
        for (unsigned o = 0; o < N_OPS; o++)
            for (int t = 0; t < 2; t++) {
                double once = timed(2, init, src, buf, n, OPS[o].f[t], OPS[o].restore) / 2;
                batch[o][t] = (long)(2e-3 / (once > 1e-9 ? once : 1e-9));
                if (batch[o][t] < 1) batch[o][t] = 1;
                if (batch[o][t] > 65536) batch[o][t] = 65536;
            }
        for (int r = 0; r < reps; r++)
            for (unsigned o = 0; o < N_OPS; o++)
                for (int t = 0; t < 2; t++)
                    per_call[o][t][r] = timed(batch[o][t], init, src, buf, n, OPS[o].f[t],
                                              OPS[o].restore) / batch[o][t];
        for (unsigned o = 0; o < N_OPS; o++)
            for (int t = 0; t < 2; t++) {
                qsort(per_call[o][t], reps, sizeof(double), cmp);
                double sec = per_call[o][t][reps / 2];
                long m = OPS[o].layout ? covered(OPS[o].layout, n) : n;
                printf("%s,%ld,%d,%ld,%.1f,%.3f\n", OPS[o].name, n, t + 1, m, sec * 1e9,
                       m / sec / 1e9);
            }
        fflush(stdout);
        free(init);
        free(src);
        free(buf);
    }
    return 0;
}
