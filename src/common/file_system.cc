#include "common/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace mailpulse {
namespace {

class PosixAppendFile final : public AppendFile {
 public:
  PosixAppendFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixAppendFile() override { ::close(fd_); }

  Status Append(std::span<const std::string_view> parts) override {
    // iovec batches of at most IOV_MAX, resubmitting the rest after short writes.
    size_t i = 0;
    size_t skip = 0;  // bytes of parts[i] already written
    while (i < parts.size()) {
      iovec iov[64];
      int cnt = 0;
      for (size_t j = i; j < parts.size() && cnt < 64; ++j) {
        size_t off = (j == i) ? skip : 0;
        if (parts[j].size() == off) continue;
        iov[cnt].iov_base = const_cast<char*>(parts[j].data() + off);
        iov[cnt].iov_len = parts[j].size() - off;
        ++cnt;
      }
      if (cnt == 0) break;
      ssize_t n = ::writev(fd_, iov, cnt);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, "write " + path_);
      }
      size_ += static_cast<uint64_t>(n);
      auto left = static_cast<size_t>(n);
      while (i < parts.size() && left >= parts[i].size() - skip) {
        left -= parts[i].size() - skip;
        skip = 0;
        ++i;
      }
      skip += left;
    }
    return Status::Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return Status::FromErrno(errno, "fdatasync " + path_);
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return Status::FromErrno(errno, "ftruncate " + path_);
    }
    size_ = size;  // O_APPEND: the next write lands at the new end
    return Status::Ok();
  }

  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

class PosixReadableFile final : public ReadableFile {
 public:
  PosixReadableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixReadableFile() override { ::close(fd_); }

  Result<size_t> ReadAt(uint64_t offset, size_t n, char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, scratch + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, "read " + path_);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  }

  Result<uint64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Status::FromErrno(errno, "stat " + path_);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  std::string path_;
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<AppendFile>> OpenAppend(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return Status::FromErrno(errno, "open " + path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      Status s = Status::FromErrno(errno, "stat " + path);
      ::close(fd);
      return s;
    }
    return std::unique_ptr<AppendFile>(
        std::make_unique<PosixAppendFile>(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  Result<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "open " + path);
    return std::unique_ptr<ReadableFile>(std::make_unique<PosixReadableFile>(path, fd));
  }

  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "stat " + path);
    return static_cast<uint64_t>(st.st_size);
  }

  Status Truncate(const std::string& path, uint64_t size) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "open " + path);
    Status s;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      s = Status::FromErrno(errno, "ftruncate " + path);
    } else if (::fdatasync(fd) != 0) {
      s = Status::FromErrno(errno, "fdatasync " + path);
    }
    ::close(fd);
    return s;
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Status::FromErrno(errno, "rename " + from);
    return Status::Ok();
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Status::FromErrno(errno, "unlink " + path);
    return Status::Ok();
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return Status::FromErrno(errno, "opendir " + dir);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (n != "." && n != "..") names.emplace_back(n);
    }
    ::closedir(d);
    return names;
  }

  Status CreateDir(const std::string& dir) override {
    if (dir.empty()) return Status::Invalid("empty directory name");
    for (size_t pos = 1; pos <= dir.size(); ++pos) {
      if (pos != dir.size() && dir[pos] != '/') continue;
      std::string prefix = dir.substr(0, pos);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
        return Status::FromErrno(errno, "mkdir " + prefix);
      }
    }
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::Fail("not a directory: " + dir);
    }
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "open " + dir);
    Status s;
    if (::fsync(fd) != 0) s = Status::FromErrno(errno, "fsync " + dir);
    ::close(fd);
    return s;
  }
};

}  // namespace

FileSystem* FileSystem::Default() {
  static PosixFileSystem* fs = new PosixFileSystem();
  return fs;
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<std::string> ReadFileToString(FileSystem& fs, const std::string& path) {
  MP_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> f, fs.OpenReadable(path));
  MP_ASSIGN_OR_RETURN(uint64_t size, f->Size());
  std::string out(size, '\0');
  MP_ASSIGN_OR_RETURN(size_t n, f->ReadAt(0, out.size(), out.data()));
  out.resize(n);
  return out;
}

Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view contents) {
  std::string tmp = path + ".tmp";
  {
    MP_ASSIGN_OR_RETURN(std::unique_ptr<AppendFile> f, fs.OpenAppend(tmp));
    MP_RETURN_IF_ERROR(f->Truncate(0));  // a leftover from a crash
    MP_RETURN_IF_ERROR(f->Append(contents));
    MP_RETURN_IF_ERROR(f->Sync());
  }
  MP_RETURN_IF_ERROR(fs.Rename(tmp, path));
  return fs.SyncDir(DirName(path));
}

}  // namespace mailpulse
