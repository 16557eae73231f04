// Writing a case as nginx configuration (see nginx_config.h).
#include "nginx_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "nginx_server.h"

namespace codecache::conformance {
namespace {

namespace fs = std::filesystem;

// nginx reads its configuration through a 4096-byte buffer; one token (the
// quoted code) must fit in it with room to spare.
constexpr std::size_t kMaxDirectiveBytes = 4000;

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

std::string out_of_scope(const Case& c, const NginxBuild& build, bool code_cache) {
  if (!c.nginx_excluded.empty()) return c.nginx_excluded;
  if (c.property == "limits" || c.property == "sandbox") {
    return "property " + c.property + ": codecache's own budgets and sandbox, which ngx_lua does not have";
  }
  if (c.max_instructions || c.max_cpu_ms || c.max_memory_mb) {
    return "sets codecache's own budgets (max_instructions, max_cpu_ms, max_memory_mb)";
  }
  for (const auto& e : c.expectations) {
    if (!e.when.matches(build.engine, build.profile, code_cache)) continue;
    if (e.field == Field::limit_detail) return "expects a limit of codecache's sandbox (limit_detail)";
    if (e.field == Field::limit) {
      for (const auto& v : e.values) {
        if (v != "none") return "expects a limit of codecache's own budgets or sandbox (limit: " + v + ")";
      }
    }
  }
  return "";
}

std::string nginx_quote(const std::string& bytes) {
  std::string out = "'";
  for (char ch : bytes) {
    if (ch == '\\' || ch == '\'') out += '\\';
    out += ch;
  }
  return out + "'";
}

bool fits_string_form(const std::string& code, int line) {
  return static_cast<int>(std::count(code.begin(), code.end(), '\n')) <= line - 1;
}

std::string inline_code_problem(const std::string& code, int line) {
  if (code.empty()) return "empty inline code is a configuration error in nginx (no runnable Lua code)";
  const std::size_t size = fits_string_form(code, line) ? nginx_quote(code).size() : code.size() + 2;
  if (size > kMaxDirectiveBytes) {
    return "inline code of " + std::to_string(code.size()) + " bytes does not fit nginx's 4096-byte configuration buffer";
  }
  return "";
}

std::string log_mark_entry() { return std::string("\"^$\" does not match \"") + kLogMarkUri + "\""; }

std::string handler_uri(std::size_t index) { return "/codecache/" + std::to_string(index + 1); }

void write_nginx_config(const Case& c, const NginxBuild& build, bool code_cache, const NginxSite& site,
                        const std::vector<std::string>& inline_code) {
  const fs::path work(site.work);
  const std::string temp = (work / "temp").string();
  fs::create_directories(temp);
  fs::create_directories(work / "logs");

  std::string lua_path;
  for (const auto& m : c.module_path) lua_path += site.prefix + "/" + m + "/?.lua;";
  lua_path += build.lua_path + ";";

  std::string conf = "# Written by the codecache nginx referee for case " + c.id + " (" + c.file + ":" +
                     std::to_string(c.line) + ")\n";
  for (const auto& m : build.modules) conf += "load_module " + m + ";\n";
  conf += "daemon off;\nmaster_process off;\nworker_processes 1;\n";
  conf += "pid " + (work / "logs/nginx.pid").string() + ";\n";
  // Debug where the case reads the code cache lines (they tell hit from miss, and
  // name the key) or keeps debug lines; else the case's level: nginx writes tens of
  // debug lines per request, and the checks keep only the case's level anyway.
  const bool reads_cache_lines = std::any_of(c.expectations.begin(), c.expectations.end(), [](const Expectation& e) {
    return e.field == Field::cache || e.field == Field::cache_key;
  });
  conf += "error_log " + site.error_log + " " + (reads_cache_lines ? std::string("debug") : c.log_level) + ";\n";
  conf += "events { worker_connections 64; }\n";
  conf += "http {\n  access_log off;\n  server_tokens off;\n";
  // Output goes to the client as the handler writes it, as the core models it;
  // with nginx's default (1460) a small output followed by a runtime error never
  // leaves the server, and the client sees the connection close with no reply.
  conf += "  postpone_output 0;\n";
  for (const char* kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    conf += std::string("  ") + kind + "_temp_path " + temp + ";\n";
  }
  conf += "  lua_package_path " + nginx_quote(lua_path) + ";\n";
  if (!code_cache) conf += "  lua_code_cache off;\n";
  // `reuseport`: nginx binds the port the runner holds (nginx_port.h).
  conf += "  server {\n    listen 127.0.0.1:" + std::to_string(site.port) + " reuseport;\n";
  if (site.ready_token.empty() || site.ready_token.find('$') != std::string::npos) {
    throw std::runtime_error("ready token \"" + site.ready_token + "\" is empty or has a '$' (an nginx variable)");
  }
  conf += std::string("    location = ") + kReadyUri + " { return 200 " + nginx_quote(site.ready_token) + "; }\n";
  conf += std::string("    location = ") + kLogMarkUri + " { rewrite_log on; rewrite ^$ /; return 200 " +
          nginx_quote(site.ready_token) + "; }\n";
  for (std::size_t i = 0; i < c.handlers.size(); ++i) {
    const HandlerSpec& h = c.handlers[i];
    const std::string include = "handlers/" + std::to_string(i + 1) + "/nginx.conf";
    conf += "    include " + include + ";\n";
    std::string directive;
    int padding = 0;
    if (h.is_file) {
      directive = "content_by_lua_file " + nginx_quote(h.path) + ";";
    } else {
      const int line = c.conf_line + static_cast<int>(i);
      const std::string& code = inline_code[i];
      const std::string problem = inline_code_problem(code, line);
      if (!problem.empty()) throw std::runtime_error("handler " + h.label + ": " + problem);
      if (fits_string_form(code, line)) {
        // ngx_lua names a string-form directive by the line it ends on.
        directive = "content_by_lua " + nginx_quote(code) + ";";
        padding = line - 1 - static_cast<int>(std::count(code.begin(), code.end(), '\n'));
      } else {
        // Longer than the lines before `line`: the block form, named by its first line.
        directive = "content_by_lua_block {" + code + "}";
        padding = line - 1;
      }
    }
    write_text(work / "conf" / include, std::string(static_cast<std::size_t>(padding), '\n') + "location = " +
                                            handler_uri(i) + " { " + directive + " }\n");
  }
  conf += "  }\n}\n";
  write_text(site.conf, conf);
}

}  // namespace codecache::conformance
