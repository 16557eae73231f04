// Where the file loader reads handler files from: the file system (what ngx_lua
// does, and the default), or a set of files held in memory, so that fuzz targets
// and tests can serve `content_by_lua_file` handlers without touching the disk.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <string>

namespace codecache {

// Opens `path` like std::fopen(path, mode) (modes "r" and "rb"): a stream, or null
// with errno set (ENOENT for a file that does not exist).
using FileSource = std::function<std::FILE*(const std::string& path, const char* mode)>;

// std::fopen.
FileSource file_system();

// Files by absolute path, read through fmemopen; every other path is ENOENT.
// The bytes are copied into the source, which must outlive the streams it opens.
FileSource in_memory(std::map<std::string, std::string> files);

}  // namespace codecache
