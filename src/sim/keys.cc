#include "sim/keys.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/base64.h"

namespace mailpulse {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

Result<std::string> SpkiBase64(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) {
    ERR_clear_error();
    return Status::Fail("cannot encode the public key as SPKI");
  }
  std::string out = Base64Encode(std::string_view(reinterpret_cast<char*>(der), len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

Result<KeyPair> GenerateKeyPair() {
  std::shared_ptr<EVP_PKEY> key(EVP_EC_gen(SN_X9_62_prime256v1), EVP_PKEY_free);
  if (!key) {
    ERR_clear_error();
    return Status::Fail("OpenSSL could not generate a P-256 key");
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return Status::Fail("cannot write the private key as PKCS#8 PEM");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  KeyPair pair;
  pair.private_pem.assign(data, static_cast<size_t>(n));
  MP_ASSIGN_OR_RETURN(pair.public_base64, SpkiBase64(key.get()));
  return pair;
}

Result<Signer> Signer::FromPrivatePem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) {
    ERR_clear_error();
    return Status::Invalid("not a PEM private key");
  }
  std::shared_ptr<EVP_PKEY> key(raw, EVP_PKEY_free);
  char group[64] = {0};
  size_t group_len = 0;
  if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_EC ||
      EVP_PKEY_get_group_name(raw, group, sizeof(group), &group_len) != 1 ||
      std::string_view(group, group_len) != SN_X9_62_prime256v1) {
    ERR_clear_error();
    return Status::Invalid("private key is not a P-256 (prime256v1) EC key");
  }
  return Signer(std::move(key));
}

Result<std::string> Signer::Sign(std::string_view timestamp, std::string_view body) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSignUpdate(ctx.get(), timestamp.data(), timestamp.size()) != 1 ||
      EVP_DigestSignUpdate(ctx.get(), body.data(), body.size()) != 1 ||
      EVP_DigestSignFinal(ctx.get(), nullptr, &len) != 1) {
    ERR_clear_error();
    return Status::Fail("ECDSA signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSignFinal(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len) != 1) {
    ERR_clear_error();
    return Status::Fail("ECDSA signing failed");
  }
  sig.resize(len);
  return Base64Encode(sig);
}

Result<std::string> Signer::PublicKeyBase64() const { return SpkiBase64(key_.get()); }

}  // namespace mailpulse
