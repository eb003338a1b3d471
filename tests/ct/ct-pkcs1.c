/* ct-pkcs1.c -- RSAES-PKCS1-v1_5 decryption with implicit rejection
 * (_cachet_rsa_pkcs1_decrypt) neither branches on nor indexes memory by
 * the private key or the decrypted padding, and substitutes the random
 * key without looking at the outcome.
 *
 * Secret during each call: the CRT exponents and coefficient (a, b, c),
 * d, and the primes p and q except, as in nettle's own
 * rsa-sec-decrypt-test, their lowest limb and two highest limbs -- GMP's
 * side-channel silent functions still read those: (i) the parity check of
 * p and q, (ii) mpn_sec_div_r normalises by the top limbs and looks up an
 * inverse of the top limb, (iii) mpn_sec_powm looks up an inverse of the
 * lowest limb.  The padding octets are secret because everything the
 * private operation produces depends on the key.  The ciphertext is
 * public (it comes off the wire), and so is its length.
 *
 * Cases: a valid ciphertext for a 16-octet key; valid padding around a
 * key of another length; no zero separator; block type 01; a non-zero
 * first octet; a too-short padding string; a ciphertext above n.  Every
 * call must return 0; the valid one gives the key, the others random
 * octets that differ from call to call.
 */
#include "crypto-enc.h"
#include "pki-key.h"
#include "ct.h"

#include <gnutls/x509.h>
#include <nettle/bignum.h>

#define MARK_LIMBS(x, first, skip_top, how)                                    \
	do {                                                                   \
		size_t n_ = mpz_size(x);                                       \
		if (n_ > (size_t)(first) + (skip_top))                         \
			how((void *)(mpz_limbs_read(x) + (first)),             \
			    (n_ - (first) - (skip_top)) * sizeof(mp_limb_t));  \
	} while (0)

static void key_secret(cachet_privkey_t *k)
{
	MARK_LIMBS(k->rsa_priv.a, 0, 0, SECRET);
	MARK_LIMBS(k->rsa_priv.b, 0, 0, SECRET);
	MARK_LIMBS(k->rsa_priv.c, 0, 0, SECRET);
	MARK_LIMBS(k->rsa_priv.d, 0, 0, SECRET);
	MARK_LIMBS(k->rsa_priv.p, 1, 2, SECRET);
	MARK_LIMBS(k->rsa_priv.q, 1, 2, SECRET);
}

static void key_public(cachet_privkey_t *k)
{
	MARK_LIMBS(k->rsa_priv.a, 0, 0, PUBLIC);
	MARK_LIMBS(k->rsa_priv.b, 0, 0, PUBLIC);
	MARK_LIMBS(k->rsa_priv.c, 0, 0, PUBLIC);
	MARK_LIMBS(k->rsa_priv.d, 0, 0, PUBLIC);
	MARK_LIMBS(k->rsa_priv.p, 0, 0, PUBLIC);
	MARK_LIMBS(k->rsa_priv.q, 0, 0, PUBLIC);
}

static int read_path(const char *path, cachet_datum_t *out)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	out->data = malloc((size_t)n);
	out->size = (size_t)n;
	if (out->data == NULL || fread(out->data, 1, out->size, f) != out->size) {
		fclose(f);
		free(out->data);
		return -1;
	}
	fclose(f);
	return 0;
}

static int load(const char *dir, cachet_privkey_t **k, cachet_pubkey_t **pub)
{
	char path[1024];
	cachet_datum_t d;
	gnutls_x509_crt_t crt;
	gnutls_datum_t gd;
	int ret;

	snprintf(path, sizeof(path), "%s/alice.key.pem", dir);
	if (read_path(path, &d) < 0)
		return -1;
	ret = _cachet_privkey_import(k, &d, NULL, NULL);
	free(d.data);
	if (ret < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/alice.crt.pem", dir);
	if (read_path(path, &d) < 0)
		return -1;
	gd.data = d.data;
	gd.size = (unsigned)d.size;
	ret = -1;
	if (gnutls_x509_crt_init(&crt) == 0) {
		if (gnutls_x509_crt_import(crt, &gd, GNUTLS_X509_FMT_PEM) == 0)
			ret = _cachet_pubkey_from_crt(pub, crt, NULL);
		gnutls_x509_crt_deinit(crt);
	}
	free(d.data);
	return ret < 0 ? -1 : 0;
}

static void raw_rsa(const cachet_pubkey_t *pub, const uint8_t *em, uint8_t *ct)
{
	mpz_t m, c;

	mpz_init(m);
	mpz_init(c);
	nettle_mpz_set_str_256_u(m, pub->rsa.size, em);
	mpz_powm(c, m, pub->rsa.e, pub->rsa.n);
	nettle_mpz_get_str_256(pub->rsa.size, ct, c);
	mpz_clear(m);
	mpz_clear(c);
}

static int decrypt(cachet_privkey_t *k, const uint8_t *ct, size_t kb,
		   uint8_t *out)
{
	int ret;

	key_secret(k);
	ret = _cachet_rsa_pkcs1_decrypt(k, ct, kb, out, 16, NULL);
	PUBLIC(out, 16);
	PUBLIC(&ret, sizeof(ret));
	key_public(k);
	return ret;
}

int main(void)
{
	const char *dir = getenv("CACHET_PKI_DIR");
	cachet_privkey_t *k = NULL;
	cachet_pubkey_t *pub = NULL;
	cachet_datum_t c = { NULL, 0 };
	uint8_t cek[16], o1[16], o2[16], em[1024], ct[1024];
	size_t kb;
	int r1, r2, kind;
	static const char *const names[] = {
		"valid", "a 24-octet key", "no zero separator", "block type 01",
		"first octet 01", "padding string of 7", "ciphertext above n",
	};

	if (dir == NULL || *dir == '\0')
		dir = "vectors/pki";
	if (load(dir, &k, &pub) < 0) {
		printf("FAIL: cannot load Alice's key from %s\n", dir);
		return 3;
	}
	kb = pub->rsa.size;
	ct_fill(cek, sizeof(cek));
	for (kind = 0; kind < 7; kind++) {
		memset(em, 0, sizeof(em));
		switch (kind) {
		case 0:
		case 1:
			if (_cachet_rsa_pkcs1_encrypt(pub, kind == 0 ? cek : em,
						      kind == 0 ? 16 : 24, &c,
						      NULL) < 0 ||
			    c.size != kb) {
				printf("FAIL: encrypt\n");
				return 3;
			}
			memcpy(ct, c.data, kb);
			cachet_free(c.data);
			c.data = NULL;
			break;
		case 6:
			memset(ct, 0xff, kb);
			break;
		default:
			memset(em, 0xa5, kb);
			em[0] = 0x00;
			em[1] = 0x02;
			if (kind == 3) {
				em[1] = 0x01;
				memset(em + 2, 0xff, kb - 19);
			}
			if (kind == 4)
				em[0] = 0x01;
			if (kind != 2) {
				em[kb - 17] = 0x00;
				memcpy(em + kb - 16, cek, 16);
			}
			if (kind == 5)
				em[9] = 0x00;
			raw_rsa(pub, em, ct);
			break;
		}
		memset(o1, 0, sizeof(o1));
		memset(o2, 0, sizeof(o2));
		r1 = decrypt(k, ct, kb, o1);
		r2 = decrypt(k, ct, kb, o2);
		if (kind == 0)
			ct_check(r1 == 0 && r2 == 0 &&
					 memcmp(o1, cek, 16) == 0 &&
					 memcmp(o2, cek, 16) == 0,
				 "%s: returns %d/%d and the key", names[kind],
				 r1, r2);
		else
			ct_check(r1 == 0 && r2 == 0 &&
					 memcmp(o1, cek, 16) != 0 &&
					 memcmp(o1, o2, 16) != 0,
				 "%s: returns %d/%d and random octets",
				 names[kind], r1, r2);
	}
	_cachet_privkey_free(k);
	_cachet_pubkey_free(pub);
	return ct_finish("ct-pkcs1");
}
