#ifndef BUCKETCHAT_CCRYPTO_SHIM_H
#define BUCKETCHAT_CCRYPTO_SHIM_H
// libcrypto (OpenSSL 3): digests, HMAC and RSA signing for the cloud stores.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#endif
