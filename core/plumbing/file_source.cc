// File sources for the file loader (see file_source.h).
#include "core/plumbing/file_source.h"

#include <cerrno>
#include <memory>

namespace codecache {

FileSource file_system() {
  return [](const std::string& path, const char* mode) { return std::fopen(path.c_str(), mode); };
}

FileSource in_memory(std::map<std::string, std::string> files) {
  auto shared = std::make_shared<const std::map<std::string, std::string>>(std::move(files));
  return [shared](const std::string& path, const char*) -> std::FILE* {
    auto it = shared->find(path);
    if (it == shared->end()) {
      errno = ENOENT;
      return nullptr;
    }
    static char empty[1];
    const std::string& bytes = it->second;
    // fmemopen reads the buffer in place and never writes in mode "r".
    char* data = bytes.empty() ? empty : const_cast<char*>(bytes.data());
    std::FILE* f = fmemopen(data, bytes.size(), "r");
    return f;
  };
}

}  // namespace codecache
