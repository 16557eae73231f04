// Running one case on a real nginx (see nginx_referee.h).
#include "nginx_referee.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "case_files.h"
#include "http_client.h"
#include "nginx_config.h"
#include "nginx_error_log.h"
#include "nginx_port.h"
#include "nginx_server.h"

namespace codecache::conformance {
namespace {

namespace fs = std::filesystem;

constexpr auto kStartup = std::chrono::milliseconds(15000);
constexpr auto kRequestTimeout = std::chrono::milliseconds(20000);

// The error log, read one request at a time. After each request the referee
// asks for kLogMarkUri (nginx_config.h), which nginx logs while it serves it;
// one worker serves one connection after another, so when the mark's reply has
// arrived every entry the request wrote is in the file before the mark's entry. No timing is assumed. What the mark's own connection logs at
// debug level around its entry (accept, close) lands in a slice too; no case and
// no comparison reads those lines.
class MarkedLog {
 public:
  MarkedLog(std::string path, int port) : path_(std::move(path)), port_(port), mark_(log_mark_entry()) {}

  // Everything logged since the previous mark, up to this mark's entry.
  std::string next() {
    const HttpReply reply = http_get(port_, kLogMarkUri, kRequestTimeout);
    if (reply.status != 200)
      throw std::runtime_error(std::string("the log mark ") + kLogMarkUri + " was answered with status " +
                               std::to_string(reply.status) + " " + reply.error + ", not 200");
    std::ifstream in(path_, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset_));
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t at = text.find(mark_);
    if (at == std::string::npos)
      throw std::runtime_error("the log mark's entry (" + mark_ + ") is not in " + path_ + " after its reply");
    const std::size_t newline_before = text.rfind('\n', at);
    const std::size_t line_start = newline_before == std::string::npos ? 0 : newline_before + 1;
    const std::size_t line_end = text.find('\n', at);
    offset_ += line_end == std::string::npos ? text.size() : line_end + 1;
    return text.substr(0, line_start);
  }

 private:
  std::string path_;
  int port_;
  std::string mark_;
  std::uintmax_t offset_ = 0;
};

std::string run_dir_name(const Case& c, const RefereeConfig& cfg) {
  std::string id = c.id;
  for (char& ch : id)
    if (ch == '/') ch = '.';
  return cfg.build.name + "." + (cfg.code_cache ? "on" : "off") + "." + id;
}

Outcome outcome_of(const HttpReply& reply, const std::string& log_text, const Case& c, bool code_cache) {
  Outcome o;
  o.status = reply.status;
  o.body = is_nginx_error_page(reply.status, reply.body) ? std::string() : reply.body;
  o.aborted = reply.truncated;
  const std::vector<NginxLogEntry> entries = parse_nginx_error_log(log_text);
  o.log = entries_at_level(entries, c.log_level);
  const NginxCacheView cache = cache_view(entries);
  // The core says `off` for a request served without the cache: real nginx
  // shows that as a lookup that misses in the request's fresh VM.
  o.cache = cache.hit ? CacheState::hit : (code_cache ? CacheState::miss : CacheState::off);
  o.cache_key = CacheKey(cache.key);
  return o;
}

}  // namespace

bool is_nginx_error_page(int status, const std::string& body) {
  const std::string head = "<html>\r\n<head><title>" + std::to_string(status) + " ";
  return status >= 300 && body.rfind(head, 0) == 0 && body.find("</html>\r\n") != std::string::npos;
}

std::string not_expressible(const Case& c, const NginxBuild& build, bool code_cache) {
  if (std::string why = out_of_scope(c, build, code_cache); !why.empty()) return why;
  for (std::size_t i = 0; i < c.handlers.size(); ++i) {
    const HandlerSpec& h = c.handlers[i];
    if (h.is_file) continue;
    const std::string problem = inline_code_problem(resolve_content(h.code), c.conf_line + static_cast<int>(i));
    if (!problem.empty()) return "handler " + h.label + ": " + problem;
  }
  return "";
}

CheckTarget check_target(const RefereeConfig& cfg, const std::string& prefix) {
  return {cfg.build.engine, cfg.build.profile, cfg.code_cache, prefix};
}

RunResult referee_case(const Case& c, const RefereeConfig& cfg) {
  RunResult result;
  const auto started = std::chrono::steady_clock::now();
  const fs::path run_dir = fs::path(cfg.work_root) / run_dir_name(c, cfg);
  NginxSite site;
  site.prefix = (run_dir / "prefix").string();
  site.work = (run_dir / "nginx").string();
  site.conf = site.work + "/conf/nginx.conf";
  site.error_log = site.work + "/logs/error.log";
  const std::string stderr_path = site.work + "/logs/stderr.log";
  result.scratch_dir = run_dir.string();
  try {
    if (std::string missing = missing_parts(cfg.build); !missing.empty()) {
      throw std::runtime_error("the " + cfg.build.name + " nginx build is not prepared (missing " + missing +
                               "); build the target nginx_referee_builds");
    }
    std::error_code ec;
    fs::remove_all(run_dir, ec);
    fs::create_directories(site.prefix);
    site.prefix = fs::canonical(site.prefix).string();
    for (const auto& f : c.files) materialize(site.prefix, f);
    std::vector<std::string> inline_code(c.handlers.size());
    for (std::size_t i = 0; i < c.handlers.size(); ++i) {
      if (!c.handlers[i].is_file) inline_code[i] = resolve_content(c.handlers[i].code);
    }

    // Held until nginx has stopped (the server is destroyed first): no other
    // process can take the port meanwhile (nginx_port.h).
    const PortReservation port;
    site.port = port.port();
    site.ready_token = run_dir_name(c, cfg);  // the probe's check that it reached this run's nginx
    write_nginx_config(c, cfg.build, cfg.code_cache, site, inline_code);
    NginxServer server(cfg.build, site.prefix, site.conf, site.port, site.ready_token, stderr_path, kStartup);
    result.repro = "cd " + site.prefix + " && LD_LIBRARY_PATH=" + cfg.build.library_path + " " + cfg.build.nginx +
                   " -p " + site.prefix + "/ -c " + site.conf + "   # then: curl 127.0.0.1:" +
                   std::to_string(site.port) + handler_uri(0) + "; log in " + site.error_log;

    MarkedLog log(site.error_log, site.port);
    log.next();  // start-up and the readiness probe
    std::vector<bool> looked_up;  // per request: a code cache lookup was logged
    for (const auto& label : c.requests) {
      if (const Step* s = c.step(label)) {
        materialize(site.prefix, s->action);
        continue;
      }
      const auto index = static_cast<std::size_t>(c.handler(label) - c.handlers.data());
      const HttpReply reply = http_get(site.port, handler_uri(index), kRequestTimeout);
      std::string log_text;
      try {
        log_text = log.next();
      } catch (const std::runtime_error& e) {
        const std::string died = server.death();
        throw std::runtime_error("request " + std::to_string(result.requests.size() + 1) + " (" + label + "): " +
                                 (died.empty() ? e.what() : "nginx " + died + " while serving it") +
                                 "; nginx's stderr: " + read_file(stderr_path).substr(0, 2000));
      }
      looked_up.push_back(cache_view(parse_nginx_error_log(log_text)).looked_up);
      const int n = static_cast<int>(result.requests.size()) + 1;
      if (!reply.error.empty()) {
        result.mismatches.push_back({n, "reply", "an HTTP reply", reply.error});
      }
      const HandlerSpec& h = c.handlers[index];
      result.requests.push_back({label, h.is_file ? h.path : "content_by_lua(nginx.conf:" +
                                                                 std::to_string(c.conf_line + static_cast<int>(index)) + ")",
                                 outcome_of(reply, log_text, c, cfg.code_cache)});
    }
    server.stop();
    check_expectations(c, check_target(cfg, site.prefix), result);
    // `cache` is read from the debug log: without a lookup there is nothing to judge.
    for (std::size_t i = 0; i < looked_up.size(); ++i) {
      const int n = static_cast<int>(i) + 1;
      for (const auto& e : c.expectations) {
        if (e.field != Field::cache || looked_up[i] || (e.request != 0 && e.request != n) ||
            !e.when.matches(cfg.build.engine, cfg.build.profile, cfg.code_cache)) {
          continue;
        }
        result.mismatches.push_back({n, "cache", e.values.size() > 1 ? e.values.at(i) : e.value(),
                                     "(no code cache lookup in the debug log)"});
        break;
      }
    }
  } catch (const CaseError& e) {
    result.setup_error = e.what();
  } catch (const std::exception& e) {
    result.setup_error = e.what();
  }
  result.passed = result.setup_error.empty() && result.mismatches.empty();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (result.passed && !cfg.keep) {
    std::error_code ec;
    fs::remove_all(run_dir, ec);
    result.scratch_dir.clear();
  }
  return result;
}

}  // namespace codecache::conformance
