/* fp32 FMA peak of this machine: each thread runs ACCUMULATORS independent AVX-512 FMA chains
 * (enough to hide the FMA latency on both FMA pipes) and the best of many short rounds is reported
 * (short rounds: on a shared machine some of them run undisturbed).
 *   gcc -O3 -mavx512f -fopenmp fma_peak.c -o fma_peak && ./fma_peak [threads] [rounds]
 * Prints one JSON line: {"gflops": ..., "threads": ..., ...}. */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define ACCUMULATORS 16
#define ITERATIONS 4000000L /* per thread per round: 16 * 4e6 FMAs of 16 lanes = 2 GFLOP, ~10 ms */

static float fma_chains(float seed) {
  __m512 acc[ACCUMULATORS];
  const __m512 scale = _mm512_set1_ps(0.9999999f); /* acc -> acc * scale + offset stays finite */
  const __m512 offset = _mm512_set1_ps(1e-7f * seed);
  for (int j = 0; j < ACCUMULATORS; j++) acc[j] = _mm512_set1_ps(seed + (float)j);
  for (long i = 0; i < ITERATIONS; i++) {
    for (int j = 0; j < ACCUMULATORS; j++) acc[j] = _mm512_fmadd_ps(acc[j], scale, offset);
  }
  __m512 sum = acc[0];
  for (int j = 1; j < ACCUMULATORS; j++) sum = _mm512_add_ps(sum, acc[j]);
  return _mm512_reduce_add_ps(sum);
}

int main(int argc, char **argv) {
  const int threads = argc > 1 ? atoi(argv[1]) : 2;
  const int rounds = argc > 2 ? atoi(argv[2]) : 50;
  const double flop_per_thread = 2.0 * 16 * ACCUMULATORS * (double)ITERATIONS;
  double best = 0, sink = 0;
  omp_set_num_threads(threads);
  for (int r = 0; r < rounds; r++) {
    double start = omp_get_wtime();
#pragma omp parallel reduction(+ : sink)
    sink += fma_chains(1.0f + (float)omp_get_thread_num());
    double gflops = flop_per_thread * threads / (omp_get_wtime() - start) / 1e9;
    if (gflops > best) best = gflops;
  }
  printf("{\"gflops\": %.1f, \"threads\": %d, \"rounds\": %d, \"precision\": \"fp32\", \"isa\": \"avx512f fma\", \"checksum\": %g}\n",
         best, threads, rounds, sink);
  return 0;
}
