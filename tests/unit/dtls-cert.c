/* lib/dtls certificates and fingerprints: generation, PEM import, parsing. */
#include "../tap.h"

#include <peerc/common.h>

#include "core/error.h"
#include "dtls/cert.h"
#include "dtls/fingerprint.h"

#include <ctype.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* ---- helpers: PEM made with plain OpenSSL, independent of lib/dtls ---- */

static char *bio_to_string(BIO *b)
{
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *s = malloc((size_t)n + 1);
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    BIO_free(b);
    return s;
}

static char *x509_pem(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    return bio_to_string(b);
}

static char *key_pem(EVP_PKEY *k, const char *passphrase)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (passphrase)
        PEM_write_bio_PrivateKey(b, k, EVP_aes_128_cbc(), (unsigned char *)passphrase,
                                 (int)strlen(passphrase), NULL, NULL);
    else
        PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    return bio_to_string(b);
}

/* A self-signed certificate for key, signed with SHA-256. */
static X509 *self_sign(EVP_PKEY *key)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_get_subject_name(x);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"test", -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_sign(x, key, EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? NULL : EVP_sha256());
    return x;
}

static int fingerprint_well_formed(const char *fp)
{
    if (!fp || strlen(fp) != 95)
        return 0;
    for (int i = 0; i < 95; i++) {
        int sep = i % 3 == 2;
        if (sep ? fp[i] != ':' : !(isdigit((unsigned char)fp[i]) || (fp[i] >= 'A' && fp[i] <= 'F')))
            return 0;
    }
    return 1;
}

static void sha256_text(X509 *x, char *out, size_t outlen)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    X509_digest(x, EVP_sha256(), md, &n);
    peerc__fingerprint_format(md, n, out, outlen);
}

/* ---- generation ---------------------------------------------------------- */

static void test_generate(void)
{
    peerc_cert *c = NULL, *c2 = NULL;
    char expect[PEERC_FINGERPRINT_MAX_TEXT];
    X509 *x;
    EVP_PKEY *k;
    time_t now = time(NULL);
    int64_t expires;

    is_int(peerc__cert_generate(&c), PEERC_OK, "generate");
    if (!c)
        return;
    ok(fingerprint_well_formed(peerc__cert_fingerprint(c)),
       "fingerprint is 32 uppercase XX: pairs: %s", peerc__cert_fingerprint(c));
    x = peerc__cert_x509(c);
    k = peerc__cert_key(c);
    sha256_text(x, expect, sizeof expect);
    is_str(peerc__cert_fingerprint(c), expect, "fingerprint equals SHA-256 of the DER certificate");
    is_int(X509_get_version(x), X509_VERSION_3, "X509v3");
    is_int(X509_get_signature_nid(x), NID_ecdsa_with_SHA256, "signed ecdsa-with-SHA256");
    is_int(EVP_PKEY_get_base_id(k), EVP_PKEY_EC, "EC key");
    {
        char group[32] = "";
        size_t glen = 0;
        EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof group, &glen);
        is_str(group, "prime256v1", "P-256");
    }
    ok(X509_check_private_key(x, k) == 1, "key matches certificate");
    ok(X509_check_issued(x, x) == X509_V_OK, "self-signed");
    ok(ASN1_INTEGER_get_int64(&(int64_t){0}, X509_get0_serialNumber(x)) == 1,
       "serial fits 64 bits");
    {
        int64_t serial = 0;
        ASN1_INTEGER_get_int64(&serial, X509_get0_serialNumber(x));
        ok(serial > 0, "serial positive");
    }
    ok(X509_cmp_time(X509_get0_notBefore(x), &(time_t){now - 23 * 3600}) < 0,
       "valid since >= 23 h ago");
    expires = peerc__cert_expires_ms(c);
    ok(expires > (int64_t)(now + 29 * 86400) * 1000 && expires < (int64_t)(now + 31 * 86400) * 1000,
       "expires in ~30 days (%lld)", (long long)expires);
    {
        char cn[64] = "";
        X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
        is_str(cn, "peerc", "CN");
    }

    is_int(peerc__cert_generate(&c2), PEERC_OK, "second generate");
    ok(c2 && strcmp(peerc__cert_fingerprint(c), peerc__cert_fingerprint(c2)) != 0,
       "fresh key each time");
    ok(c2 && ASN1_INTEGER_cmp(X509_get0_serialNumber(x),
                              X509_get0_serialNumber(peerc__cert_x509(c2))) != 0,
       "random serials differ");

    ok(peerc__cert_ref(c) == c, "ref returns the cert");
    peerc__cert_unref(c); /* back to one reference */
    ok(fingerprint_well_formed(peerc__cert_fingerprint(c)), "still alive after ref/unref");
    peerc__cert_unref(c);
    peerc__cert_unref(c2);
    peerc__cert_unref(NULL);
    ok(peerc__cert_ref(NULL) == NULL && peerc__cert_fingerprint(NULL) == NULL, "NULL-safe");
    is_int(peerc__cert_generate(NULL), PEERC_E_INVALID_ARGUMENT, "generate(NULL)");
}

/* ---- PEM import ------------------------------------------------------------ */

static void test_pem_roundtrip(void)
{
    peerc_cert *gen = NULL, *imp = NULL;
    char err[PEERC_ERRBUF_SIZE] = "";
    char *cp, *kp;
    peerc__cert_generate(&gen);
    cp = x509_pem(peerc__cert_x509(gen));
    kp = key_pem(peerc__cert_key(gen), NULL);
    is_int(peerc__cert_from_pem(cp, kp, &imp, err, sizeof err), PEERC_OK,
           "from_pem of a generated EC cert (%s)", err);
    is_str(imp ? peerc__cert_fingerprint(imp) : NULL, peerc__cert_fingerprint(gen),
           "same fingerprint after PEM");
    peerc__cert_unref(imp);
    free(cp);
    free(kp);
    peerc__cert_unref(gen);
}

static void test_pem_rsa(void)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    X509 *x = self_sign(k);
    char *cp = x509_pem(x), *kp = key_pem(k, NULL);
    char expect[PEERC_FINGERPRINT_MAX_TEXT];
    char err[PEERC_ERRBUF_SIZE] = "";
    peerc_cert *c = NULL;
    sha256_text(x, expect, sizeof expect);
    is_int(peerc__cert_from_pem(cp, kp, &c, err, sizeof err), PEERC_OK, "RSA-2048 accepted (%s)",
           err);
    is_str(c ? peerc__cert_fingerprint(c) : NULL, expect, "RSA cert fingerprint");
    peerc__cert_unref(c);
    free(cp);
    free(kp);
    X509_free(x);
    EVP_PKEY_free(k);
}

static void test_pem_rejects(void)
{
    peerc_cert *a = NULL, *b = NULL, *c = NULL;
    char err[PEERC_ERRBUF_SIZE];
    char *cert_a, *key_a, *key_b, *key_enc;
    peerc__cert_generate(&a);
    peerc__cert_generate(&b);
    cert_a = x509_pem(peerc__cert_x509(a));
    key_a = key_pem(peerc__cert_key(a), NULL);
    key_b = key_pem(peerc__cert_key(b), NULL);
    key_enc = key_pem(peerc__cert_key(a), "secret");

    err[0] = '\0';
    is_int(peerc__cert_from_pem(cert_a, key_b, &c, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "mismatched key rejected");
    ok(strstr(err, "does not match") != NULL, "error says so: %s", err);
    ok(c == NULL, "no cert returned");

    err[0] = '\0';
    is_int(peerc__cert_from_pem("garbage", key_a, &c, err, sizeof err), PEERC_E_SYNTAX,
           "garbage cert PEM");
    ok(strstr(err, "certificate") != NULL, "clear error: %s", err);
    err[0] = '\0';
    is_int(peerc__cert_from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                                key_a, &c, err, sizeof err),
           PEERC_E_SYNTAX, "corrupt base64 certificate");
    diag("%s", err);
    err[0] = '\0';
    is_int(peerc__cert_from_pem(cert_a, "not a key", &c, err, sizeof err), PEERC_E_SYNTAX,
           "garbage key PEM");
    ok(strstr(err, "private key") != NULL, "clear error: %s", err);
    err[0] = '\0';
    is_int(peerc__cert_from_pem(cert_a, key_enc, &c, err, sizeof err), PEERC_E_SYNTAX,
           "encrypted key rejected without prompting");
    diag("%s", err);
    is_int(peerc__cert_from_pem(key_a, cert_a, &c, err, sizeof err), PEERC_E_SYNTAX,
           "arguments swapped");
    is_int(peerc__cert_from_pem(NULL, key_a, &c, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "NULL cert");
    is_int(peerc__cert_from_pem(cert_a, key_a, NULL, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "NULL out");
    is_int(peerc__cert_from_pem(cert_a, key_a, &c, NULL, 0), PEERC_OK, "NULL err buffer is fine");
    peerc__cert_unref(c);

    free(cert_a);
    free(key_a);
    free(key_b);
    free(key_enc);
    peerc__cert_unref(a);
    peerc__cert_unref(b);
}

static void expect_unsupported_key(EVP_PKEY *k, const char *what)
{
    X509 *x = self_sign(k);
    char *cp = x509_pem(x), *kp = key_pem(k, NULL);
    char err[PEERC_ERRBUF_SIZE] = "";
    peerc_cert *c = NULL;
    is_int(peerc__cert_from_pem(cp, kp, &c, err, sizeof err), PEERC_E_NOT_SUPPORTED, "%s refused",
           what);
    diag("%s", err);
    peerc__cert_unref(c);
    free(cp);
    free(kp);
    X509_free(x);
    EVP_PKEY_free(k);
}

static void test_pem_unsupported(void)
{
    expect_unsupported_key(EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), "Ed25519 key");
    expect_unsupported_key(EVP_RSA_gen(512), "RSA-512 key (security level)");
}

/* ---- fingerprint parsing --------------------------------------------------- */

static void test_fingerprint_parse(void)
{
    peerc_cert *c = NULL;
    peerc_fingerprint fp, other;
    char err[PEERC_ERRBUF_SIZE] = "";
    char lower[128], text[PEERC_FINGERPRINT_MAX_TEXT];
    const char *mine;
    peerc__cert_generate(&c);
    mine = peerc__cert_fingerprint(c);

    is_int(peerc__fingerprint_parse("sha-256", mine, &fp, err, sizeof err), PEERC_OK,
           "parse own fingerprint");
    ok(peerc__fingerprint_matches(&fp, peerc__cert_x509(c)), "matches own certificate");
    is_str(peerc__fingerprint_alg_name(&fp), "sha-256", "canonical name");
    for (size_t i = 0; i <= strlen(mine); i++)
        lower[i] = (char)tolower((unsigned char)mine[i]);
    is_int(peerc__fingerprint_parse("SHA-256", lower, &other, err, sizeof err), PEERC_OK,
           "hash name and hex are case-insensitive");
    ok(peerc__fingerprint_matches(&other, peerc__cert_x509(c)), "lowercase matches too");

    strcpy(lower, mine);
    lower[10] = lower[10] == 'A' ? 'B' : 'A';
    is_int(peerc__fingerprint_parse("sha-256", lower, &other, err, sizeof err), PEERC_OK,
           "one digit changed parses");
    ok(!peerc__fingerprint_matches(&other, peerc__cert_x509(c)), "...but does not match");

    for (int alg = 0; alg < 5; alg++) {
        static const char *names[] = {"sha-1", "sha-224", "sha-256", "sha-384", "sha-512"};
        static const size_t sizes[] = {20, 28, 32, 48, 64};
        peerc_fingerprint got;
        int rc;
        peerc__fingerprint_of(peerc__cert_x509(c), alg, &got);
        peerc__fingerprint_format(got.bytes, got.len, text, sizeof text);
        rc = peerc__fingerprint_parse(names[alg], text, &other, err, sizeof err);
        ok(rc == PEERC_OK && other.len == sizes[alg] &&
               peerc__fingerprint_matches(&other, peerc__cert_x509(c)),
           "%s round trip (%zu bytes)", names[alg], sizes[alg]);
    }

    is_int(peerc__fingerprint_parse("md5", "00:11", &fp, err, sizeof err), PEERC_E_NOT_SUPPORTED,
           "md5 refused (RFC 8122)");
    diag("%s", err);
    is_int(peerc__fingerprint_parse("sha-257", mine, &fp, err, sizeof err), PEERC_E_NOT_SUPPORTED,
           "unknown hash");
    is_int(peerc__fingerprint_parse("sha-1", mine, &fp, err, sizeof err), PEERC_E_SYNTAX,
           "32 bytes for sha-1: wrong length");
    diag("%s", err);
    {
        static const char *bad[] = {"",         "A",     "AB:",    ":AB",    "AB::CD", "ABCD",
                                    "AB:CD:G0", "AB-CD", "AB:CD ", " AB:CD", "ABC:DE"};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            is_int(peerc__fingerprint_parse("sha-256", bad[i], &fp, err, sizeof err),
                   PEERC_E_SYNTAX, "malformed \"%s\"", bad[i]);
    }
    {
        /* 65 pairs: longer than any digest; must not overflow the buffer. */
        char longv[65 * 3];
        for (int i = 0; i < 65; i++)
            memcpy(longv + 3 * i, "AB:", 3);
        longv[65 * 3 - 1] = '\0';
        is_int(peerc__fingerprint_parse("sha-512", longv, &fp, err, sizeof err), PEERC_E_SYNTAX,
               "too long");
    }
    is_int(peerc__fingerprint_parse(NULL, mine, &fp, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "NULL alg");
    is_int(peerc__fingerprint_parse("sha-256", NULL, &fp, err, sizeof err),
           PEERC_E_INVALID_ARGUMENT, "NULL value");
    {
        char small[8];
        uint8_t b[4] = {0xde, 0xad, 0xbe, 0xef};
        memset(small, 'x', sizeof small);
        peerc__fingerprint_format(b, 4, small, 7);
        is_str(small, "DE:AD", "format truncates at whole bytes");
        ok(small[7] == 'x', "no write past outlen");
    }
    peerc__cert_unref(c);
}

int main(void)
{
    test_generate();
    test_pem_roundtrip();
    test_pem_rsa();
    test_pem_rejects();
    test_pem_unsupported();
    test_fingerprint_parse();
    return done_testing();
}
