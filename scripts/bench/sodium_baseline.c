/* The ceiling verification is measured against: raw libsodium Ed25519
 * verify and sign rates on this machine, one thread per core. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { MESSAGE = 400, ROUNDS = 20000 };

struct job { int sign; double seconds; };

static void *run(void *arg) {
    struct job *job = arg;
    unsigned char pk[32], sk[64], sig[64], m[MESSAGE];
    randombytes_buf(m, sizeof m);
    crypto_sign_keypair(pk, sk);
    crypto_sign_detached(sig, NULL, m, sizeof m, sk);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < ROUNDS; i++) {
        if (job->sign) {
            crypto_sign_detached(sig, NULL, m, sizeof m, sk);
        } else if (crypto_sign_verify_detached(sig, m, sizeof m, pk) != 0) {
            abort();
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    job->seconds = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    return NULL;
}

static double rate(int sign, int threads) {
    pthread_t t[64];
    struct job jobs[64];
    for (int i = 0; i < threads; i++) { jobs[i].sign = sign; pthread_create(&t[i], NULL, run, &jobs[i]); }
    double slowest = 0;
    for (int i = 0; i < threads; i++) { pthread_join(t[i], NULL); if (jobs[i].seconds > slowest) slowest = jobs[i].seconds; }
    return threads * ROUNDS / slowest;
}

int main(int argc, char **argv) {
    if (sodium_init() < 0) return 1;
    int cores = argc > 1 ? atoi(argv[1]) : 2;
    if (cores < 1 || cores > 64) cores = 2;
    printf("libsodium %s: verify %.0f/s on 1 core, %.0f/s on %d; sign %.0f/s on 1 core\n",
           sodium_version_string(), rate(0, 1), rate(0, cores), cores, rate(1, 1));
    return 0;
}
