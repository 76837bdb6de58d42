// weaken_glibc_versions MAX SYMBOLS FILE: in the shared library FILE, marks
// every required glibc symbol version newer than GLIBC_MAX (for example
// 2.34) as weak (VER_FLG_WEAK in its .gnu.version_r entry), so that a glibc
// without that version loads the library anyway. Allowed only when every
// symbol FILE needs at that version is in SYMBOLS (comma-separated): the ones
// the package's executable defines itself (glibc_compat.cc). Otherwise, or on
// a malformed file, exits 1 and changes nothing. Run by
// scripts/lambda-package.sh on the bundled libraries; the result is verified
// by scripts/check-lambda-package.sh (readelf), not trusted.
#include <elf.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

// "GLIBC_2.36" -> {2, 36}; false when not a numbered glibc version.
bool ParseGlibc(const std::string& name, std::vector<int>* parts) {
  if (name.rfind("GLIBC_", 0) != 0) return false;
  std::stringstream ss(name.substr(6));
  std::string p;
  parts->clear();
  while (std::getline(ss, p, '.')) {
    if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos) return false;
    parts->push_back(std::stoi(p));
  }
  return !parts->empty();
}

int Fail(const std::string& file, const std::string& why) {
  std::fprintf(stderr, "weaken_glibc_versions: %s: %s\n", file.c_str(), why.c_str());
  return 1;
}

template <typename T>
bool Read(const std::string& data, size_t offset, T* out) {
  if (offset > data.size() || data.size() - offset < sizeof(T)) return false;
  std::memcpy(out, data.data() + offset, sizeof(T));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: weaken_glibc_versions MAX SYMBOL[,SYMBOL...] FILE\n");
    return 2;
  }
  std::vector<int> max;
  if (!ParseGlibc(std::string("GLIBC_") + argv[1], &max)) return Fail(argv[3], "bad MAX");
  std::set<std::string> provided;
  {
    std::stringstream ss(argv[2]);
    std::string s;
    while (std::getline(ss, s, ',')) provided.insert(s);
  }
  const std::string file = argv[3];
  std::string data;
  {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Fail(file, "cannot open");
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  Elf64_Ehdr eh;
  if (!Read(data, 0, &eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
    return Fail(file, "not a little-endian 64-bit ELF");
  }
  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  for (size_t i = 0; i < sections.size(); ++i) {
    if (eh.e_shentsize != sizeof(Elf64_Shdr) ||
        !Read(data, eh.e_shoff + i * sizeof(Elf64_Shdr), &sections[i])) {
      return Fail(file, "bad section headers");
    }
  }
  const Elf64_Shdr *verneed = nullptr, *versym = nullptr, *dynsym = nullptr;
  for (const Elf64_Shdr& s : sections) {
    if (s.sh_type == SHT_GNU_verneed) verneed = &s;
    if (s.sh_type == SHT_GNU_versym) versym = &s;
    if (s.sh_type == SHT_DYNSYM) dynsym = &s;
  }
  if (verneed == nullptr) return 0;  // no versioned needs at all
  if (versym == nullptr || dynsym == nullptr || verneed->sh_link >= sections.size() ||
      dynsym->sh_link >= sections.size()) {
    return Fail(file, "versioned needs without .gnu.version or .dynsym");
  }
  auto str = [&](const Elf64_Shdr& strtab, uint32_t off) -> std::string {
    if (off >= strtab.sh_size) return {};
    const char* p = data.data() + strtab.sh_offset + off;
    return std::string(p, strnlen(p, strtab.sh_size - off));
  };
  const Elf64_Shdr& verstr = sections[verneed->sh_link];
  const Elf64_Shdr& dynstr = sections[dynsym->sh_link];

  // Version indexes (vna_other) of the too-new glibc versions, and where
  // their flags are.
  struct Newer {
    uint16_t index;
    size_t flags_offset;
    std::string name;
  };
  std::vector<Newer> newer;
  size_t off = verneed->sh_offset;
  for (;;) {
    Elf64_Verneed vn;
    if (!Read(data, off, &vn)) return Fail(file, "bad .gnu.version_r");
    std::string lib = str(verstr, vn.vn_file);
    size_t aux = off + vn.vn_aux;
    for (uint16_t a = 0; a < vn.vn_cnt; ++a) {
      Elf64_Vernaux va;
      if (!Read(data, aux, &va)) return Fail(file, "bad .gnu.version_r entry");
      std::string name = str(verstr, va.vna_name);
      std::vector<int> v;
      if (ParseGlibc(name, &v) && v > max) {
        newer.push_back(
            {va.vna_other, aux + offsetof(Elf64_Vernaux, vna_flags), name + " (" + lib + ")"});
      }
      if (va.vna_next == 0) break;
      aux += va.vna_next;
    }
    if (vn.vn_next == 0) break;
    off += vn.vn_next;
  }
  if (newer.empty()) return 0;

  // Every undefined symbol bound to one of those versions must be provided.
  size_t count = dynsym->sh_size / sizeof(Elf64_Sym);
  for (size_t i = 1; i < count; ++i) {
    Elf64_Sym sym;
    uint16_t ver = 0;
    if (!Read(data, dynsym->sh_offset + i * sizeof(Elf64_Sym), &sym) ||
        !Read(data, versym->sh_offset + i * sizeof(uint16_t), &ver)) {
      return Fail(file, "bad .dynsym or .gnu.version");
    }
    for (const Newer& n : newer) {
      if ((ver & 0x7fff) != n.index) continue;
      std::string name = str(dynstr, sym.st_name);
      if (sym.st_shndx != SHN_UNDEF || provided.count(name) == 0) {
        return Fail(file,
                    "needs " + name + " from " + n.name + ", which the package does not provide");
      }
    }
  }
  for (const Newer& n : newer) {
    uint16_t flags = 0;
    Read(data, n.flags_offset, &flags);
    flags |= VER_FLG_WEAK;
    std::memcpy(data.data() + n.flags_offset, &flags, sizeof(flags));
    std::printf("weaken_glibc_versions: %s: %s is now weak\n", file.c_str(), n.name.c_str());
  }
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  return out ? 0 : Fail(file, "cannot write");
}
